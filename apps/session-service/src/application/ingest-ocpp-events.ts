import {
  nameUuid,
  type ChargerRegistryApplied,
  type Envelope,
  type Ocpp201CallReceived,
  type OcppCallReceived,
  type TariffPublished,
} from '@app/contracts';
import { runAll } from '@app/event-store';
import { awaitsConnectorFree, isOpen, type SessionState } from '../domain/session';
import {
  affectsChargerStatus,
  ChargerStatusFold,
  type ChargerProjection,
  type RegistryEntry,
} from './charger-status';
import type { ChargerStatusRepository } from './charger-status-ports';
import type {
  AnomalyRow,
  ChargerRepository,
  ConnectorRow,
  LoadedSession,
  SessionRepository,
  Tx,
} from './ports';
import { routeOcppCall, type RecordRoute } from './route-ocpp-record';
import { routeOcpp201Call, transactionNumberOf201 } from './route-ocpp201-record';
import { SessionUnitOfWork } from './session-unit-of-work';

export interface IngestResult {
  /** Sessions that got new events (for webhooks, relay wake-up, metrics). */
  changed: SessionState[];
  anomalies: number;
  ignored: number;
  /** Chargers whose picture changed (one ChargerStatusChanged each, in the status outbox). */
  chargerStatuses: number;
}

type Rec = Record<string, unknown>;
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);

export interface IngestReads {
  sessions: LoadedSession[];
  connectors: ConnectorRow[];
  /** Loaded when a record of the batch can change a charger's picture (affectsChargerStatus). */
  chargerState: {
    chargers: ChargerProjection[];
    registry: RegistryEntry[];
    statusVersions: Map<string, number>;
  } | null;
}

/** A 2.0.1 TransactionEvent's transaction number and EVSE, if it has them. */
function transaction201(call: Envelope<Ocpp201CallReceived>): { tx: number; evseId: number | null } | null {
  const tx = transactionNumberOf201(call);
  if (tx === null) return null;
  // The payload passed the topic's edge check; its fields are the station's, checked where used.
  return { tx, evseId: int(((call.data.payload as Rec).evse as Rec | undefined)?.id) };
}

/** The chargers, transactions and calls a batch refers to. */
function scan(envelopes: Envelope[]) {
  const calls: Envelope<OcppCallReceived>[] = [];
  const calls201: Envelope<Ocpp201CallReceived>[] = [];
  const cps = new Set<string>();
  const txs: { cp: string; tx: number }[] = [];
  let needTariffs = false;
  for (const env of envelopes) {
    // Every event of the topic names its charger (checked at the consumer's edge).
    cps.add((env.data as { chargePointId: string }).chargePointId);
    if (env.type === 'Ocpp201CallReceived') {
      const call = env as Envelope<Ocpp201CallReceived>;
      calls201.push(call);
      const t = transaction201(call);
      if (t) txs.push({ cp: call.data.chargePointId, tx: t.tx });
    } else if (env.type === 'OcppCallReceived') {
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
  return { calls, calls201, cps, txs, needTariffs };
}

/**
 * The 2.0.1 TransactionEvents of a batch that may start a session: those of a transaction no
 * loaded session holds (any event of an unknown transaction can be its first one the routing
 * starts a session on: a Started without a meter reading waits for the next event with one).
 */
function possibleStarts201(
  calls: Envelope<Ocpp201CallReceived>[],
  sessions: LoadedSession[],
): { call: Envelope<Ocpp201CallReceived>; evseId: number | null }[] {
  if (calls.length === 0) return [];
  const held = new Set(
    sessions.flatMap((s) =>
      s.state.start && s.state.chargePointId
        ? [`${s.state.chargePointId}:${s.state.start.transactionId}`]
        : [],
    ),
  );
  return calls.flatMap((call) => {
    const t = transaction201(call);
    return t && !held.has(`${call.data.chargePointId}:${t.tx}`) ? [{ call, evseId: t.evseId }] : [];
  });
}

/**
 * Folds a batch of `ocpp.v16.events` or `ocpp.v201.events` records into session aggregates,
 * connectors and chargers (one protocol's records per batch: a batch is one partition's).
 * The envelopes passed the contract check at the consumer's edge (envelope-validation.ts): their
 * `data` has the contract's shape; an OCPP payload is an object whose fields are the charger's.
 * inside the caller's transaction (which also stores the Kafka offsets). Records must be in
 * partition order; a charger's records are all on one partition.
 */
export class IngestOcppEvents {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly chargers: ChargerRepository & ChargerStatusRepository,
  ) {}

  /**
   * The reads of a batch: open sessions of its chargers (and those holding its transaction ids),
   * and their connector rows when the batch needs them. `handle` may run on a subset of these
   * envelopes (records processed before are dropped after the offset claim); what is read for the
   * whole batch covers any subset.
   */
  async prepare(client: Tx, envelopes: Envelope[]): Promise<IngestReads> {
    const { calls201, cps, txs } = scan(envelopes);
    const cpList = [...cps];
    // MeterValues-only batches (most of them while sessions run; 2.0.1: TransactionEvent Updated)
    // need no connector rows, nor the chargers' pictures: they only move lastMessageAt.
    const needConnectors = envelopes.some(affectsChargerStatus);
    // A StatusNotification after a session's end (Finishing, Available) still belongs to it: load
    // the newest session of each connector too.
    const statusReports = envelopes.some(
      (e) =>
        (e.type === 'OcppCallReceived' || e.type === 'Ocpp201CallReceived') &&
        (e.data as OcppCallReceived | Ocpp201CallReceived).action === 'StatusNotification',
    );
    // The status streams' versions before the rows the pictures are built from (statements run in
    // this order): a registry change that appends a picture after this read (charger-registry-status.ts)
    // fails this batch's append (WrongExpectedVersionError, retried on fresh reads), so no picture is
    // built on a registry row older than the last published picture.
    const versions = () => this.chargers.loadStatusVersions(client, cpList);
    const connectorRows = () => this.chargers.loadConnectors(client, cpList);
    const chargerRows = () => this.chargers.loadChargers(client, cpList);
    const registryRows = () => this.chargers.loadRegistryEntries(client, cpList);
    if (!needConnectors) {
      const sessions = await this.sessions.loadForChargers(client, cpList, txs, statusReports);
      // A 2.0.1 session can start on any TransactionEvent of an unknown transaction: only the
      // sessions tell, so the chargers' state comes in a second round trip (a Started carries
      // affectsChargerStatus already; this is a Started without a meter reading, or a lost one).
      if (possibleStarts201(calls201, sessions).length === 0)
        return { sessions, connectors: [], chargerState: null };
      const [statusVersions, connectors, chargers, registry] = await runAll(client, [
        versions,
        connectorRows,
        chargerRows,
        registryRows,
      ]);
      return { sessions, connectors, chargerState: { chargers, registry, statusVersions } };
    }
    const [statusVersions, sessions, connectors, chargers, registry] = await runAll(client, [
      versions,
      () => this.sessions.loadForChargers(client, cpList, txs, statusReports),
      connectorRows,
      chargerRows,
      registryRows,
    ]);
    return { sessions, connectors, chargerState: { chargers, registry, statusVersions } };
  }

  async handle(client: Tx, envelopes: Envelope[], reads?: IngestReads): Promise<IngestResult> {
    const { calls, calls201, cps, needTariffs } = scan(envelopes);
    const cpList = [...cps];
    const {
      sessions: loaded,
      connectors: connectorRows,
      chargerState,
    } = reads ?? (await this.prepare(client, envelopes));
    const uow = new SessionUnitOfWork(loaded);
    const fold = new ChargerStatusFold(
      chargerState?.chargers,
      connectorRows,
      chargerState?.registry,
      chargerState !== null,
    );
    const applied = new Map<string, number>();
    const anomalies: AnomalyRow[] = [];
    let tariffs: TariffPublished[] = [];
    const starts201 = possibleStarts201(calls201, loaded);
    if (needTariffs || starts201.length > 0) {
      const fleets = new Set<string>();
      const evses = new Set<string>();
      for (const c of calls) {
        if (c.data.action !== 'StartTransaction') continue;
        fleets.add(c.data.fleetId);
        const conn = int((c.data.payload as Rec).connectorId);
        if (conn !== null) evses.add(fold.evseOf(c.data.chargePointId, conn));
      }
      // A 2.0.1 session's connector is its EVSE.
      for (const { call, evseId } of starts201) {
        fleets.add(call.data.fleetId);
        if (evseId !== null) evses.add(fold.evseOf(call.data.chargePointId, evseId));
      }
      // EVSE ids registered in this very batch (ChargerConnected) are covered by the fleet/charger lookups
      // plus the fallback ids; an EVSE-scoped tariff for them applies from the next batch on.
      tariffs = await this.chargers.loadCandidateTariffs(client, [...fleets], cpList, [...evses]);
    }

    const evseOf = (cp: string, id: number) => fold.evseOf(cp, id);

    let ignored = 0;
    /** A routed CALL's effects, of either protocol. */
    const follow = (env: Envelope<OcppCallReceived | Ocpp201CallReceived>, route: RecordRoute) => {
      const d = env.data;
      if (!route.relevant) ignored++;
      for (const effect of route.effects) {
        if (effect.kind === 'session') {
          uow.execute(effect.sessionId, effect.command, env.id);
          if (effect.command.type === 'RecordStartTransaction') {
            const c = fold.connector(d.chargePointId, effect.command.connectorId, d.fleetId, d.receivedAt);
            c.lastSessionId = effect.sessionId;
          }
        } else if (effect.kind === 'anomaly')
          anomalies.push({
            sourceEventId: env.id,
            fleetId: d.fleetId,
            chargePointId: d.chargePointId,
            kind: effect.anomaly,
            detail: effect.detail,
          });
        // The latest charger report wins, whatever the delivery order.
        else fold.report(d.chargePointId, d.fleetId, effect, env.id);
      }
    };
    for (const env of envelopes) {
      switch (env.type) {
        // Shapes guaranteed by the contracts, checked at the consumer's edge.
        case 'ChargerConnected':
        case 'ChargerDisconnected':
          fold.apply(env);
          break;
        case 'Ocpp201CallReceived': {
          const call = env as Envelope<Ocpp201CallReceived>;
          fold.apply(call);
          follow(call, routeOcpp201Call(call, uow, { evseOf, tariffs }));
          break;
        }
        case 'ChargerRegistryApplied': {
          // The registry change is in force on every gateway replica (the operator API waits for it).
          const d = env.data as ChargerRegistryApplied;
          applied.set(d.chargePointId, Math.max(applied.get(d.chargePointId) ?? 0, d.version));
          break;
        }
        case 'OcppCallReceived': {
          const call = env as Envelope<OcppCallReceived>;
          fold.apply(call);
          follow(call, routeOcppCall(call, uow, { evseOf, tariffs }));
          break;
        }
        default:
          ignored++;
      }
    }

    // Once its connector is free, a connector's last session takes no more reports: forget it, so
    // later StatusNotification batches do not load it.
    const touchedConnectors = fold.touchedConnectors();
    for (const c of touchedConnectors) {
      const last = c.lastSessionId ? uow.get(c.lastSessionId) : null;
      if (last && !isOpen(last) && !awaitsConnectorFree(last)) c.lastSessionId = null;
    }

    // The chargers whose picture changed: one ChargerStatusChanged each, in the same transaction as
    // the projection (the status relay publishes it). Its id derives from the charger's last record
    // of the batch, so reprocessing the batch stores it once.
    const statuses = fold.changes().map(({ status, lastRecordId }) => ({
      eventId: nameUuid('charger-status', status.chargePointId, lastRecordId),
      status,
      expectedVersion: chargerState?.statusVersions.get(status.chargePointId) ?? 0,
    }));

    const [changed] = await runAll(client, [
      () => this.sessions.save(client, uow),
      () => this.chargers.saveConnectors(client, touchedConnectors),
      () => this.chargers.saveChargers(client, fold.chargerRows()),
      () => this.chargers.touchLastMessages(client, fold.lastMessageTimes()),
      () => this.chargers.appendStatuses(client, statuses),
      () =>
        this.chargers.recordRegistryApplied(
          client,
          [...applied].map(([chargePointId, version]) => ({ chargePointId, version })),
        ),
      () => this.chargers.saveAnomalies(client, anomalies),
    ]);
    return { changed, anomalies: anomalies.length, ignored, chargerStatuses: statuses.length };
  }
}
