import type { Actor } from '@app/contracts';
import { appendToStream, type Queryable } from '@app/event-store';
import type { Anomaly, ChargeRecord, PricingInputs } from '../domain/charge';
import { toChargeCalculated } from '../domain/charge';
import { canonicalTimestamp } from '../domain/values';
import type { AnomalyQuery, AnomalyRecord, AnomalyRef, ChargeStore } from '../application/ports';

export const CHARGE_STREAM_TYPE = 'charge';
export const CHARGE_CALCULATED_TYPE = 'ChargeCalculated';

const INSERT_COLUMNS = [
  'charge_id',
  'kind',
  'session_id',
  'reverses_charge_id',
  'replaces_charge_id',
  'reason',
  'source_event_id',
  'fleet_id',
  'charge_point_id',
  'connector_id',
  'evse',
  'transaction_id',
  'auth_type',
  'id_tag',
  'user_reference',
  'stop_reason',
  'tariff',
  'tariff_id',
  'tariff_version',
  'meter_start',
  'meter_stop',
  'started_at',
  'completed_at',
  'inputs',
  'energy_wh',
  'duration_s',
  'energy_amount',
  'session_amount',
  'time_amount',
  'net',
  'vat',
  'gross',
  'vat_rate',
  'currency',
  'flags',
  'signed_meter_values',
  'calculated_at',
  'actor_kind',
  'actor_id',
];

function values(c: ChargeRecord): unknown[] {
  const a = c.finalAmount;
  const t = c.inputs.tariff;
  return [
    c.chargeId,
    c.kind,
    c.sessionId,
    c.reversesChargeId,
    c.replacesChargeId,
    c.reason,
    c.sourceEventId,
    c.fleetId,
    c.chargePointId,
    c.connectorId,
    c.evse,
    c.transactionId,
    c.authType,
    c.idTag,
    c.userReference,
    c.stopReason,
    JSON.stringify(t),
    t.tariff_id ?? null,
    t.version ?? null,
    c.inputs.meter_start,
    c.inputs.meter_stop,
    canonicalTimestamp(c.inputs.started_at),
    canonicalTimestamp(c.inputs.completed_at),
    JSON.stringify(c.inputs),
    c.energyWh,
    c.durationS,
    a.energy,
    a.session,
    a.time,
    a.net,
    a.vat,
    a.gross,
    c.vatRate,
    a.currency,
    c.flags,
    JSON.stringify(c.signedMeterValues),
    c.calculatedAt,
    c.actor?.kind ?? null,
    c.actor?.id ?? null,
  ];
}

const INSERT_SQL = `insert into charges (${INSERT_COLUMNS.join(', ')})
  values (${INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;

/**
 * The columns `rowToCharge` reads; numerics as text so money never becomes a float, and the
 * bigint transaction id as text (an OCPP 2.0.1 transaction's number is >= 2^31: an int cast fails).
 */
export const CHARGE_SELECT = `charge_id, kind, session_id, reverses_charge_id, replaces_charge_id, reason, source_event_id,
  fleet_id, charge_point_id, connector_id, evse, transaction_id::text as transaction_id, auth_type, id_tag, user_reference,
  stop_reason, inputs, energy_wh::text as energy_wh, duration_s::text as duration_s, energy_amount::text, session_amount::text,
  time_amount::text, net::text, vat::text, gross::text, vat_rate::text, currency, flags, signed_meter_values, calculated_at,
  actor_kind, actor_id`;

export interface ChargeRow {
  charge_id: string;
  kind: 'CHARGE' | 'REVERSAL';
  session_id: string;
  reverses_charge_id: string | null;
  replaces_charge_id: string | null;
  reason: string | null;
  source_event_id: string | null;
  fleet_id: string;
  charge_point_id: string;
  connector_id: number | null;
  evse: string;
  transaction_id: string | null;
  auth_type: string | null;
  id_tag: string | null;
  user_reference: string | null;
  stop_reason: string | null;
  inputs: PricingInputs;
  energy_wh: string;
  duration_s: string;
  energy_amount: string;
  session_amount: string;
  time_amount: string;
  net: string;
  vat: string;
  gross: string;
  vat_rate: string;
  currency: string;
  flags: string[];
  signed_meter_values: string[];
  calculated_at: Date;
  actor_kind: Actor['kind'] | null;
  actor_id: string | null;
}

/**
 * The bigint column as the number the contracts carry. An id, not money: exact as long as it is a
 * safe integer, which every contract transactionId is (1.6: 32 bits, 2.0.1: below 2^53); anything
 * else would silently become another id, so it is refused.
 */
export function transactionIdFromColumn(text: string | null): number | null {
  if (text === null) return null;
  const id = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw new Error(`charges.transaction_id ${text} is not a safe integer`);
  return id;
}

export function rowToCharge(r: ChargeRow): ChargeRecord {
  return {
    chargeId: r.charge_id,
    kind: r.kind,
    sessionId: r.session_id,
    reversesChargeId: r.reverses_charge_id,
    replacesChargeId: r.replaces_charge_id,
    reason: r.reason,
    sourceEventId: r.source_event_id,
    fleetId: r.fleet_id,
    chargePointId: r.charge_point_id,
    connectorId: r.connector_id,
    evse: r.evse,
    transactionId: transactionIdFromColumn(r.transaction_id),
    authType: r.auth_type,
    idTag: r.id_tag,
    userReference: r.user_reference,
    stopReason: r.stop_reason,
    inputs: r.inputs,
    energyWh: Number(r.energy_wh),
    durationS: Number(r.duration_s),
    finalAmount: {
      energy: r.energy_amount,
      session: r.session_amount,
      time: r.time_amount,
      net: r.net,
      vat: r.vat,
      gross: r.gross,
      currency: r.currency,
    },
    vatRate: r.vat_rate,
    flags: r.flags,
    signedMeterValues: r.signed_meter_values,
    calculatedAt: r.calculated_at.toISOString(),
    ...(r.actor_kind && r.actor_id ? { actor: { kind: r.actor_kind, id: r.actor_id } } : {}),
  };
}

/** The ChargeStore on Postgres. Every method runs on the caller's client (its transaction). */
export const chargeRepository = {
  /**
   * Stores a session's original charge. A redelivered SessionCompleted meets the unique index
   * `charges_one_bill_per_session` and stores nothing: returns false.
   */
  async insertSessionCharge(c: Queryable, charge: ChargeRecord): Promise<boolean> {
    const { rowCount } = await c.query(
      `${INSERT_SQL} on conflict (session_id) where kind = 'CHARGE' and replaces_charge_id is null do nothing`,
      values(charge),
    );
    return rowCount === 1;
  },

  /** Stores a reversal or a replacing charge; a second correction of the same charge violates a unique index. */
  async insertCorrection(c: Queryable, charge: ChargeRecord): Promise<void> {
    await c.query(INSERT_SQL, values(charge));
  },

  /** ChargeCalculated into the outbox, in the caller's transaction (event id = charge id). */
  async appendChargeCalculated(c: Queryable, charges: ChargeRecord[]): Promise<void> {
    if (charges.length === 0) return;
    const first = charges[0];
    await appendToStream(
      c,
      `charge-${first.sessionId}`,
      CHARGE_STREAM_TYPE,
      first.fleetId,
      'any',
      charges.map((ch) => ({
        eventId: ch.chargeId,
        type: CHARGE_CALCULATED_TYPE,
        data: toChargeCalculated(ch),
      })),
    );
  },

  async find(c: Queryable, chargeId: string): Promise<ChargeRecord | null> {
    const { rows } = await c.query<ChargeRow>(`select ${CHARGE_SELECT} from charges where charge_id = $1`, [
      chargeId,
    ]);
    return rows[0] ? rowToCharge(rows[0]) : null;
  },

  async isReversed(c: Queryable, chargeId: string): Promise<boolean> {
    const { rowCount } = await c.query('select 1 from charges where reverses_charge_id = $1', [chargeId]);
    return (rowCount ?? 0) > 0;
  },

  async bySession(c: Queryable, sessionId: string): Promise<ChargeRecord[]> {
    const { rows } = await c.query<ChargeRow>(
      `select ${CHARGE_SELECT} from charges where session_id = $1 order by seq`,
      [sessionId],
    );
    return rows.map(rowToCharge);
  },

  /** Records an anomaly once per source event (redelivery adds nothing). */
  async insertAnomaly(
    c: Queryable,
    sourceEventId: string,
    anomaly: Anomaly,
    event: unknown,
    ref: AnomalyRef,
  ): Promise<void> {
    await c.query(
      `insert into anomalies (source_event_id, session_id, kind, reason, fleet_id, charge_point_id, evse, event)
       values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (source_event_id) do nothing`,
      [
        sourceEventId,
        ref.sessionId ?? null,
        anomaly.kind,
        anomaly.reason,
        ref.fleetId ?? null,
        ref.chargePointId ?? null,
        ref.evse ?? null,
        JSON.stringify(event ?? null),
      ],
    );
  },

  /** A savepoint around `work`: a data exception (SQLSTATE class 22) rolls back only `work`. */
  async guarded<T>(c: Queryable, work: () => Promise<T>): Promise<{ ok: T } | { refused: Error }> {
    await c.query('savepoint guarded');
    try {
      const ok = await work();
      await c.query('release savepoint guarded');
      return { ok };
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (!code.startsWith('22')) throw e; // only data exceptions are the record's fault
      await c.query('rollback to savepoint guarded');
      return { refused: e as Error };
    }
  },

  /** The anomaly report, oldest first. */
  async anomalies(c: Queryable, q: AnomalyQuery): Promise<AnomalyRecord[]> {
    const { rows } = await c.query<Omit<AnomalyRecord, 'detected_at'> & { detected_at: Date }>(
      `select anomaly_id as id, kind, reason, session_id, fleet_id, charge_point_id, evse, source_event_id, detected_at
       from anomalies where detected_at >= $1 and detected_at < $2 order by detected_at, anomaly_id limit $3`,
      [q.from, q.to, q.limit],
    );
    return rows.map((r) => ({ ...r, detected_at: r.detected_at.toISOString() }));
  },
} satisfies ChargeStore;
