export * from './runner';
export { Semaphore } from './semaphore';
