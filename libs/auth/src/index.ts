export * from './principal';
export * from './errors';
export * from './bounded-cache';
export * from './api-keys';
export * from './api-key-verifier';
export * from './jwt-verifier';
export * from './authenticator';
export * from './audit';
export * from './config';
export * from './database/data-source';
// The Nest guard and decorators (also importable alone from '@app/auth/nest').
export * from './nest';
