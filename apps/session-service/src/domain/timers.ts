/** The session's timers; see ./session/timers.ts. */
export { nextTimerAt, type TimerSettings } from './session/timers';
