/**
 * The charging session aggregate, Emmett style: `decide(command, state) → events` and
 * `evolve(state, event) → state`, both pure (no clock, no I/O: times come in the commands).
 *
 * This file only re-exports the parts in ./session/:
 * - state.ts: the state, a union by status, and what it implies (isOpen, effectiveMeterStart, ...)
 * - commands.ts: the commands and SessionRuleError
 * - evolve.ts / decide.ts: one function per event / per command
 * - flags.ts: THE flag rule (CLOCK_SKEW, LATE_EVENTS, ...), used by the state and the events alike
 * - connector.ts: the connector status a session shows (live until the connector is free)
 * - timers.ts: when each timer is due (also re-exported by ./timers)
 * - stored-state.ts: the versioned `sessions.state` JSON
 * - failure.ts: why a remote start failed (failure_reason)
 * - seq-nos.ts: the OCPP 2.0.1 TransactionEvent seqNos a session folded (once each; SEQ_NO_GAP)
 */
export * from './session/state';
export * from './session/commands';
export { evolve, fold } from './session/evolve';
export { hasSeqNo } from './session/seq-nos';
export { decide, SYSTEM_ACTOR } from './session/decide';
export { CLOCK_SKEW_LIMIT_MS, sessionFlags } from './session/flags';
export { CONNECTOR_REPORTS_KEPT, awaitsConnectorFree, connectorFreedAt } from './session/connector';
export { STOP_RETRY_MS, maxChargingStopDueAt } from './session/timers';
export { UNUSABLE_CONNECTOR_STATUSES, failureReasonOf, startFailureReason } from './session/failure';
export {
  STORED_STATE_VERSION,
  StoredStateError,
  fromStoredState,
  toStoredState,
  type StoredSessionState,
} from './session/stored-state';
