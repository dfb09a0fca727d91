import {
  OCPP201_OUTBOUND_ACTIONS,
  OCPP_OUTBOUND_ACTIONS,
  type AnyOcppCommand,
  type AnyOcppCommandResult,
  type ChargerProtocol,
  type Ocpp201OutboundAction,
  type OcppCommand,
  type OcppOutboundAction,
} from '@app/contracts';
import {
  Ocpp16Validator,
  Ocpp201Validator,
  stringifyWithLosslessNumbers,
  type Ocpp16Requests,
  type Ocpp201Request,
} from '@app/ocpp';
import { DispatchCommand, type ChargerAnswer, type CommandTarget } from './dispatch-command';
import type { ConnectionDirectory, OcppEventSink } from './ports';

/** One valid OCPP 1.6 request per outbound action (the official schemas decide what valid is). */
const VALID: { [A in OcppOutboundAction]: Ocpp16Requests[A] } = {
  RemoteStartTransaction: { connectorId: 1, idTag: 'REMOTE01' },
  RemoteStopTransaction: { transactionId: 42 },
  Reset: { type: 'Soft' },
  ChangeAvailability: { connectorId: 0, type: 'Inoperative' },
  ChangeConfiguration: { key: 'HeartbeatInterval', value: '60' },
  GetConfiguration: { key: ['HeartbeatInterval'] },
  UnlockConnector: { connectorId: 1 },
  TriggerMessage: { requestedMessage: 'StatusNotification', connectorId: 1 },
  ClearCache: {},
  DataTransfer: { vendorId: 'com.example', messageId: 'hello', data: '{"x":1}' },
  GetDiagnostics: { location: 'ftp://diag.example.com/upload', retries: 2, retryInterval: 60 },
  UpdateFirmware: { location: 'https://fw.example.com/2.1.bin', retrieveDate: '2026-01-01T00:00:00.000Z' },
  SendLocalList: {
    listVersion: 3,
    updateType: 'Full',
    localAuthorizationList: [{ idTag: 'AABBCCDD', idTagInfo: { status: 'Accepted' } }],
  },
  GetLocalListVersion: {},
};

/** One schema-breaking request per action and the CALLERROR code it must get. */
const INVALID: { [A in OcppOutboundAction]: [Record<string, unknown>, string] } = {
  RemoteStartTransaction: [{ connectorId: 1 }, 'OccurenceConstraintViolation'],
  RemoteStopTransaction: [{ transactionId: 'x' }, 'TypeConstraintViolation'],
  Reset: [{ type: 'Medium' }, 'PropertyConstraintViolation'],
  ChangeAvailability: [{ connectorId: 0 }, 'OccurenceConstraintViolation'],
  ChangeConfiguration: [{ key: 'k'.repeat(51), value: '1' }, 'PropertyConstraintViolation'],
  GetConfiguration: [{ key: 'HeartbeatInterval' }, 'TypeConstraintViolation'],
  UnlockConnector: [{}, 'OccurenceConstraintViolation'],
  TriggerMessage: [{ requestedMessage: 'StartTransaction' }, 'PropertyConstraintViolation'],
  ClearCache: [{ all: true }, 'OccurenceConstraintViolation'],
  DataTransfer: [{ messageId: 'hello' }, 'OccurenceConstraintViolation'],
  GetDiagnostics: [{ retries: 2 }, 'OccurenceConstraintViolation'],
  UpdateFirmware: [
    { location: 'https://fw.example.com/2.1.bin', retrieveDate: 'tomorrow' },
    'TypeConstraintViolation',
  ],
  SendLocalList: [{ listVersion: 3 }, 'OccurenceConstraintViolation'],
  GetLocalListVersion: [{ listVersion: 1 }, 'OccurenceConstraintViolation'],
};

/**
 * One valid OCPP 2.0.1 request per outbound action, as it travels on `ocpp.v201.commands`
 * (CostUpdated's totalCost a decimal string, the one difference to the 2.0.1 schema).
 */
const VALID_201: { [A in Ocpp201OutboundAction]: Record<string, unknown> } = {
  RequestStartTransaction: {
    idToken: { idToken: 'REMOTE01', type: 'Central' },
    evseId: 1,
    remoteStartId: 42,
  } satisfies Ocpp201Request<'RequestStartTransaction'>,
  RequestStopTransaction: { transactionId: 'tx-1' } satisfies Ocpp201Request<'RequestStopTransaction'>,
  Reset: { type: 'Immediate' } satisfies Ocpp201Request<'Reset'>,
  UnlockConnector: { evseId: 1, connectorId: 1 } satisfies Ocpp201Request<'UnlockConnector'>,
  ChangeAvailability: { operationalStatus: 'Inoperative' } satisfies Ocpp201Request<'ChangeAvailability'>,
  GetVariables: {
    getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
  } satisfies Ocpp201Request<'GetVariables'>,
  SetVariables: {
    setVariableData: [
      { attributeValue: '60', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
    ],
  } satisfies Ocpp201Request<'SetVariables'>,
  TriggerMessage: {
    requestedMessage: 'StatusNotification',
    evse: { id: 1, connectorId: 1 },
  } satisfies Ocpp201Request<'TriggerMessage'>,
  GetBaseReport: { requestId: 7, reportBase: 'FullInventory' } satisfies Ocpp201Request<'GetBaseReport'>,
  CostUpdated: { totalCost: '12.34', transactionId: 'tx-1' },
};

/** One schema-breaking 2.0.1 request per action and the 2.0.1 code it must get. */
const INVALID_201: { [A in Ocpp201OutboundAction]: [Record<string, unknown>, string] } = {
  RequestStartTransaction: [{ evseId: 1, remoteStartId: 1 }, 'OccurrenceConstraintViolation'],
  RequestStopTransaction: [{ transactionId: 'x'.repeat(37) }, 'PropertyConstraintViolation'],
  Reset: [{ type: 'Soft' }, 'PropertyConstraintViolation'],
  UnlockConnector: [{ evseId: 1 }, 'OccurrenceConstraintViolation'],
  ChangeAvailability: [{ operationalStatus: 'Inoperative', colour: 'red' }, 'OccurrenceConstraintViolation'],
  GetVariables: [{ getVariableData: [] }, 'OccurrenceConstraintViolation'],
  SetVariables: [{ setVariableData: 'HeartbeatInterval=60' }, 'TypeConstraintViolation'],
  TriggerMessage: [{ requestedMessage: 'StartTransaction' }, 'PropertyConstraintViolation'],
  GetBaseReport: [{ requestId: 1.5, reportBase: 'FullInventory' }, 'TypeConstraintViolation'],
  CostUpdated: [{ totalCost: '12.34' }, 'OccurrenceConstraintViolation'],
};

class Target implements CommandTarget {
  sent: Array<{ action: string; payload: Record<string, unknown> }> = [];
  /** The payloads as they go on the wire (LosslessNumbers as their text). */
  wire: string[] = [];
  answer: ChargerAnswer = { type: 'result', payload: { status: 'Accepted' } };
  constructor(readonly protocol: ChargerProtocol = 'ocpp1.6') {}
  async sendCall(action: string, payload: Record<string, unknown>): Promise<ChargerAnswer> {
    this.sent.push({ action, payload });
    this.wire.push(stringifyWithLosslessNumbers(payload));
    return this.answer;
  }
}

function setup(protocol: ChargerProtocol = 'ocpp1.6') {
  const target = new Target(protocol);
  const results: AnyOcppCommandResult[] = [];
  const topics: ChargerProtocol[] = [];
  const grants: string[] = [];
  const sink = {
    commandResult: async (r: AnyOcppCommandResult, p: ChargerProtocol) => {
      results.push(r);
      topics.push(p);
    },
  } as unknown as OcppEventSink;
  const dispatch = new DispatchCommand({
    gatewayId: 'gw-1',
    local: { get: (id) => (id === 'CP-1' ? target : undefined) },
    directory: {} as ConnectionDirectory,
    sink,
    validators: { 'ocpp1.6': new Ocpp16Validator(), 'ocpp2.0.1': new Ocpp201Validator() },
    grants: { grantRemoteStartIdTag: async (_cp, idTag) => void grants.push(idTag) },
  });
  return { target, results, topics, grants, dispatch };
}

const command201 = (action: Ocpp201OutboundAction, payload: Record<string, unknown>): AnyOcppCommand => ({
  commandId: `cmd-${action}`,
  chargePointId: 'CP-1',
  action,
  payload,
  deadline: new Date(Date.now() + 10_000).toISOString(),
  requestedBy: 'test',
});

const command = (action: OcppOutboundAction, payload: Record<string, unknown>): OcppCommand => ({
  commandId: `cmd-${action}`,
  chargePointId: 'CP-1',
  action,
  payload,
  deadline: new Date(Date.now() + 10_000).toISOString(),
  requestedBy: 'test',
});

describe('DispatchCommand: every outbound action of the contracts', () => {
  it('covers exactly OCPP_OUTBOUND_ACTIONS (the gateway keeps no list of its own)', () => {
    expect(Object.keys(VALID).sort()).toEqual([...OCPP_OUTBOUND_ACTIONS].sort());
  });

  it.each(OCPP_OUTBOUND_ACTIONS)(
    '%s: a schema-valid request goes to the charger and its answer is reported',
    async (action) => {
      const { target, results, dispatch } = setup();
      const result = await dispatch.execute(
        command(action, VALID[action] as Record<string, unknown>),
        'ocpp1.6',
      );
      expect(target.sent).toEqual([{ action, payload: VALID[action] }]);
      expect(result).toMatchObject({
        outcome: 'Result',
        action,
        payload: { status: 'Accepted' },
        gatewayId: 'gw-1',
      });
      expect(results).toEqual([result]);
    },
  );

  it.each(OCPP_OUTBOUND_ACTIONS)(
    '%s: a request that breaks the 1.6 schema is never sent, and says why',
    async (action) => {
      const { target, dispatch, grants } = setup();
      const [payload, code] = INVALID[action];
      const result = await dispatch.execute(command(action, payload), 'ocpp1.6');
      expect(target.sent).toEqual([]);
      expect(grants).toEqual([]);
      expect(result).toMatchObject({ outcome: 'Error', action, error: { code } });
      expect(result?.error?.description).toContain(action);
    },
  );
});

describe('DispatchCommand: OCPP 2.0.1 commands', () => {
  it('covers exactly OCPP201_OUTBOUND_ACTIONS', () => {
    expect(Object.keys(VALID_201).sort()).toEqual([...OCPP201_OUTBOUND_ACTIONS].sort());
    expect(Object.keys(INVALID_201).sort()).toEqual([...OCPP201_OUTBOUND_ACTIONS].sort());
  });

  it.each(OCPP201_OUTBOUND_ACTIONS)(
    '%s: a valid request goes to the station, its answer to the 2.0.1 results topic',
    async (action) => {
      const { target, results, topics, dispatch } = setup('ocpp2.0.1');
      const result = await dispatch.execute(command201(action, VALID_201[action]), 'ocpp2.0.1');
      expect(target.sent.map((c) => c.action)).toEqual([action]);
      expect(result).toMatchObject({ outcome: 'Result', action, payload: { status: 'Accepted' } });
      expect(results).toEqual([result]);
      expect(topics).toEqual(['ocpp2.0.1']);
    },
  );

  it.each(OCPP201_OUTBOUND_ACTIONS)(
    '%s: a request that breaks the 2.0.1 schema is never sent, and gets its 2.0.1 code',
    async (action) => {
      const { target, dispatch, grants, topics } = setup('ocpp2.0.1');
      const [payload, code] = INVALID_201[action];
      const result = await dispatch.execute(command201(action, payload), 'ocpp2.0.1');
      expect(target.sent).toEqual([]);
      expect(grants).toEqual([]);
      expect(result).toMatchObject({ outcome: 'Error', action, error: { code } });
      expect(result?.error?.description).toContain(action);
      expect(topics).toEqual(['ocpp2.0.1']);
    },
  );

  it('grants RequestStartTransaction idToken.idToken to the station before sending it', async () => {
    const { target, grants, dispatch } = setup('ocpp2.0.1');
    await dispatch.execute(
      command201('RequestStartTransaction', VALID_201.RequestStartTransaction),
      'ocpp2.0.1',
    );
    expect(grants).toEqual(['REMOTE01']);
    expect(target.sent).toHaveLength(1);
  });

  it.each([
    ['12.34', '12.34'],
    ['0', '0'],
    ['-3.5', '-3.5'],
    ['12345678901234567890.123456789012345678', '12345678901234567890.123456789012345678'],
    ['0.10', '0.10'],
  ])('CostUpdated totalCost "%s" goes on the wire as the JSON number %s, exactly', async (text, onWire) => {
    const { target, dispatch } = setup('ocpp2.0.1');
    const result = await dispatch.execute(
      command201('CostUpdated', { totalCost: text, transactionId: 'tx-9' }),
      'ocpp2.0.1',
    );
    expect(result?.outcome).toBe('Result');
    expect(target.wire).toEqual([`{"totalCost":${onWire},"transactionId":"tx-9"}`]);
  });

  it.each([['12,34'], ['1e3'], ['.5'], ['007'], [''], ['12.'], [12.34], [null]])(
    'CostUpdated totalCost %p is refused PropertyConstraintViolation, never sent',
    async (totalCost) => {
      const { target, dispatch } = setup('ocpp2.0.1');
      const result = await dispatch.execute(
        command201('CostUpdated', { totalCost, transactionId: 'tx-9' }),
        'ocpp2.0.1',
      );
      expect(target.sent).toEqual([]);
      expect(result).toMatchObject({ outcome: 'Error', error: { code: 'PropertyConstraintViolation' } });
    },
  );

  it("answers a command for a station connected with the other protocol NotSupported, on the command's topic", async () => {
    const to201 = setup('ocpp2.0.1');
    const r1 = await to201.dispatch.execute(command('Reset', { type: 'Soft' }), 'ocpp1.6');
    expect(r1).toMatchObject({
      outcome: 'Error',
      error: { code: 'NotSupported', description: 'the charger is connected with ocpp2.0.1' },
    });
    expect(to201.topics).toEqual(['ocpp1.6']);
    expect(to201.target.sent).toEqual([]);
    const to16 = setup('ocpp1.6');
    const r2 = await to16.dispatch.execute(command201('Reset', { type: 'Immediate' }), 'ocpp2.0.1');
    expect(r2).toMatchObject({
      outcome: 'Error',
      error: { code: 'NotSupported', description: 'the charger is connected with ocpp1.6' },
    });
    expect(to16.topics).toEqual(['ocpp2.0.1']);
    expect(to16.grants).toEqual([]);
  });

  it("reports the station's CALLERROR as the connection spelled it", async () => {
    const { target, dispatch } = setup('ocpp2.0.1');
    target.answer = { type: 'error', code: 'FormatViolation', description: 'bad', details: {} };
    const result = await dispatch.execute(command201('Reset', { type: 'OnIdle' }), 'ocpp2.0.1');
    expect(result).toMatchObject({
      outcome: 'Error',
      error: { code: 'FormatViolation', description: 'bad' },
    });
  });
});
