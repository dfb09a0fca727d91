export * from './query';
export * from './config';
export * from './errors';
export * from './body-limit';
export * from './rate-limit';
