/**
 * Transaction ids beyond 32 bits (an OCPP 2.0.1 transaction's number is in [2^31, 2^53)) go from a
 * SessionCompleted through the charge, its correction (read back through rowToCharge) and the
 * finance exports without losing a digit. Real Kafka and Postgres.
 */
import { Client } from 'pg';
import { topicName, type SessionCompleted } from '@app/contracts';
import { KafkaPublisher } from '@app/kafka';
import { sessionCompleted, sessionEnvelope } from '@app/testing/fixtures';
import { http, startBilling, waitFor, type RunningBilling } from '../../test/billing-app';
import { CSV_COLUMNS, parseCsvLine } from '../domain/exports/csv';
import { chargeRepository, transactionIdFromColumn } from './charge-repository';

const JUST_PAST_INT32 = 2 ** 31 + 5;
const LARGEST_EXACT = 2 ** 53 - 1;

describe('charges keep a bigint transaction id exactly (real Kafka + Postgres)', () => {
  let b: RunningBilling;
  let db: Client;
  let publisher: KafkaPublisher;
  const sessions: SessionCompleted[] = [JUST_PAST_INT32, LARGEST_EXACT].map((transactionId, i) =>
    sessionCompleted({
      chargePointId: 'CS-201',
      evse: 'CS-201*1',
      transactionId,
      chargerTransactionId: `tx-2.0.1-${i}`,
    }),
  );
  const from = new Date(Date.now() - 3600_000).toISOString();
  const to = new Date(Date.now() + 3600_000).toISOString();
  const exportUrl = (format: string) =>
    `${b.url}/v1/exports/charges?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&format=${format}`;

  beforeAll(async () => {
    b = await startBilling('billing_txid');
    db = new Client({ connectionString: b.db.url });
    await db.connect();
    publisher = new KafkaPublisher(b.kafka.kafka);
    await publisher.connect();
    for (const s of sessions) {
      await publisher.publish({
        topic: topicName('chargingSessions', b.kafka.prefix),
        key: s.sessionId,
        value: JSON.stringify(sessionEnvelope('SessionCompleted', s)),
      });
    }
    await waitFor(async () => (await db.query('select count(*)::int as n from charges')).rows[0].n === 2);
  });
  afterAll(async () => {
    await publisher.disconnect();
    await db.end();
    await b.stop();
  });

  it('stores, reads back and corrects the charge with the exact transaction id', async () => {
    const stored = await db.query<{ session_id: string; transaction_id: string }>(
      'select session_id, transaction_id::text as transaction_id from charges order by transaction_id',
    );
    expect(stored.rows).toEqual(
      sessions.map((s) => ({ session_id: s.sessionId, transaction_id: String(s.transactionId) })),
    );
    for (const s of sessions) {
      const [charge] = await chargeRepository.bySession(db, s.sessionId);
      expect(charge.transactionId).toBe(s.transactionId);
    }

    // A correction reads the original through rowToCharge and copies its transaction id.
    const [original] = await chargeRepository.bySession(db, sessions[1].sessionId);
    const fix = await http('POST', `${b.url}/v1/charges/${original.chargeId}/corrections`, {
      reason: 'meter replaced',
      meter_stop: 5000,
    });
    expect(fix.status).toBe(201);
    const corrected = await chargeRepository.bySession(db, sessions[1].sessionId);
    expect(corrected.map((c) => [c.kind, c.transactionId])).toEqual([
      ['CHARGE', LARGEST_EXACT],
      ['REVERSAL', LARGEST_EXACT],
      ['CHARGE', LARGEST_EXACT],
    ]);
  });

  it('exports the exact transaction id in CSV and JSONL', async () => {
    const expected = [JUST_PAST_INT32, LARGEST_EXACT, LARGEST_EXACT, LARGEST_EXACT];

    const csv = await http('GET', exportUrl('csv'));
    expect(csv.status).toBe(200);
    const [header, ...lines] = csv.text.split('\r\n').filter(Boolean);
    expect(header).toBe(CSV_COLUMNS.join(','));
    const column = CSV_COLUMNS.indexOf('transaction_id');
    const csvIds = lines.map((l) => parseCsvLine(l)[column]);
    expect(csvIds.sort()).toEqual(expected.map(String).sort());

    const jsonl = await http('GET', exportUrl('jsonl'));
    expect(jsonl.status).toBe(200);
    const jsonlLines = jsonl.text.trim().split('\n');
    // The number's text as written, and what a JSON reader gets from it.
    expect(jsonlLines.map((l) => /"transaction_id":(-?\d+|null),/.exec(l)?.[1]).sort()).toEqual(
      expected.map(String).sort(),
    );
    expect(
      jsonlLines.map((l) => (JSON.parse(l) as { transaction_id: number }).transaction_id).sort(),
    ).toEqual([...expected].sort());
  });
});

describe('transactionIdFromColumn', () => {
  it('reads a bigint column exactly, null as null, and refuses what is no safe integer', () => {
    expect(transactionIdFromColumn(null)).toBeNull();
    expect(transactionIdFromColumn('42')).toBe(42);
    expect(transactionIdFromColumn(String(JUST_PAST_INT32))).toBe(JUST_PAST_INT32);
    expect(transactionIdFromColumn('9007199254740991')).toBe(LARGEST_EXACT);
    for (const bad of ['9007199254740992', '9223372036854775807', '1e3', '', ' 7'])
      expect(() => transactionIdFromColumn(bad)).toThrow(
        `charges.transaction_id ${bad} is not a safe integer`,
      );
  });
});
