import { sessionCompleted, sessionEnvelope, TARIFF_D } from '@app/testing/fixtures';
import { FakeAuditTrail, FakeChargeStore, FakeDatabase, FakeOutbox } from '../../test/fakes';
import { CorrectCharge } from './correct-charge';
import { ListAnomalies } from './read-charges';
import { RecordSessionEvents, type SessionRecord } from './record-session-events';

const record = (envelope: ReturnType<typeof sessionEnvelope> | null, offset = '0'): SessionRecord => ({
  position: `charging.sessions.v1:0:${offset}`,
  envelope,
  unreadable: envelope ? undefined : 'record value is not JSON: Unexpected token',
  value: envelope ? Buffer.from(JSON.stringify(envelope)) : Buffer.from('not json'),
});
const finance = { kind: 'api_key' as const, id: 'key-finance' };

describe('RecordSessionEvents (fakes)', () => {
  it('bills a SessionCompleted once, however often it comes, and books what it cannot read as an anomaly', async () => {
    const charges = new FakeChargeStore();
    const use = new RecordSessionEvents(charges, () => new Date('2024-05-01T11:00:00Z'));
    const session = sessionCompleted();
    const first = sessionEnvelope('SessionCompleted', session);
    const r1 = await use.handle({} as never, [record(first), record(null, '1')]);
    // Redelivered, and re-sent under a new envelope id: billed once either way.
    const r2 = await use.handle({} as never, [
      record(first),
      record(sessionEnvelope('SessionCompleted', session)),
    ]);

    expect([r1.charged.length, r1.anomalies, r1.duplicates]).toEqual([1, 1, 0]);
    expect([r2.charged.length, r2.anomalies, r2.duplicates]).toEqual([0, 0, 2]);
    expect(charges.charges).toHaveLength(1);
    expect(charges.charges[0].finalAmount).toMatchObject({ net: '5.38', vat: '1.02', gross: '6.40' });
    expect(charges.published).toEqual([charges.charges[0].chargeId]);
    expect(charges.anomalyRows).toEqual([
      {
        sourceEventId: 'charging.sessions.v1:0:1',
        anomaly: { kind: 'MALFORMED_EVENT', reason: 'record value is not JSON: Unexpected token' },
        ref: {},
      },
    ]);
  });

  it('turns a charge the store refuses into an anomaly of that record, and still bills the others', async () => {
    const charges = new FakeChargeStore();
    const odd = sessionCompleted({ fleetId: 'fleet-odd' });
    charges.refuse = (c) => c.sessionId === odd.sessionId;
    const use = new RecordSessionEvents(charges);
    const r = await use.handle({} as never, [
      record(sessionEnvelope('SessionCompleted', odd)),
      record(sessionEnvelope('SessionCompleted', sessionCompleted({ tariff: { ...TARIFF_D } })), '1'),
    ]);
    expect([r.charged.length, r.anomalies]).toEqual([1, 1]);
    expect(charges.published).toHaveLength(1);
    expect(charges.anomalyRows[0]).toMatchObject({
      anomaly: { kind: 'MALFORMED_EVENT', reason: expect.stringMatching(/^not storable: date\/time/) },
      ref: { sessionId: odd.sessionId, fleetId: 'fleet-odd' },
    });
  });
});

describe('CorrectCharge (fakes)', () => {
  async function billed() {
    const charges = new FakeChargeStore();
    await new RecordSessionEvents(charges).handle({} as never, [
      record(sessionEnvelope('SessionCompleted', sessionCompleted())),
    ]);
    const audit = new FakeAuditTrail();
    const outbox = new FakeOutbox();
    const db = new FakeDatabase([charges]);
    const use = new CorrectCharge(db, charges, audit, outbox, () => new Date('2024-06-01T00:00:00Z'));
    return { charges, audit, outbox, db, use, original: charges.charges[0] };
  }

  it('books the reversal and the new charge, audits them with the actor, and wakes the outbox after the commit', async () => {
    const { charges, audit, outbox, db, use, original } = await billed();
    const result = await use.execute(
      original.chargeId,
      { reason: 'wrong tariff', tariff: { ...TARIFF_D, kwh_price: '0.40' } },
      finance,
    );
    expect(result.reversal).toMatchObject({
      kind: 'REVERSAL',
      reversesChargeId: original.chargeId,
      actor: finance,
    });
    expect(result.charge!.finalAmount).toMatchObject({ net: '4.51', vat: '0.86', gross: '5.37' });
    expect(charges.published).toEqual([original.chargeId, result.reversal.chargeId, result.charge!.chargeId]);
    expect(audit.entries).toEqual([
      expect.objectContaining({
        actor: finance,
        action: 'charge.corrected',
        target: { type: 'charge', id: original.chargeId },
      }),
    ]);
    expect([db.commits, outbox.wakes]).toEqual([1, 1]);
  });

  it('changes nothing and wakes nothing when the audit log cannot be written or the charge is already reversed', async () => {
    const { charges, audit, outbox, use, original } = await billed();
    audit.fail = true;
    await expect(use.execute(original.chargeId, { reason: 'x', cancel: true }, finance)).rejects.toThrow(
      /audit log unreachable/,
    );
    expect(charges.charges).toHaveLength(1);
    expect(charges.published).toHaveLength(1);
    audit.fail = false;
    await use.execute(original.chargeId, { reason: 'cancel', cancel: true }, finance);
    await expect(
      use.execute(original.chargeId, { reason: 'again', cancel: true }, finance),
    ).rejects.toMatchObject({
      status: 409,
      code: 'ALREADY_CORRECTED',
    });
    expect(outbox.wakes).toBe(1);
  });
});

describe('ListAnomalies (fakes)', () => {
  it('reads a plain date as midnight in the books’ time zone, like the exports, and an instant as given', async () => {
    const charges = new FakeChargeStore();
    const use = new ListAnomalies(new FakeDatabase([]), charges, 'Europe/Berlin');
    await use.execute({ from: '2024-05-01', to: '2024-06-01T00:00:00Z', limit: '10' });
    await use.execute({});
    expect(charges.anomalyQueries).toEqual([
      { from: new Date('2024-04-30T22:00:00Z'), to: new Date('2024-06-01T00:00:00Z'), limit: 10 },
      { from: new Date(0), to: new Date('9999-01-01T00:00:00Z'), limit: 1000 },
    ]);
  });
});
