/**
 * What a charger looks like, folded from `ocpp.v16.events` (issue 12) and `ocpp.v201.events`
 * (issue 13: the same picture, 2.0.1 field names read here). Pure: no I/O, no clock. The
 * fold starts from the projection rows a batch loaded (chargers, connectors, registry entries),
 * applies the batch's records in partition order, and says which chargers' pictures changed: those
 * get one `ChargerStatusChanged` each on `chargers.status.v1`. A change of `lastMessageAt` alone
 * changes nothing worth publishing (a Heartbeat, a MeterValues): the API shows it fresh.
 */
import type {
  ChargerBootInfo,
  ChargerConnected,
  ChargerDisconnected,
  ChargerProtocol,
  ChargerStatus,
  ConnectorStatus,
  Envelope,
  Ocpp201CallReceived,
  OcppCallReceived,
} from '@app/contracts';
import type { ConnectorRow } from './ports';

/** A `chargers` projection row, as ingest folds it. */
export interface ChargerProjection {
  chargePointId: string;
  fleetId: string;
  /** Registered EVSE ids by connector (from ChargerConnected). */
  evseIds: Record<string, string>;
  protocol: ChargerProtocol;
  online: boolean;
  /** When `online` last changed. */
  onlineSince: string | null;
  gatewayId: string | null;
  /** The last connect or disconnect. */
  lastSeenAt: string;
  lastMessageAt: string | null;
  boot: ChargerBootInfo | null;
  firmware: { status: string; at: string } | null;
  diagnostics: { status: string; at: string } | null;
  /** When the picture last changed (ChargerStatus.updatedAt). */
  statusChangedAt: string | null;
  /** True once a ChargerConnected of this batch set `fleetId` and `evseIds` (else the store keeps its own). */
  registrationReported?: boolean;
}

/** What the registry (`charger_registry`, owner: the operator API) says of a charger. */
export interface RegistryEntry {
  chargePointId: string;
  fleetId: string;
  active: boolean;
  evseIds: Record<string, string>;
}

/** A connector's status as a StatusNotification reports it. */
export interface ConnectorReport {
  connectorId: number;
  status: string;
  errorCode: string | null;
  info: string | null;
  vendorId: string | null;
  vendorErrorCode: string | null;
  /** The charger's timestamp, else when the gateway received it. */
  at: string;
}

type Rec = Record<string, unknown>;
const text = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
/** As ISO-8601 UTC (the same instant): contract timestamps may carry an offset. */
const utc = (t: string) => new Date(t).toISOString();
const later = (a: string | null, b: string): string => (a && Date.parse(a) > Date.parse(b) ? a : b);

/** OCPP 1.6 actions that can change a charger's picture (the rest only move lastMessageAt). */
const STATUS_ACTIONS: ReadonlySet<string> = new Set([
  'BootNotification',
  'StatusNotification',
  'FirmwareStatusNotification',
  'DiagnosticsStatusNotification',
  // The connector's session id.
  'StartTransaction',
]);

/** The same for OCPP 2.0.1 (no diagnostics: 2.0.1 has log uploads, not part of the picture). */
const STATUS_ACTIONS_201: ReadonlySet<string> = new Set([
  'BootNotification',
  'StatusNotification',
  'FirmwareStatusNotification',
]);

/**
 * Whether a record can change a charger's picture: a batch with one loads its chargers' whole
 * state (projection rows, connectors, registry entries); a batch without only moves lastMessageAt.
 * A 2.0.1 TransactionEvent `Started` sets its EVSE's session id; a later event that turns out to
 * start a session (its Started had no meter reading, or was lost) is found by ingest, which knows
 * the batch's sessions (ingest-ocpp-events.ts).
 */
export function affectsChargerStatus(env: Pick<Envelope, 'type' | 'data'>): boolean {
  if (env.type === 'ChargerConnected' || env.type === 'ChargerDisconnected') return true;
  if (env.type === 'Ocpp201CallReceived') {
    const d = env.data as Ocpp201CallReceived;
    return (
      STATUS_ACTIONS_201.has(d.action) ||
      (d.action === 'TransactionEvent' && (d.payload as Rec).eventType === 'Started')
    );
  }
  return env.type === 'OcppCallReceived' && STATUS_ACTIONS.has((env.data as OcppCallReceived).action);
}

/** The BootNotification's data (1.6 field names); bootedAt = when the gateway received it. */
export function bootInfoOf(payload: Rec, receivedAt: string): ChargerBootInfo {
  return {
    vendor: text(payload.chargePointVendor) ?? '',
    model: text(payload.chargePointModel) ?? '',
    chargePointSerialNumber: text(payload.chargePointSerialNumber),
    chargeBoxSerialNumber: text(payload.chargeBoxSerialNumber),
    firmwareVersion: text(payload.firmwareVersion),
    iccid: text(payload.iccid),
    imsi: text(payload.imsi),
    meterType: text(payload.meterType),
    meterSerialNumber: text(payload.meterSerialNumber),
    bootedAt: utc(receivedAt),
  };
}

/** A 2.0.1 BootNotification's data in the same shape: 2.0.1 has no charge box serial nor meter fields. */
export function bootInfoOf201(payload: Rec, receivedAt: string): ChargerBootInfo {
  const station = (payload.chargingStation ?? {}) as Rec;
  const modem = (station.modem ?? {}) as Rec;
  return {
    vendor: text(station.vendorName) ?? '',
    model: text(station.model) ?? '',
    chargePointSerialNumber: text(station.serialNumber),
    chargeBoxSerialNumber: null,
    firmwareVersion: text(station.firmwareVersion),
    iccid: text(modem.iccid),
    imsi: text(modem.imsi),
    meterType: null,
    meterSerialNumber: null,
    bootedAt: utc(receivedAt),
  };
}

/**
 * Applies a StatusNotification to a connector row: the report with the latest timestamp wins,
 * whatever the delivery order (a charger replays queued reports after a reconnect). Returns
 * whether it applied.
 */
export function applyConnectorReport(row: ConnectorRow, report: ConnectorReport): boolean {
  if (row.statusAt && Date.parse(report.at) < Date.parse(row.statusAt)) return false;
  row.status = report.status;
  row.statusAt = report.at;
  row.errorCode = report.errorCode;
  row.info = report.info;
  row.vendorId = report.vendorId;
  row.vendorErrorCode = report.vendorErrorCode;
  return true;
}

/**
 * The whole picture of one charger: the projection (null for a registered charger that never
 * connected), its connector rows and its registry entry (null for one that connected without:
 * dev auto-registration). Connectors are those the projection has plus the registry's EVSE ids not
 * seen yet, by connectorId.
 */
export function chargerStatusOf(
  chargePointId: string,
  charger: ChargerProjection | null,
  connectors: readonly ConnectorRow[],
  registry: RegistryEntry | null,
  fallbackUpdatedAt: string,
): ChargerStatus {
  const byId = new Map<number, ConnectorStatus>();
  for (const c of connectors) {
    byId.set(c.connectorId, {
      connectorId: c.connectorId,
      evseId: c.evse,
      status: c.status,
      errorCode: c.errorCode,
      info: c.info,
      vendorId: c.vendorId,
      vendorErrorCode: c.vendorErrorCode,
      since: c.statusAt,
      sessionId: c.lastSessionId,
    });
  }
  for (const [id, evse] of Object.entries(registry?.evseIds ?? {})) {
    const n = Number(id);
    if (!Number.isSafeInteger(n) || n < 0 || byId.has(n)) continue;
    byId.set(n, {
      connectorId: n,
      evseId: evse,
      status: null,
      errorCode: null,
      info: null,
      vendorId: null,
      vendorErrorCode: null,
      since: null,
      sessionId: null,
    });
  }
  const online = charger?.online ?? false;
  return {
    chargePointId,
    fleetId: registry?.fleetId ?? charger?.fleetId ?? '',
    protocol: charger?.protocol ?? 'ocpp1.6',
    active: registry?.active ?? true,
    online,
    onlineSince: charger?.onlineSince ?? null,
    lastMessageAt: charger?.lastMessageAt ?? null,
    gatewayId: online ? (charger?.gatewayId ?? null) : null,
    boot: charger?.boot ?? null,
    connectors: [...byId.values()].sort((a, b) => a.connectorId - b.connectorId),
    firmware: charger?.firmware ?? null,
    diagnostics: charger?.diagnostics ?? null,
    updatedAt: charger?.statusChangedAt ?? fallbackUpdatedAt,
  };
}

/**
 * The part of a picture whose change is published: all but lastMessageAt and updatedAt. Ingest and
 * the registry (charger-registry-status.ts) publish a picture only when this part changed.
 */
export function publishedPart(s: ChargerStatus): string {
  return JSON.stringify({ ...s, lastMessageAt: null, updatedAt: null });
}

/**
 * One batch's fold of the charger side of `ocpp.v16.events` or `ocpp.v201.events`. Records go through `apply` in
 * partition order; ingest applies the connector reports its routing found (`report`) and sets the
 * connectors' session ids (`connector(...).lastSessionId`). `changes()` then names the chargers
 * whose picture changed, with the new picture.
 */
export class ChargerStatusFold {
  private readonly chargers = new Map<string, ChargerProjection>();
  private readonly connectors = new Map<string, Map<number, ConnectorRow>>();
  private readonly registry = new Map<string, RegistryEntry>();
  /** The published part of each touched charger's picture before the batch (null: no picture). */
  private readonly before = new Map<string, string | null>();
  /** The latest record time of each touched charger (the new picture's updatedAt). */
  private readonly asOf = new Map<string, string>();
  private readonly touchedConnectorKeys = new Set<string>();
  private readonly touchedChargers = new Set<string>();
  /** The last record of each charger in the batch: the seed of its status event's id. */
  private readonly lastRecord = new Map<string, string>();

  /** Without the whole state (a batch of no status record), CALLs only move lastMessageAt. */
  private readonly lastMessages = new Map<string, { fleetId: string; at: string }>();

  /**
   * `loaded`: the chargers' whole state of the batch is here (rows absent from the lists do not
   * exist). When false (no record of the batch affects a picture: see affectsChargerStatus), only
   * the last message times are folded.
   */
  constructor(
    chargers: readonly ChargerProjection[] = [],
    connectors: readonly ConnectorRow[] = [],
    registry: readonly RegistryEntry[] = [],
    private readonly loaded = true,
  ) {
    for (const c of chargers) this.chargers.set(c.chargePointId, { ...c });
    for (const c of connectors) this.connectorsOf(c.chargePointId).set(c.connectorId, { ...c });
    for (const r of registry) this.registry.set(r.chargePointId, r);
  }

  private connectorsOf(cp: string): Map<number, ConnectorRow> {
    let m = this.connectors.get(cp);
    if (!m) this.connectors.set(cp, (m = new Map()));
    return m;
  }

  private pictureOf(cp: string): ChargerStatus | null {
    const charger = this.chargers.get(cp) ?? null;
    const connectors = [...(this.connectors.get(cp)?.values() ?? [])];
    if (!charger && connectors.length === 0) return null;
    return chargerStatusOf(cp, charger, connectors, this.registry.get(cp) ?? null, '');
  }

  /** Remembers the picture before the first change of this charger in the batch. */
  private touch(cp: string, at: string, recordId?: string): void {
    if (!this.before.has(cp)) {
      const p = this.pictureOf(cp);
      this.before.set(cp, p ? publishedPart(p) : null);
    }
    this.asOf.set(cp, later(this.asOf.get(cp) ?? null, utc(at)));
    if (recordId) this.lastRecord.set(cp, recordId);
  }

  /** `protocol`: a new row's, until a ChargerConnected says (a known row keeps its own). */
  private chargerRow(
    cp: string,
    fleetId: string,
    at: string,
    protocol: ChargerProtocol = 'ocpp1.6',
  ): ChargerProjection {
    let c = this.chargers.get(cp);
    if (!c) {
      c = {
        chargePointId: cp,
        fleetId,
        evseIds: {},
        protocol,
        online: false,
        onlineSince: null,
        gatewayId: null,
        lastSeenAt: at,
        lastMessageAt: null,
        boot: null,
        firmware: null,
        diagnostics: null,
        statusChangedAt: null,
      };
      this.chargers.set(cp, c);
    }
    this.touchedChargers.add(cp);
    return c;
  }

  /** The connector row (a new one when unknown), marked for writing. */
  connector(cp: string, connectorId: number, fleetId: string, at: string): ConnectorRow {
    this.touch(cp, at);
    const m = this.connectorsOf(cp);
    let c = m.get(connectorId);
    if (!c) {
      c = {
        chargePointId: cp,
        connectorId,
        fleetId,
        evse: null,
        status: null,
        statusAt: null,
        errorCode: null,
        info: null,
        vendorId: null,
        vendorErrorCode: null,
        lastSessionId: null,
      };
      m.set(connectorId, c);
    }
    this.touchedConnectorKeys.add(`${cp}:${connectorId}`);
    return c;
  }

  /** The registered EVSE id of a connector, else `{chargePointId}*{connectorId}`. */
  evseOf(cp: string, connectorId: number): string {
    return this.connectors.get(cp)?.get(connectorId)?.evse ?? `${cp}*${connectorId}`;
  }

  /** A StatusNotification's report (routing found it): the latest timestamp wins. */
  report(cp: string, fleetId: string, report: ConnectorReport, recordId: string): void {
    const c = this.connector(cp, report.connectorId, fleetId, report.at);
    this.lastRecord.set(cp, recordId);
    applyConnectorReport(c, report);
    c.fleetId = fleetId;
  }

  /** The charger-level meaning of a record: connection changes, boot, firmware, diagnostics, last message. */
  apply(env: Envelope): void {
    switch (env.type) {
      case 'ChargerConnected': {
        const d = env.data as ChargerConnected;
        const at = utc(d.connectedAt);
        this.touch(d.chargePointId, at, env.id);
        const c = this.chargerRow(d.chargePointId, d.fleetId, at);
        // A late connect of a connection another replica has since replaced changes nothing.
        if (!(c.online && c.onlineSince && Date.parse(at) < Date.parse(c.onlineSince))) {
          c.online = true;
          c.onlineSince = at;
          c.gatewayId = d.gatewayId;
          // Only the standing connection's: a charger may come back speaking the other protocol.
          c.protocol = d.protocol ?? 'ocpp1.6';
        }
        c.fleetId = d.fleetId;
        c.evseIds = d.evseIds;
        c.registrationReported = true;
        c.lastSeenAt = later(c.lastSeenAt, at);
        for (const [id, evse] of Object.entries(d.evseIds)) {
          const n = Number(id);
          if (!Number.isSafeInteger(n) || n <= 0) continue;
          const conn = this.connector(d.chargePointId, n, d.fleetId, at);
          conn.evse = evse;
          conn.evseReported = true;
        }
        break;
      }
      case 'ChargerDisconnected': {
        const d = env.data as ChargerDisconnected;
        const at = utc(d.disconnectedAt);
        this.touch(d.chargePointId, at, env.id);
        const c = this.chargerRow(d.chargePointId, d.fleetId, at);
        // The charger went on on another replica: that replica's connection still stands.
        const heldElsewhere = c.online && c.gatewayId !== null && c.gatewayId !== d.gatewayId;
        // A disconnect from before the standing connection began ends an earlier one: a station
        // that came back with the other protocol has its records on the other topic, folded in
        // any order relative to these.
        const earlier = c.online && c.onlineSince !== null && Date.parse(at) < Date.parse(c.onlineSince);
        if (c.online && !heldElsewhere && !earlier) {
          c.online = false;
          c.onlineSince = at;
          c.gatewayId = null;
        } else if (!c.online && c.onlineSince === null) c.onlineSince = at;
        c.lastSeenAt = later(c.lastSeenAt, at);
        break;
      }
      case 'OcppCallReceived':
      case 'Ocpp201CallReceived': {
        const v201 = env.type === 'Ocpp201CallReceived';
        const d = env.data as OcppCallReceived | Ocpp201CallReceived;
        const at = utc(d.receivedAt);
        const known = this.chargers.has(d.chargePointId);
        if (!this.loaded || (!known && !(v201 ? STATUS_ACTIONS_201 : STATUS_ACTIONS).has(d.action))) {
          // Only the stored row's lastMessageAt moves (a charger without a row gets none from a
          // Heartbeat: its connect or first status report makes it).
          const m = this.lastMessages.get(d.chargePointId);
          this.lastMessages.set(d.chargePointId, { fleetId: d.fleetId, at: later(m?.at ?? null, at) });
          break;
        }
        if (
          !known ||
          d.action === 'BootNotification' ||
          d.action === 'FirmwareStatusNotification' ||
          d.action === 'DiagnosticsStatusNotification'
        )
          this.touch(d.chargePointId, at, env.id);
        // A station first seen through its calls (its connect not folded yet) speaks the calls' protocol.
        const c = this.chargerRow(d.chargePointId, d.fleetId, at, v201 ? 'ocpp2.0.1' : 'ocpp1.6');
        c.lastMessageAt = later(c.lastMessageAt, at);
        const payload = d.payload as Rec;
        if (d.action === 'BootNotification') {
          if (!c.boot || Date.parse(at) >= Date.parse(c.boot.bootedAt))
            c.boot = v201 ? bootInfoOf201(payload, at) : bootInfoOf(payload, at);
        } else if (
          d.action === 'FirmwareStatusNotification' ||
          d.action === 'DiagnosticsStatusNotification'
        ) {
          const status = text(payload.status);
          const key = d.action === 'FirmwareStatusNotification' ? 'firmware' : 'diagnostics';
          const current = c[key];
          if (status && (!current || Date.parse(at) >= Date.parse(current.at))) c[key] = { status, at };
        }
        break;
      }
      default:
        break;
    }
  }

  /** The last message time of each charger of a batch folded without its state. */
  lastMessageTimes(): { chargePointId: string; fleetId: string; at: string }[] {
    return [...this.lastMessages].map(([chargePointId, m]) => ({ chargePointId, ...m }));
  }

  /** Connector rows to write: those a record of the batch touched. */
  touchedConnectors(): ConnectorRow[] {
    return [...this.touchedConnectorKeys].map((k) => {
      const i = k.lastIndexOf(':');
      return this.connectors.get(k.slice(0, i))!.get(Number(k.slice(i + 1)))!;
    });
  }

  /** Charger rows to write: every charger a record of the batch named (lastMessageAt at least). */
  chargerRows(): ChargerProjection[] {
    return [...this.touchedChargers].map((cp) => this.chargers.get(cp)!);
  }

  /**
   * The chargers whose picture changed in the batch, each with its new picture (updatedAt: the
   * latest record time of the charger in the batch) and the id of its last record. Sets the
   * projection's `statusChangedAt` of those, so call it before writing the rows.
   */
  changes(): { status: ChargerStatus; lastRecordId: string }[] {
    const out: { status: ChargerStatus; lastRecordId: string }[] = [];
    for (const [cp, before] of this.before) {
      const after = this.pictureOf(cp);
      if (!after || publishedPart(after) === before) continue;
      const at = this.asOf.get(cp)!;
      const charger = this.chargers.get(cp);
      if (charger) charger.statusChangedAt = at;
      out.push({ status: { ...after, updatedAt: at }, lastRecordId: this.lastRecord.get(cp) ?? cp });
    }
    return out;
  }
}
