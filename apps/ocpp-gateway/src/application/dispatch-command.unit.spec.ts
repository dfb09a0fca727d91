import {
  OCPP_OUTBOUND_ACTIONS,
  type OcppCommand,
  type OcppCommandResult,
  type OcppOutboundAction,
} from '@app/contracts';
import { Ocpp16Validator, type Ocpp16Requests } from '@app/ocpp';
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

class Target implements CommandTarget {
  sent: Array<{ action: string; payload: Record<string, unknown> }> = [];
  async sendCall(action: string, payload: Record<string, unknown>): Promise<ChargerAnswer> {
    this.sent.push({ action, payload });
    return { type: 'result', payload: { status: 'Accepted' } };
  }
}

function setup() {
  const target = new Target();
  const results: OcppCommandResult[] = [];
  const grants: string[] = [];
  const sink = {
    commandResult: async (r: OcppCommandResult) => void results.push(r),
  } as unknown as OcppEventSink;
  const dispatch = new DispatchCommand({
    gatewayId: 'gw-1',
    local: { get: (id) => (id === 'CP-1' ? target : undefined) },
    directory: {} as ConnectionDirectory,
    sink,
    validator: new Ocpp16Validator(),
    grants: { grantRemoteStartIdTag: async (_cp, idTag) => void grants.push(idTag) },
  });
  return { target, results, grants, dispatch };
}

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
      const result = await dispatch.execute(command(action, VALID[action] as Record<string, unknown>));
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
      const result = await dispatch.execute(command(action, payload));
      expect(target.sent).toEqual([]);
      expect(grants).toEqual([]);
      expect(result).toMatchObject({ outcome: 'Error', action, error: { code } });
      expect(result?.error?.description).toContain(action);
    },
  );
});
