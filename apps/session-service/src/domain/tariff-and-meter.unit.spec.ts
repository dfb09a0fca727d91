import type { TariffPublished } from '@app/contracts';
import { parseMeterValues, toWh } from './meter-values';
import { selectTariff } from './tariff-selection';
import { TARIFF_A } from './session.fixtures.spec';

const tariff = (
  id: string,
  assignments: TariffPublished['assignments'],
  versions: [number, string, string][],
): TariffPublished => ({
  tariffId: id,
  name: id,
  assignments,
  publishedAt: '2026-01-01T00:00:00Z',
  versions: versions.map(([version, effective_from, kwh]) => ({
    version,
    effective_from,
    tariff: { ...TARIFF_A, kwh_price: kwh },
  })),
});

describe('selectTariff', () => {
  const target = { fleetId: 'fleet-1', chargePointId: 'CP1', evse: 'DE*E1*1' };
  const fleet = tariff(
    'fleet',
    [{ scope: 'FLEET', ref: 'fleet-1' }],
    [
      [1, '2025-01-01T00:00:00Z', '0.50'],
      [2, '2026-02-01T00:00:00Z', '0.60'],
    ],
  );
  const cp = tariff('cp', [{ scope: 'CHARGE_POINT', ref: 'CP1' }], [[1, '2025-06-01T00:00:00Z', '0.70']]);
  const evse = tariff('evse', [{ scope: 'EVSE', ref: 'DE*E1*1' }], [[1, '2026-03-01T00:00:00Z', '0.90']]);

  it('takes the most specific assignment: EVSE over CHARGE_POINT over FLEET', () => {
    expect(selectTariff([fleet, cp, evse], target, '2026-03-02T00:00:00Z')).toMatchObject({
      tariff_id: 'evse',
      kwh_price: '0.90',
    });
    expect(selectTariff([evse, fleet, cp], target, '2026-01-15T00:00:00Z')).toMatchObject({
      tariff_id: 'cp',
      kwh_price: '0.70',
    });
    expect(selectTariff([fleet], target, '2026-01-15T00:00:00Z')).toMatchObject({
      tariff_id: 'fleet',
      version: 1,
    });
  });
  it('takes the version with the latest effective_from not after the start', () => {
    expect(selectTariff([fleet], target, '2026-02-01T00:00:00Z')).toMatchObject({
      version: 2,
      kwh_price: '0.60',
    });
    expect(selectTariff([fleet], target, '2026-01-31T23:59:59Z')).toMatchObject({ version: 1 });
  });
  it('is null when nothing applies', () => {
    expect(selectTariff([cp], { ...target, chargePointId: 'CP2' }, '2026-01-15T00:00:00Z')).toBeNull();
    expect(selectTariff([evse], target, '2026-01-15T00:00:00Z')).toBeNull();
    expect(selectTariff([], target, '2026-01-15T00:00:00Z')).toBeNull();
  });
});

describe('meter values', () => {
  it('converts Wh and kWh decimal strings to integer Wh without a float', () => {
    expect(toWh('12345', undefined)).toBe(12345);
    expect(toWh('12.3456', 'kWh')).toBe(12346);
    expect(toWh('0.1', 'kWh')).toBe(100);
    expect(toWh('1028.5', 'Wh')).toBe(1029);
    expect(toWh('abc', 'Wh')).toBeNull();
    expect(toWh('5', 'varh')).toBeNull();
  });
  it('reads Energy.Active.Import.Register (the default measurand), keeps SignedData verbatim, ignores per-phase values', () => {
    const parsed = parseMeterValues([
      {
        timestamp: '2026-01-01T10:00:00Z',
        sampledValue: [
          { value: '1000' },
          { value: '11', measurand: 'Current.Import', unit: 'A' },
          { value: '300', measurand: 'Energy.Active.Import.Register', phase: 'L1' },
          { value: '0', context: 'Transaction.Begin' },
          { value: 'OCMF|{"RD":[]}|{"SD":"30"}', format: 'SignedData' },
        ],
      },
      {
        timestamp: '2026-01-01T10:01:00Z',
        sampledValue: [{ value: '1.5', unit: 'kWh', measurand: 'Energy.Active.Import.Register' }],
      },
      { nonsense: true },
    ]);
    expect(parsed.readings).toEqual([
      { wh: 1000, measuredAt: '2026-01-01T10:00:00Z', context: 'Sample.Periodic' },
      { wh: 0, measuredAt: '2026-01-01T10:00:00Z', context: 'Transaction.Begin' },
      { wh: 1500, measuredAt: '2026-01-01T10:01:00Z', context: 'Sample.Periodic' },
    ]);
    expect(parsed.signed).toEqual(['OCMF|{"RD":[]}|{"SD":"30"}']);
  });
});
