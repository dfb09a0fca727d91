import Decimal from 'decimal.js';
import fc from 'fast-check';
import { isLosslessNumber, stringifyWithLosslessNumbers } from '@app/ocpp';
import {
  endTrigger201,
  energyReading,
  PERIODIC_ENERGY_FORMATS,
  stopReason201,
  STOP_REASONS_201,
  type EnergyFormat,
} from './ocpp201-station';
import { STOP_REASONS } from './simulated-charger';

const Exact = Decimal.clone({ precision: 80 });

/** What the wire says, read back by hand: value × 10^multiplier, × 1000 for kWh (2.0.1's default unit is Wh). */
function readBack(json: string): Decimal {
  const v = JSON.parse(json.replace(/"value":([-\d.eE+]+)/, '"value":"$1"')) as {
    value: string;
    unitOfMeasure?: { unit?: string; multiplier?: number };
  };
  const unit = v.unitOfMeasure?.unit ?? 'Wh';
  return new Exact(v.value)
    .times(new Exact(10).pow(v.unitOfMeasure?.multiplier ?? 0))
    .times(unit === 'kWh' ? 1000 : 1);
}

describe('energyReading', () => {
  const formats = fc.constantFrom<EnergyFormat>(...PERIODIC_ENERGY_FORMATS);

  it('writes an integer Wh register in every format so that it reads back exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 50 }), formats, (wh, format) => {
        const r = energyReading(wh, format, 'Sample.Periodic');
        expect(isLosslessNumber(r.sampledValue.value)).toBe(true);
        expect(readBack(stringifyWithLosslessNumbers(r.sampledValue)).toFixed()).toBe(String(wh));
        expect(r.wh).toBe(wh);
      }),
    );
  });

  it('writes sub-Wh readings in kWh with every digit, and gives the Wh rounded half up', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.stringMatching(/^\d{0,21}[1-9]$/),
        formats,
        (whole, fraction, format) => {
          const text = `${whole}.${fraction}`;
          const r = energyReading(text, format, 'Transaction.End');
          expect(r.sampledValue.unitOfMeasure).toEqual({ unit: 'kWh' });
          const back = readBack(stringifyWithLosslessNumbers(r.sampledValue));
          expect(back.equals(new Exact(text))).toBe(true);
          expect(r.wh).toBe(new Exact(text).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber());
        },
      ),
    );
  });

  it('rounds the half Wh up and just under it down', () => {
    expect(energyReading('1234567.5', 'kWh', 'Transaction.Begin')).toMatchObject({
      text: '1234.5675',
      wh: 1234568,
    });
    expect(energyReading('1234567.4999999999999999999', 'kWh', 'Transaction.End')).toMatchObject({
      text: '1234.5674999999999999999999',
      wh: 1234567,
    });
  });
});

describe('stop reasons in 2.0.1 words', () => {
  it("maps every 1.6 reason to one of 2.0.1's, and keeps 2.0.1's", () => {
    for (const r of STOP_REASONS) expect(STOP_REASONS_201 as readonly string[]).toContain(stopReason201(r));
    for (const r of STOP_REASONS_201) expect(stopReason201(r)).toBe(r);
    expect(stopReason201('HardReset')).toBe('ImmediateReset');
    expect(endTrigger201('Remote')).toBe('RemoteStop');
    expect(endTrigger201('Local')).toBe('StopAuthorized');
  });
});
