import fc from 'fast-check';
import { Ocpp16Validator } from '@app/ocpp';
import type { FleetIdTag } from './charger-command-ports';
import { sendLocalListPayload } from './push-local-list';

const validator = new Ocpp16Validator();

describe('SendLocalList from a fleet’s id tags', () => {
  it('given tags with expiry and parent, then every tag is an entry with its idTagInfo and the highest version is listVersion', () => {
    const tags: FleetIdTag[] = [
      {
        idTag: 'RFID-A',
        status: 'Accepted',
        expiryDate: '2027-01-01T00:00:00.000Z',
        parentIdTag: 'GROUP-1',
        version: '12',
      },
      { idTag: 'RFID-B', status: 'Blocked', expiryDate: null, parentIdTag: null, version: '31' },
      { idTag: 'RFID-C', status: 'Expired', expiryDate: null, parentIdTag: null, version: '4' },
    ];
    const payload = sendLocalListPayload(tags, 'Full');
    expect(payload).toEqual({
      listVersion: 31,
      updateType: 'Full',
      localAuthorizationList: [
        {
          idTag: 'RFID-A',
          idTagInfo: { status: 'Accepted', expiryDate: '2027-01-01T00:00:00.000Z', parentIdTag: 'GROUP-1' },
        },
        { idTag: 'RFID-B', idTagInfo: { status: 'Blocked' } },
        { idTag: 'RFID-C', idTagInfo: { status: 'Expired' } },
      ],
    });
    expect(validator.validateRequest('SendLocalList', payload)).toBeNull();
  });

  it('given no tags, then an empty Full list of version 1 (clears the charger’s list)', () => {
    expect(sendLocalListPayload([], 'Full')).toEqual({
      listVersion: 1,
      updateType: 'Full',
      localAuthorizationList: [],
    });
  });

  it('for any tags OCPP can carry, the payload is a valid SendLocalList.req whose version is the maximum (at least 1)', () => {
    const tag = fc.record({
      idTag: fc.string({ minLength: 1, maxLength: 20 }),
      status: fc.constantFrom<FleetIdTag['status']>('Accepted', 'Blocked', 'Expired'),
      expiryDate: fc.option(
        fc
          .integer({ min: Date.parse('2000-01-01'), max: Date.parse('2100-01-01') })
          .map((ms) => new Date(ms).toISOString()),
      ),
      parentIdTag: fc.option(fc.string({ minLength: 1, maxLength: 20 })),
      version: fc.integer({ min: 1, max: 2 ** 31 - 1 }).map(String),
    });
    fc.assert(
      fc.property(
        fc.array(tag, { maxLength: 30 }),
        fc.constantFrom('Full' as const, 'Differential' as const),
        (tags, type) => {
          const payload = sendLocalListPayload(tags, type);
          expect(validator.validateRequest('SendLocalList', payload)).toBeNull();
          expect(payload.listVersion).toBe(Math.max(1, ...tags.map((t) => Number(t.version))));
          expect(payload.localAuthorizationList.map((e) => e.idTag)).toEqual(tags.map((t) => t.idTag));
        },
      ),
    );
  });
});
