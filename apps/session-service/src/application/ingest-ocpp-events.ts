import type {
  ChargerConnected,
  ChargerDisconnected,
  Envelope,
  OcppCallReceived,
  TariffPublished,
} from '@app/contracts';
import { runAll } from '@app/event-store';
import { awaitsConnectorFree, isOpen, type SessionState } from '../domain/session';
import type {
  AnomalyRow,
  ChargerRepository,
  ChargerRow,
  ConnectorRow,
  LoadedSession,
  SessionRepository,
  Tx,
} from './ports';
import { routeOcppCall } from './route-ocpp-record';
import { SessionUnitOfWork } from './session-unit-of-work';

export interface IngestResult {
  /** Sessions that got new events (for webhooks, relay wake-up, metrics). */
  changed: SessionState[];
  anomalies: number;
  ignored: number;
}

type Rec = Record<string, unknown>;
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
/** As ISO-8601 UTC (the same instant): contract timestamps may carry an offset. */
const utc = (t: string) => new Date(t).toISOString();

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
    // Every event of the topic names its charger (checked at the consumer's edge).
    cps.add((env.data as { chargePointId: string }).chargePointId);
    if (env.type === 'OcppCallReceived') {
      const call = env as Envelope<OcppCallReceived>;
      calls.push(call);
      // The payload is an object (the edge check); its fields are the charger's, checked where used.
      const tx =
        call.data.action === 'StartTransaction'
          ? int((call.data.reply as Rec).transactionId)
          : int((call.data.payload as Rec).transactionId);
      if (tx !== null) txs.push({ cp: call.data.chargePointId, tx });
      if (call.data.action === 'StartTransaction') needTariffs = true;
    }
  }
  return { calls, cps, txs, needTariffs };
}

/**
 * Folds a batch of `ocpp.v16.events` records into session aggregates, connectors and chargers.
 * The envelopes passed the contract check at the consumer's edge (envelope-validation.ts): their
 * `data` has the contract's shape; an OCPP payload is an object whose fields are the charger's.
 * inside the caller's transaction (which also stores the Kafka offsets). Records must be in
 * partition order; a charger's records are all on one partition.
 */
export class IngestOcppEvents {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly chargers: ChargerRepository,
  ) {}

  /**
   * The reads of a batch: open sessions of its chargers (and those holding its transaction ids),
   * and their connector rows when the batch needs them. `handle` may run on a subset of these
   * envelopes (records processed before are dropped after the offset claim); what is read for the
   * whole batch covers any subset.
   */
  async prepare(client: Tx, envelopes: Envelope[]): Promise<IngestReads> {
    const { cps, txs } = scan(envelopes);
    const cpList = [...cps];
    // MeterValues-only batches (most of them while sessions run) need no connector rows.
    const needConnectors = envelopes.some(
      (e) =>
        e.type === 'ChargerConnected' ||
        (e.type === 'OcppCallReceived' &&
          ['StartTransaction', 'StatusNotification'].includes((e.data as OcppCallReceived).action)),
    );
    // A StatusNotification after a session's end (Finishing, Available) still belongs to it: load
    // the newest session of each connector too.
    const statusReports = envelopes.some(
      (e) => e.type === 'OcppCallReceived' && (e.data as OcppCallReceived).action === 'StatusNotification',
    );
    const [sessions, connectors] = await runAll(client, [
      () => this.sessions.loadForChargers(client, cpList, txs, statusReports),
      () =>
        needConnectors ? this.chargers.loadConnectors(client, cpList) : Promise.resolve([] as ConnectorRow[]),
    ]);
    return { sessions, connectors };
  }

  async handle(client: Tx, envelopes: Envelope[], reads?: IngestReads): Promise<IngestResult> {
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
          lastSessionId: null,
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
          // Shape guaranteed by the contract (ocpp.charger-connected/v1), checked at the consumer's edge.
          const d = env.data as ChargerConnected;
          chargers.set(d.chargePointId, {
            chargePointId: d.chargePointId,
            fleetId: d.fleetId,
            evseIds: d.evseIds,
            connected: true,
            gatewayId: d.gatewayId,
            lastSeenAt: utc(d.connectedAt),
          });
          for (const [id, evse] of Object.entries(d.evseIds)) {
            const n = Number(id);
            if (Number.isSafeInteger(n) && n > 0) connector(d.chargePointId, n, d.fleetId).evse = evse;
          }
          break;
        }
        case 'ChargerDisconnected': {
          const d = env.data as ChargerDisconnected;
          const known = chargers.get(d.chargePointId);
          if (known) known.connected = false;
          else {
            // Keep the registered EVSE ids: the upsert only flips `connected`.
            chargers.set(d.chargePointId, {
              chargePointId: d.chargePointId,
              fleetId: d.fleetId,
              evseIds: {},
              connected: false,
              gatewayId: d.gatewayId,
              lastSeenAt: utc(d.disconnectedAt),
            });
          }
          break;
        }
        case 'OcppCallReceived': {
          const call = env as Envelope<OcppCallReceived>;
          const route = routeOcppCall(call, uow, { evseOf, tariffs });
          if (!route.relevant) ignored++;
          for (const effect of route.effects) {
            if (effect.kind === 'session') {
              uow.execute(effect.sessionId, effect.command, env.id);
              if (effect.command.type === 'RecordStartTransaction') {
                const c = connector(call.data.chargePointId, effect.command.connectorId, call.data.fleetId);
                c.lastSessionId = effect.sessionId;
              }
            } else if (effect.kind === 'anomaly')
              anomalies.push({
                sourceEventId: env.id,
                fleetId: call.data.fleetId,
                chargePointId: call.data.chargePointId,
                kind: effect.anomaly,
                detail: effect.detail,
              });
            else {
              // The latest charger report wins, whatever the delivery order.
              const c = connector(call.data.chargePointId, effect.connectorId, call.data.fleetId);
              if (!c.statusAt || Date.parse(effect.at) >= Date.parse(c.statusAt)) {
                c.status = effect.status;
                c.statusAt = effect.at;
                c.errorCode = effect.errorCode;
              }
              c.fleetId = call.data.fleetId;
            }
          }
          break;
        }
        default:
          ignored++;
      }
    }

    // Once its connector is free, a connector's last session takes no more reports: forget it, so
    // later StatusNotification batches do not load it.
    for (const key of touchedConnectors) {
      const c = connectors.get(key)!;
      const last = c.lastSessionId ? uow.get(c.lastSessionId) : null;
      if (last && !isOpen(last) && !awaitsConnectorFree(last)) c.lastSessionId = null;
    }

    const [changed] = await runAll(client, [
      () => this.sessions.save(client, uow),
      () =>
        this.chargers.saveConnectors(
          client,
          [...touchedConnectors].map((k) => connectors.get(k)!),
        ),
      () => this.chargers.saveChargers(client, [...chargers.values()]),
      () => this.chargers.saveAnomalies(client, anomalies),
    ]);
    return { changed, anomalies: anomalies.length, ignored };
  }
}
