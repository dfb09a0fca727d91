export * from './paths';
export * from './kafka-broker';
export * from './postgres';
export * from './apps';
export * from './kafka-cluster';
