import fc from 'fast-check';
import { CHARGER_PROTOCOLS, chooseSubprotocol, offeredSubprotocols } from './subprotocol';

describe('chooseSubprotocol', () => {
  it.each([
    [['ocpp1.6', 'ocpp2.0.1'], 'ocpp2.0.1', 'ocpp2.0.1'],
    [['ocpp2.0.1', 'ocpp1.6'], 'ocpp1.6', 'ocpp1.6'],
    [['ocpp1.6'], 'ocpp2.0.1', 'ocpp1.6'],
    [['ocpp2.0.1'], 'ocpp1.6', 'ocpp2.0.1'],
    [['ocpp2.0', 'ocpp1.5'], 'ocpp2.0.1', null],
    [['OCPP1.6'], 'ocpp1.6', null],
    [[], 'ocpp2.0.1', null],
  ] as const)('offered %j, preferred %s → %s', (offered, preferred, chosen) => {
    expect(chooseSubprotocol(offered, preferred)).toBe(chosen);
  });

  it('for any offer: ours if it holds one of ours, the preferred one whenever offered, never a name not offered', () => {
    const name = fc.oneof(fc.constantFrom(...CHARGER_PROTOCOLS, 'ocpp2.0', 'ocpp1.5', 'wamp'), fc.string());
    fc.assert(
      fc.property(
        fc.array(name, { maxLength: 6 }),
        fc.constantFrom(...CHARGER_PROTOCOLS),
        (offered, preferred) => {
          const chosen = chooseSubprotocol(offered, preferred);
          const ours = offered.filter((p) => (CHARGER_PROTOCOLS as readonly string[]).includes(p));
          if (ours.length === 0) return expect(chosen).toBeNull();
          expect(offered).toContain(chosen);
          if (offered.includes(preferred)) expect(chosen).toBe(preferred);
        },
      ),
    );
  });
});

describe('offeredSubprotocols', () => {
  it('splits the header on commas and trims, whatever spacing the client used', () => {
    expect(offeredSubprotocols('ocpp2.0.1, ocpp1.6')).toEqual(['ocpp2.0.1', 'ocpp1.6']);
    expect(offeredSubprotocols('ocpp1.6')).toEqual(['ocpp1.6']);
    expect(offeredSubprotocols(['ocpp1.6', ' ocpp2.0.1 '])).toEqual(['ocpp1.6', 'ocpp2.0.1']);
    expect(offeredSubprotocols(undefined)).toEqual([]);
    expect(offeredSubprotocols(' , ')).toEqual([]);
  });
});
