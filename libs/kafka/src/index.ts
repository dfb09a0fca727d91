export * from './client';
export * from './admin';
export * from './publisher';
export * from './consumer';
export * from './supervision';
export * from './nest';
export * from './security';
export * from './transactional-consumer';
