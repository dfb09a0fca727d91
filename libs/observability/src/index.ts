export * from './health';
export * from './metrics';
export * from './observability.module';
export * from './bootstrap';
export * from './postgres-readiness';
