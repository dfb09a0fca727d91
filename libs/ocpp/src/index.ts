export * from './errors';
export * from './actions';
export * from './frames';
export * from './schemas';
export * from './validator';
export * from './examples';
export * from './messages';
export * from './charger-password';
/** OCPP 2.0.1's generated types, as one namespace: its message names collide with 1.6's. */
export type * as Ocpp201 from './ocpp201-types.generated';
export { OCPP201_ACTIONS } from './ocpp201-types.generated';
export * from './validator201';
export * from './lossless-json';
export * from './examples201';
