export * from './ocpp-client';
export * from './simulated-charger';
