export * from './runner';
export { Semaphore } from './semaphore';
export { AbortScope, type ChildSignal } from './signal';
export { WireClock, type WireTiming } from './wire';
