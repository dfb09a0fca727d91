import fc from 'fast-check';
import { Ocpp16Validator } from '@app/ocpp';
import type { CommandTarget, FleetIdTag } from './charger-command-ports';
import { CommandWaiter } from './command-waiter';
import type { CommandRepository, Tx } from './ports';
import { MAX_LOCAL_LIST_BYTES, PushLocalList, sendLocalListPayload } from './push-local-list';
import { SendChargerCommand } from './send-charger-command';

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

describe('PushLocalList refusals before anything is sent', () => {
  const target = { chargePointId: 'CP-1', fleetId: 'fleet-1', active: true, protocol: 'ocpp1.6' as const };
  /** The real use cases on in-memory ports; `recorded` are the commands that got as far as the command log. */
  function pushWith(tags: FleetIdTag[], on: CommandTarget = target) {
    const recorded: unknown[] = [];
    const transactions = { run: <T>(w: (tx: Tx) => Promise<T>) => w({} as Tx), outside: {} as Tx };
    const targets = {
      find: async () => on,
      fleetIdTags: async () => tags,
      connections: async () => new Map(),
    };
    const commandLog = {
      record: async (_tx: Tx, c: unknown) => void recorded.push(c),
    } as unknown as CommandRepository;
    const commands = new SendChargerCommand(
      transactions,
      targets,
      commandLog,
      { send: async () => undefined },
      new CommandWaiter(commandLog),
      1,
      { record: async () => undefined },
    );
    return { push: new PushLocalList(transactions, targets, commands), sent: recorded };
  }
  const actor = { kind: 'api_key' as const, id: 'ops' };
  const tag = (i: number, idTag = `RFID-${String(i).padStart(8, '0')}`): FleetIdTag => ({
    idTag,
    status: 'Accepted',
    expiryDate: '2027-06-01T00:00:00.000Z',
    parentIdTag: 'GROUP-0001',
    version: String(i + 1),
  });

  it('given more id tags than one command record holds, then 422 LOCAL_LIST_TOO_LARGE naming the size', async () => {
    const tags = Array.from({ length: 8000 }, (_, i) => tag(i));
    const { push, sent } = pushWith(tags);
    const bytes = Buffer.byteLength(JSON.stringify(sendLocalListPayload(tags, 'Full')));
    expect(bytes).toBeGreaterThan(MAX_LOCAL_LIST_BYTES);
    await expect(push.execute({ chargePointId: 'CP-1', updateType: undefined, actor })).rejects.toMatchObject(
      {
        status: 422,
        code: 'LOCAL_LIST_TOO_LARGE',
        message: `the fleet's 8000 id tags make a SendLocalList of ${bytes} bytes; at most ${MAX_LOCAL_LIST_BYTES} fit one command record`,
      },
    );
    expect(sent).toEqual([]);
  });

  it('given an id tag OCPP cannot carry, then 422 LOCAL_LIST_INVALID naming the field', async () => {
    const { push, sent } = pushWith([tag(1, 'X'.repeat(21))]);
    await expect(push.execute({ chargePointId: 'CP-1', updateType: 'Full', actor })).rejects.toMatchObject({
      status: 422,
      code: 'LOCAL_LIST_INVALID',
      message: expect.stringContaining('/localAuthorizationList/0/idTag'),
    });
    expect(sent).toEqual([]);
  });

  it('given an update_type that is not Full or Differential, then 400 INVALID_BODY', async () => {
    const { push } = pushWith([]);
    await expect(push.execute({ chargePointId: 'CP-1', updateType: 'full', actor })).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_BODY',
    });
  });

  it('given a charger connected with OCPP 2.0.1, then 409 LOCAL_LIST_NOT_SUPPORTED naming the protocol, nothing recorded', async () => {
    const { push, sent } = pushWith([tag(1)], { ...target, protocol: 'ocpp2.0.1' });
    await expect(push.execute({ chargePointId: 'CP-1', updateType: 'Full', actor })).rejects.toMatchObject({
      status: 409,
      code: 'LOCAL_LIST_NOT_SUPPORTED',
      message: expect.stringContaining('ocpp2.0.1'),
    });
    expect(sent).toEqual([]);
  });
});
