export * from './errors';
export * from './actions';
export * from './frames';
export * from './schemas';
export * from './validator';
export * from './examples';
export * from './messages';
export * from './charger-password';
