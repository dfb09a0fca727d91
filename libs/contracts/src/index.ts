export * from './envelope';
export * from './topics';
export * from './money';
export * from './ocpp-events';
export * from './ocpp-commands';
export * from './sessions';
export * from './billing';
export * from './ids';
