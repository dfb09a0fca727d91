import { mostSpecificAssignment, readTariffPrices, versionInForce, type TariffVersion } from './tariff';
import { BillingError } from './errors';

const prices = {
  kwh_price: '0.5',
  session_price: '0',
  time_tariffs: [],
  vat: '0.19',
  currency: 'EUR',
  max_charging_time: 60,
};

describe('tariff rules', () => {
  it('lets the most specific assignment win: EVSE over CHARGE_POINT over FLEET', () => {
    const assigned = [
      { tariffId: 'fleet', assignment: { scope: 'FLEET' as const, ref: 'f1' } },
      { tariffId: 'cp', assignment: { scope: 'CHARGE_POINT' as const, ref: 'CP1' } },
      { tariffId: 'evse', assignment: { scope: 'EVSE' as const, ref: 'CP1*1' } },
    ];
    expect(
      mostSpecificAssignment({ fleetId: 'f1', chargePointId: 'CP1', evse: 'CP1*1' }, assigned)?.tariffId,
    ).toBe('evse');
    expect(
      mostSpecificAssignment({ fleetId: 'f1', chargePointId: 'CP1', evse: 'CP1*2' }, assigned)?.tariffId,
    ).toBe('cp');
    expect(
      mostSpecificAssignment({ fleetId: 'f1', chargePointId: 'CP9', evse: 'CP9*1' }, assigned)?.tariffId,
    ).toBe('fleet');
    expect(mostSpecificAssignment({ fleetId: 'f2', chargePointId: 'CP9' }, assigned)).toBeUndefined();
  });

  it('takes the latest version whose effective_from is not after the instant', () => {
    const v = (version: number, from: string): TariffVersion => ({
      version,
      effective_from: from,
      tariff: { ...prices },
    });
    const versions = [
      v(1, '2024-01-01T00:00:00Z'),
      v(3, '2024-06-01T00:00:00Z'),
      v(2, '2024-03-01T00:00:00Z'),
    ];
    expect(versionInForce(versions, new Date('2023-12-31T23:59:59Z'))).toBeUndefined();
    expect(versionInForce(versions, new Date('2024-01-01T00:00:00Z'))?.version).toBe(1);
    expect(versionInForce(versions, new Date('2024-05-31T23:59:59Z'))?.version).toBe(2);
    expect(versionInForce(versions, new Date('2025-01-01T00:00:00Z'))?.version).toBe(3);
  });

  it('accepts prices as JSON numbers or strings and returns plain decimal strings', () => {
    const out = readTariffPrices({
      ...prices,
      kwh_price: 0.88,
      session_price: '1e-2',
      time_tariffs: [{ starting_at_minute: 45, minute_price: 0.12 }],
    });
    expect(out).toEqual({
      ...prices,
      kwh_price: '0.88',
      session_price: '0.01',
      time_tariffs: [{ starting_at_minute: 45, minute_price: '0.12' }],
    });
  });

  it('rejects a bad tariff with a 400 naming the field', () => {
    const bad = (over: Record<string, unknown>) => () => readTariffPrices({ ...prices, ...over });
    for (const [over, field] of [
      [{ kwh_price: '-1' }, 'tariff.kwh_price'],
      [{ vat: 1.5 }, 'tariff.vat'],
      [{ currency: 'EURO' }, 'tariff.currency'],
      [
        {
          time_tariffs: [
            { starting_at_minute: 10, minute_price: 1 },
            { starting_at_minute: 5, minute_price: 1 },
          ],
        },
        'tariff.time_tariffs[1]',
      ],
    ] as const) {
      expect(bad(over)).toThrow(BillingError);
      expect(bad(over)).toThrow(field);
    }
  });
});
