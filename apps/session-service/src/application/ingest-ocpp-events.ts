import type {
  ChargerConnected,
  ChargerDisconnected,
  Envelope,
  OcppCallReceived,
  TariffPublished,
} from '@app/contracts';
import { runAll, type Queryable } from '@app/event-store';
import { parseMeterValues } from '../domain/meter-values';
import { isCharging, type SessionState } from '../domain/session';
import { selectTariff } from '../domain/tariff-selection';
import type {
  AnomalyRow,
  ChargerRow,
  ChargerStore,
  ConnectorRow,
} from '../infrastructure/database/charger-store';
import type { SessionStore } from '../infrastructure/database/session-store';
import { nameUuid } from './ids';
import { SessionUnitOfWork, type LoadedSession } from './session-unit-of-work';

export interface IngestResult {
  /** Sessions that got new events (for webhooks, relay wake-up, metrics). */
  changed: SessionState[];
  anomalies: number;
  ignored: number;
}

type Rec = Record<string, unknown>;
const isObj = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
/** Charger times as ISO-8601 UTC (same instant); null when unparsable. */
function iso(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

export interface IngestReads {
  sessions: LoadedSession[];
  connectors: ConnectorRow[];
}

/** The chargers, transactions and calls a batch refers to. */
function scan(envelopes: Envelope[]) {
  const calls: Envelope<OcppCallReceived>[] = [];
  const cps = new Set<string>();
  const txs: { cp: string; tx: number }[] = [];
  let needTariffs = false;
  for (const env of envelopes) {
    const data = env.data as Rec;
    if (!isObj(data) || typeof data.chargePointId !== 'string') continue;
    cps.add(data.chargePointId);
    if (env.type === 'OcppCallReceived') {
      const call = env as Envelope<OcppCallReceived>;
      calls.push(call);
      const payload: Rec = isObj(call.data.payload) ? (call.data.payload as Rec) : {};
      const tx =
        call.data.action === 'StartTransaction'
          ? int((call.data.reply as Rec)?.transactionId)
          : int(payload.transactionId);
      if (tx !== null) txs.push({ cp: call.data.chargePointId, tx });
      if (call.data.action === 'StartTransaction') needTariffs = true;
    }
  }
  return { calls, cps, txs, needTariffs };
}

/**
 * Folds a batch of `ocpp.v16.events` records into session aggregates, connectors and chargers,
 * inside the caller's transaction (which also stores the Kafka offsets). Records must be in
 * partition order; a charger's records are all on one partition.
 */
export class IngestOcppEvents {
  constructor(
    private readonly sessions: SessionStore,
    private readonly chargers: ChargerStore,
  ) {}

  /**
   * The reads of a batch: open sessions of its chargers (and those holding its transaction ids),
   * and their connector rows when the batch needs them. `handle` may run on a subset of these
   * envelopes (records processed before are dropped after the offset claim); what is read for the
   * whole batch covers any subset.
   */
  async prepare(client: Queryable, envelopes: Envelope[]): Promise<IngestReads> {
    const { cps, txs } = scan(envelopes);
    const cpList = [...cps];
    // MeterValues-only batches (most of them while sessions run) need no connector rows.
    const needConnectors = envelopes.some(
      (e) =>
        e.type === 'ChargerConnected' ||
        (e.type === 'OcppCallReceived' &&
          ['StartTransaction', 'StatusNotification'].includes((e.data as OcppCallReceived).action)),
    );
    const [sessions, connectors] = await runAll(client, [
      () => this.sessions.loadForChargers(client, cpList, txs),
      () =>
        needConnectors ? this.chargers.loadConnectors(client, cpList) : Promise.resolve([] as ConnectorRow[]),
    ]);
    return { sessions, connectors };
  }

  async handle(client: Queryable, envelopes: Envelope[], reads?: IngestReads): Promise<IngestResult> {
    const { calls, cps, needTariffs } = scan(envelopes);
    const cpList = [...cps];
    const connectors = new Map<string, ConnectorRow>();
    const { sessions: loaded, connectors: connectorRows } = reads ?? (await this.prepare(client, envelopes));
    const uow = new SessionUnitOfWork(loaded);
    for (const c of connectorRows) connectors.set(`${c.chargePointId}:${c.connectorId}`, c);
    const touchedConnectors = new Set<string>();
    const chargers = new Map<string, ChargerRow>();
    const anomalies: AnomalyRow[] = [];
    let tariffs: TariffPublished[] = [];
    if (needTariffs) {
      const fleets = new Set<string>();
      const evses = new Set<string>();
      for (const c of calls) {
        if (c.data.action !== 'StartTransaction') continue;
        fleets.add(c.data.fleetId);
        const conn = int((c.data.payload as Rec).connectorId);
        const reg = connectors.get(`${c.data.chargePointId}:${conn}`)?.evse;
        evses.add(reg ?? `${c.data.chargePointId}*${conn}`);
      }
      // EVSE ids registered in this very batch (ChargerConnected) are covered by the fleet/charger lookups
      // plus the fallback ids; an EVSE-scoped tariff for them applies from the next batch on.
      tariffs = await this.chargers.loadCandidateTariffs(client, [...fleets], cpList, [...evses]);
    }

    const connector = (cp: string, id: number, fleetId: string): ConnectorRow => {
      const key = `${cp}:${id}`;
      let c = connectors.get(key);
      if (!c) {
        c = {
          chargePointId: cp,
          connectorId: id,
          fleetId,
          evse: null,
          status: null,
          statusAt: null,
          errorCode: null,
        };
        connectors.set(key, c);
      }
      touchedConnectors.add(key);
      return c;
    };
    const evseOf = (cp: string, id: number) => connectors.get(`${cp}:${id}`)?.evse ?? `${cp}*${id}`;

    let ignored = 0;
    for (const env of envelopes) {
      switch (env.type) {
        case 'ChargerConnected': {
          const d = env.data as ChargerConnected;
          if (typeof d.chargePointId !== 'string' || typeof d.fleetId !== 'string') {
            ignored++;
            break;
          }
          const evseIds = isObj(d.evseIds) ? (d.evseIds as Record<string, string>) : {};
          chargers.set(d.chargePointId, {
            chargePointId: d.chargePointId,
            fleetId: d.fleetId,
            evseIds,
            connected: true,
            gatewayId: d.gatewayId ?? null,
            lastSeenAt: iso(d.connectedAt) ?? env.time,
          });
          for (const [id, evse] of Object.entries(evseIds)) {
            const n = Number(id);
            if (Number.isSafeInteger(n) && n > 0) connector(d.chargePointId, n, d.fleetId).evse = evse;
          }
          break;
        }
        case 'ChargerDisconnected': {
          const d = env.data as ChargerDisconnected;
          const known = chargers.get(d.chargePointId);
          if (known) known.connected = false;
          else if (typeof d.fleetId === 'string') {
            // Keep the registered EVSE ids: the upsert only flips `connected`.
            chargers.set(d.chargePointId, {
              chargePointId: d.chargePointId,
              fleetId: d.fleetId,
              evseIds: {},
              connected: false,
              gatewayId: d.gatewayId ?? null,
              lastSeenAt: iso(d.disconnectedAt) ?? env.time,
            });
          }
          break;
        }
        case 'OcppCallReceived':
          if (!this.call(env as Envelope<OcppCallReceived>, uow, connector, evseOf, tariffs, anomalies))
            ignored++;
          break;
        default:
          ignored++;
      }
    }

    const [changed] = await runAll(client, [
      () => this.sessions.save(client, uow),
      () =>
        this.chargers.saveConnectors(
          client,
          [...touchedConnectors].map((k) => connectors.get(k)!),
        ),
      () => this.saveChargers(client, [...chargers.values()]),
      () => this.chargers.saveAnomalies(client, anomalies),
    ]);
    return { changed, anomalies: anomalies.length, ignored };
  }

  private async saveChargers(client: Queryable, rows: ChargerRow[]): Promise<void> {
    // A disconnect without a connect in this batch must not wipe the registered EVSE ids.
    const connects = rows.filter((r) => r.connected || Object.keys(r.evseIds).length > 0);
    const disconnects = rows.filter((r) => !connects.includes(r));
    await this.chargers.saveChargers(client, connects);
    for (const d of disconnects) {
      await client.query(
        `insert into chargers (charge_point_id, fleet_id, connected, gateway_id, last_seen_at) values ($1, $2, false, $3, $4)
         on conflict (charge_point_id) do update set connected = false, last_seen_at = greatest(chargers.last_seen_at, excluded.last_seen_at)`,
        [d.chargePointId, d.fleetId, d.gatewayId, d.lastSeenAt],
      );
    }
  }

  /** Returns false when the record carries nothing for sessions (Heartbeat, BootNotification, ...). */
  private call(
    env: Envelope<OcppCallReceived>,
    uow: SessionUnitOfWork,
    connector: (cp: string, id: number, fleetId: string) => ConnectorRow,
    evseOf: (cp: string, id: number) => string,
    tariffs: TariffPublished[],
    anomalies: AnomalyRow[],
  ): boolean {
    const d = env.data;
    const cp = d.chargePointId;
    const payload: Rec = isObj(d.payload) ? d.payload : {};
    const receivedAt = iso(d.receivedAt) ?? env.time;
    const anomaly = (kind: string, detail: Rec) =>
      anomalies.push({
        sourceEventId: env.id,
        fleetId: d.fleetId,
        chargePointId: cp,
        kind,
        detail: { action: d.action, messageId: d.messageId, ...detail },
      });

    switch (d.action) {
      case 'StartTransaction': {
        const connectorId = int(payload.connectorId);
        const transactionId = int((d.reply as Rec)?.transactionId);
        const meterStart = int(payload.meterStart);
        const idTag = typeof payload.idTag === 'string' ? payload.idTag : '';
        if (connectorId === null || transactionId === null || meterStart === null) {
          anomaly('MALFORMED_START', { payload, reply: d.reply });
          return true;
        }
        const timestamp = iso(payload.timestamp) ?? receivedAt;
        const existing = uow.byTransaction(cp, transactionId);
        const remote =
          existing ??
          uow.openOnConnector(
            cp,
            connectorId,
            (s) => (s.status === 'STARTING' || s.status === 'PREPARING') && s.idTag === idTag,
          );
        const sessionId = remote?.sessionId ?? nameUuid('local-session', env.id);
        const evse = remote?.evse ?? evseOf(cp, connectorId);
        const tariff = selectTariff(tariffs, { fleetId: d.fleetId, chargePointId: cp, evse }, timestamp);
        uow.execute(
          sessionId,
          {
            type: 'RecordStartTransaction',
            sessionId,
            fleetId: d.fleetId,
            chargePointId: cp,
            connectorId,
            evse,
            transactionId,
            idTag,
            meterStartWh: meterStart,
            timestamp,
            receivedAt,
            tariff,
          },
          env.id,
        );
        return true;
      }
      case 'MeterValues': {
        const connectorId = int(payload.connectorId);
        const tx = int(payload.transactionId);
        const session =
          (tx !== null ? uow.byTransaction(cp, tx) : null) ??
          (connectorId !== null && tx === null ? uow.openOnConnector(cp, connectorId, isCharging) : null);
        if (!session) return false; // readings outside a transaction: nothing to bill
        const { readings, signed } = parseMeterValues(payload.meterValue);
        uow.execute(session.sessionId, { type: 'RecordMeterValues', readings, signed, receivedAt }, env.id);
        return true;
      }
      case 'StatusNotification': {
        const connectorId = int(payload.connectorId);
        const status = typeof payload.status === 'string' ? payload.status : null;
        if (connectorId === null || status === null) return false;
        const timestamp = iso(payload.timestamp);
        const c = connector(cp, connectorId, d.fleetId);
        const at = timestamp ?? receivedAt;
        if (!c.statusAt || Date.parse(at) >= Date.parse(c.statusAt)) {
          c.status = status;
          c.statusAt = at;
          c.errorCode = typeof payload.errorCode === 'string' ? payload.errorCode : null;
        }
        c.fleetId = d.fleetId;
        if (connectorId === 0) return true; // the whole charger
        const session = uow.openOnConnector(cp, connectorId, isCharging);
        if (session)
          uow.execute(
            session.sessionId,
            { type: 'RecordStatusNotification', connectorStatus: status, timestamp, receivedAt },
            env.id,
          );
        return true;
      }
      case 'StopTransaction': {
        const tx = int(payload.transactionId);
        const meterStop = int(payload.meterStop);
        const timestamp = iso(payload.timestamp) ?? receivedAt;
        const session = tx !== null ? uow.byTransaction(cp, tx) : null;
        if (!session || meterStop === null) {
          // Confirmed to the charger by the gateway (it would retry forever otherwise); kept for a human.
          anomaly(session ? 'MALFORMED_STOP' : 'STOP_FOR_UNKNOWN_TRANSACTION', {
            transactionId: tx,
            meterStop,
            timestamp,
            rawFrame: d.rawFrame,
          });
          return true;
        }
        if (session.status === 'CLOSED' && session.stop.stopReason === 'INFERRED') {
          // The charger's real stop came after the session was closed on its last meter value
          // (connector Available past STOP_GRACE_MINUTES). The bill stands; finance needs to see
          // the charger's own meterStop to decide on a correction.
          anomaly('STOP_AFTER_INFERRED_CLOSE', {
            sessionId: session.sessionId,
            transactionId: tx,
            meterStop,
            inferredMeterStop: session.stop.meterStopWh,
            timestamp,
            rawFrame: d.rawFrame,
          });
        }
        const { readings, signed } = parseMeterValues(payload.transactionData);
        uow.execute(
          session.sessionId,
          {
            type: 'RecordStopTransaction',
            transactionId: tx!,
            meterStopWh: meterStop,
            timestamp,
            receivedAt,
            reason: typeof payload.reason === 'string' ? payload.reason : null,
            signed,
            readings,
          },
          env.id,
        );
        return true;
      }
      default:
        return false;
    }
  }
}
