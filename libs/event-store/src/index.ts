export * from './types';
export * from './schema';
export * from './append';
export * from './read';
export * from './transaction';
export * from './offsets';
export * from './outbox-relay';
export * from './rebuild';
