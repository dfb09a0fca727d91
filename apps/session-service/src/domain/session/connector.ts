/**
 * The connector as a session shows it (`connector_status`, `charging_state`): live until the
 * connector is free, then frozen.
 *
 * While the session runs, the latest StatusNotification (by charger time) wins. After the session
 * ended, the charger still reports on the same connector (Finishing, then Available once the cable
 * is out); the session takes those reports until the first Available at or after its end, the
 * moment the connector became free, and ignores anything later (that is the connector's next use).
 * `charging_state` is the latest charging state (Charging, SuspendedEV, SuspendedEVSE, Finishing,
 * Faulted) up to that moment.
 *
 * Derived from the set of reports, so the result does not depend on the order they arrive in.
 */
import type { ChargingState } from '@app/contracts';
import { CHARGING_STATES } from '../session-events';
import { endedAt, type ConnectorReport, type SessionState } from './state';

/** How many reports a session keeps (the latest by charger time); enough for any real session. */
export const CONNECTOR_REPORTS_KEPT = 32;

const key = (r: ConnectorReport) => `${r.status}|${r.receivedAt}`;

/** `a` is after `b` by charger time; equal times break on status, then receive time. */
function after(a: ConnectorReport, b: ConnectorReport): boolean {
  const d = Date.parse(a.at) - Date.parse(b.at);
  return d > 0 || (d === 0 && key(a) > key(b));
}

export function sameReport(a: ConnectorReport, b: ConnectorReport): boolean {
  return a.status === b.status && a.at === b.at && a.receivedAt === b.receivedAt;
}

/** The charger time the connector became free after the session ended, or null. */
export function connectorFreedAt(s: SessionState): string | null {
  const end = endedAt(s);
  if (end === null) return null;
  let freed: string | null = null;
  for (const r of s.connectorReports) {
    if (
      r.status === 'Available' &&
      Date.parse(r.at) >= Date.parse(end) &&
      (freed === null || Date.parse(r.at) < Date.parse(freed))
    )
      freed = r.at;
  }
  return freed;
}

/**
 * An ended session whose connector has not reported free yet: the StatusNotifications of that
 * connector still belong to it (until another session starts there). For the routing of records.
 */
export function awaitsConnectorFree(s: SessionState): boolean {
  return (s.status === 'CLOSED' || s.status === 'INVALID') && connectorFreedAt(s) === null;
}

/** Adds a report (kept sorted, deduplicated, the latest CONNECTOR_REPORTS_KEPT) to `s` in place and derives the shown status. */
export function withConnectorReport<S extends SessionState>(s: S, report: ConnectorReport): S {
  if (!s.connectorReports.some((r) => sameReport(r, report))) {
    const reports = [...s.connectorReports, report].sort((a, b) => (after(a, b) ? 1 : after(b, a) ? -1 : 0));
    s.connectorReports =
      reports.length > CONNECTOR_REPORTS_KEPT ? reports.slice(-CONNECTOR_REPORTS_KEPT) : reports;
  }
  return withShownConnector(s);
}

/** Sets connectorStatus/chargingState (and their times) of `s` in place from its reports. */
export function withShownConnector<S extends SessionState>(s: S): S {
  const freed = connectorFreedAt(s);
  let shown: ConnectorReport | null = null;
  let charging: ConnectorReport | null = null;
  for (const r of s.connectorReports) {
    if (freed !== null && Date.parse(r.at) > Date.parse(freed)) continue;
    if (shown === null || after(r, shown)) shown = r;
    if (
      (CHARGING_STATES as readonly string[]).includes(r.status) &&
      (charging === null || after(r, charging))
    )
      charging = r;
  }
  s.connectorStatus = shown?.status ?? null;
  s.connectorStatusAt = shown?.at ?? null;
  s.connectorStatusReceivedAt = shown?.receivedAt ?? null;
  s.chargingState = (charging?.status as ChargingState | undefined) ?? null;
  s.chargingStateAt = charging?.at ?? null;
  return s;
}
