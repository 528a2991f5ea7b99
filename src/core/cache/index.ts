export * from './key';
export * from './entry';
export * from './store';
export * from './memoryStore';
export * from './fileStore';
export * from './answerCache';
export * from './redisStore';
