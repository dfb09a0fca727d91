import {
  makeEnvelope,
  OCPP201_COMMAND_RESULT_SCHEMA,
  OCPP_EVENTS_SOURCE,
  topicName,
  type Ocpp201Command,
  type Ocpp201CommandResult,
  type OcppCommand,
  type OcppCommandResult,
} from '@app/contracts';
import { buildOpenApiDocument } from '@app/observability';
import { startApiHarness, testApiKey, type ApiHarness } from '../testing/api-harness';
import { GatewayRecords } from '../testing/gateway-records';
import { Gateway201Records } from '../testing/gateway-records-201';
import { readTopic, waitFor } from '../testing/harness';

/**
 * POST /v1/chargers/:id/commands/:action and /local-list over HTTP, against the real broker and
 * Postgres. The gateway is played by a consumer of `ocpp.v16.commands` that answers on
 * `ocpp.v16.command-results` with records shaped as the gateway's contract says
 * (libs/contracts ocpp-commands.ts), per charger:
 * - CP-CMD-OK: Reset Accepted, UnlockConnector UnlockFailed, DataTransfer CALLERROR NotSupported,
 *   GetConfiguration its keys, SendLocalList Accepted (Full) / VersionMismatch (Differential),
 *   RemoteStartTransaction Rejected, anything else Accepted;
 * - CP-CMD-SILENT: never answers;
 * - CP-CMD-OFF: Offline to everything, as a gateway with no connection to the charger does.
 * CS-CMD-201 is an OCPP 2.0.1 station: its commands are read from `ocpp.v201.commands` and
 * answered on `ocpp.v201.command-results` (GetVariables its values, Reset Scheduled,
 * UnlockConnector OngoingAuthorizedTransaction, RequestStartTransaction Rejected).
 */
describe('charger commands API (real Kafka + Postgres)', () => {
  const FLEET = 'fleet-cmd';
  const WAIT_SECONDS = 3;
  const keys = {
    operator: testApiKey('operator', 'ops', ['operator']),
    fleet: testApiKey('fleet_cmd', 'fleet', ['fleet'], FLEET),
  };
  let h: ApiHarness<keyof typeof keys>;
  const OPERATOR_KEY = keys.operator.key;
  const FLEET_KEY = keys.fleet.key;
  let operatorKeyId: string;
  /** Every command the stand-in gateway received, in order. */
  const received: OcppCommand[] = [];

  const ok = new GatewayRecords('CP-CMD-OK', FLEET);
  const silent = new GatewayRecords('CP-CMD-SILENT', FLEET);
  const off = new GatewayRecords('CP-CMD-OFF', FLEET);

  const api = (method: string, path: string, key: string | null = OPERATOR_KEY, body?: unknown) =>
    h.api(method, path, key, body);

  function answer(cmd: OcppCommand): Partial<OcppCommandResult> | null {
    if (cmd.chargePointId === 'CP-CMD-SILENT') return null;
    if (cmd.chargePointId === 'CP-CMD-OFF') return { outcome: 'Offline' };
    switch (cmd.action) {
      case 'Reset':
        return { outcome: 'Result', payload: { status: 'Accepted' } };
      case 'UnlockConnector':
        return { outcome: 'Result', payload: { status: 'UnlockFailed' } };
      case 'DataTransfer':
        return {
          outcome: 'Error',
          error: { code: 'NotSupported', description: 'no vendor extensions here' },
        };
      case 'GetConfiguration':
        return {
          outcome: 'Result',
          payload: { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] },
        };
      case 'SendLocalList':
        return {
          outcome: 'Result',
          payload: { status: cmd.payload.updateType === 'Full' ? 'Accepted' : 'VersionMismatch' },
        };
      case 'RemoteStartTransaction':
        return { outcome: 'Result', payload: { status: 'Rejected' } };
      default:
        return { outcome: 'Result', payload: { status: 'Accepted' } };
    }
  }

  beforeAll(async () => {
    h = await startApiHarness('sess_cmd', {
      keys,
      env: { COMMAND_TIMEOUT_SECONDS: '5', COMMAND_WAIT_SECONDS: String(WAIT_SECONDS) },
      beforeStart: async (sql) => {
        // The registry (H-reg's tables): a charger registered but never connected, one deactivated,
        // and the fleet's id tags (each change takes the next registry version).
        await sql.query(
          `insert into charger_registry (charge_point_id, fleet_id, version, updated_by, active, deactivated_at)
           values ('CP-CMD-REG', $1, nextval('registry_versions'), 'test', true, null),
                  ('CP-CMD-GONE', $1, nextval('registry_versions'), 'test', false, now())`,
          [FLEET],
        );
        await sql.query(
          `insert into registry_id_tags (fleet_id, id_tag, status, expiry_date, parent_id_tag, version, updated_by) values
             ($1, 'RFID-A', 'Accepted', '2027-06-01T00:00:00Z', 'GROUP-1', nextval('registry_versions'), 'test'),
             ($1, 'RFID-B', 'Blocked', null, null, nextval('registry_versions'), 'test'),
             ('other-fleet', 'RFID-X', 'Accepted', null, null, nextval('registry_versions'), 'test')`,
          [FLEET],
        );
      },
    });
    operatorKeyId = h.keyIds.operator;
    await h.answerCommands(
      (cmd) => {
        received.push(cmd);
        return answer(cmd);
      },
      { gatewayId: 'gw-test' },
    );
    const now = new Date();
    await h.publish([
      ok.connected({}, now),
      silent.connected({}, now),
      off.connected({}, now),
      // Connector 2 of CP-CMD-OK is out of order: a start there that the charger rejects says why.
      ok.status(2, 'Unavailable', now),
    ]);
    await waitFor(
      async () => {
        const { rows } = await h.sql.query(
          `select (select count(*)::int from chargers where charge_point_id like 'CP-CMD-%') as chargers,
                  (select count(*)::int from connectors where charge_point_id = 'CP-CMD-OK' and status = 'Unavailable') as unavailable`,
        );
        return rows[0].chargers === 3 && rows[0].unavailable === 1;
      },
      30000,
      'the chargers projection',
    );
  });

  afterAll(async () => {
    await h?.close();
  });

  async function auditOf(commandId: string) {
    const { rows } = await h.sql.query<{
      id: string;
      action: string;
      actor_kind: string;
      actor_id: string;
      target_type: string;
      target_id: string;
      details: Record<string, unknown>;
    }>(
      `select id::text, action, actor_kind, actor_id, target_type, target_id, details
         from auth_audit_log where details->>'command_id' = $1 order by seq`,
      [commandId],
    );
    return rows;
  }

  describe('who may send', () => {
    it('needs a credential (401) with the operator role: a fleet key is 403', async () => {
      expect(
        await api('POST', '/v1/chargers/CP-CMD-OK/commands/Reset', null, { type: 'Soft' }),
      ).toMatchObject({
        status: 401,
      });
      const r = await api('POST', '/v1/chargers/CP-CMD-OK/commands/Reset', FLEET_KEY, { type: 'Soft' });
      expect(r).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
      expect(await api('POST', '/v1/chargers/CP-CMD-OK/local-list', FLEET_KEY, {})).toMatchObject({
        status: 403,
      });
      // Nothing left for the charger.
      expect(received.filter((c) => c.action === 'Reset')).toEqual([]);
    });
  });

  describe('what is refused before anything is sent', () => {
    it('an unknown action, or one of the sessions API, is 404 UNKNOWN_COMMAND', async () => {
      for (const action of [
        'Frobnicate',
        'RemoteStartTransaction',
        'RemoteStopTransaction',
        'RequestStartTransaction',
        'RequestStopTransaction',
        'CostUpdated',
        'reset',
      ]) {
        const r = await api('POST', `/v1/chargers/CP-CMD-OK/commands/${action}`, OPERATOR_KEY, {});
        expect(r).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_COMMAND' } } });
        expect(r.body.error.message).toContain(`"${action}"`);
      }
    });

    it.each([
      ['Reset', {}, 'missing required field "type"'],
      ['Reset', { type: 'Cold' }, '/type must be one of Hard, Soft'],
      ['ChangeAvailability', { connectorId: 'one', type: 'Inoperative' }, '/connectorId must be integer'],
      [
        'ChangeConfiguration',
        { key: 'HeartbeatInterval', value: '300', extra: 1 },
        'unexpected field "extra"',
      ],
      ['TriggerMessage', { requestedMessage: 'Coffee' }, '/requestedMessage must be one of'],
    ])('%s %j is 400 INVALID_COMMAND naming the field', async (action, body, named) => {
      const r = await api('POST', `/v1/chargers/CP-CMD-OK/commands/${action}`, OPERATOR_KEY, body);
      expect(r).toMatchObject({ status: 400, body: { error: { code: 'INVALID_COMMAND' } } });
      expect(r.body.error.message).toContain(named);
      expect(r.body.error.message.startsWith(`${action}: `)).toBe(true);
    });

    it('a charger neither registered nor ever connected, or deactivated, is 404 CHARGER_NOT_FOUND', async () => {
      const unknown = await api('POST', '/v1/chargers/CP-NOBODY/commands/ClearCache', OPERATOR_KEY, {});
      expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'CHARGER_NOT_FOUND' } } });
      const gone = await api('POST', '/v1/chargers/CP-CMD-GONE/commands/ClearCache', OPERATOR_KEY, {});
      expect(gone).toMatchObject({ status: 404, body: { error: { code: 'CHARGER_NOT_FOUND' } } });
      expect(gone.body.error.message).toContain('deactivated');
      expect(
        received.filter((c) => c.chargePointId === 'CP-NOBODY' || c.chargePointId === 'CP-CMD-GONE'),
      ).toEqual([]);
    });
  });

  describe('what the charger answered', () => {
    it('Reset Accepted is 200 with its answer; the command, its deadline and both audit entries are recorded', async () => {
      const t0 = Date.now();
      const r = await api('POST', '/v1/chargers/CP-CMD-OK/commands/Reset', OPERATOR_KEY, { type: 'Soft' });
      expect(r).toMatchObject({
        status: 200,
        body: { charger_id: 'CP-CMD-OK', action: 'Reset', response: { status: 'Accepted' } },
      });
      const commandId = r.body.command_id as string;
      const sent = received.find((c) => c.commandId === commandId)!;
      expect(sent).toMatchObject({ chargePointId: 'CP-CMD-OK', action: 'Reset', payload: { type: 'Soft' } });
      expect(sent.sessionId).toBeUndefined();
      // The gateway gives up a second before the request must be answered.
      const deadlineIn = Date.parse(sent.deadline) - t0;
      expect(deadlineIn).toBeGreaterThan((WAIT_SECONDS - 1) * 1000 - 500);
      expect(deadlineIn).toBeLessThanOrEqual((WAIT_SECONDS - 1) * 1000 + 500);
      const { rows } = await h.sql.query(
        `select session_id, charge_point_id, action, outcome, result from commands where command_id = $1`,
        [commandId],
      );
      expect(rows[0]).toMatchObject({
        session_id: null,
        charge_point_id: 'CP-CMD-OK',
        action: 'Reset',
        outcome: 'Result',
        result: { payload: { status: 'Accepted' } },
      });
      const audit = await auditOf(commandId);
      expect(audit.map((a) => a.action)).toEqual(['charger.command_sent', 'charger.command_answered']);
      for (const a of audit)
        expect(a).toMatchObject({
          actor_kind: 'api_key',
          actor_id: operatorKeyId,
          target_type: 'charger',
          target_id: 'CP-CMD-OK',
        });
      expect(audit[0].id).toBe(commandId);
      expect(audit[0].details).toEqual({
        command: 'Reset',
        command_id: commandId,
        session_id: null,
        fleet_id: FLEET,
      });
      expect(audit[1].details).toMatchObject({ outcome: 'answered', status: 'Accepted', http_status: 200 });
    });

    it('GetConfiguration (no status in its answer) is 200 with the keys', async () => {
      const r = await api('POST', '/v1/chargers/CP-CMD-OK/commands/GetConfiguration', OPERATOR_KEY, {
        key: ['HeartbeatInterval'],
      });
      expect(r).toMatchObject({
        status: 200,
        body: {
          response: { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] },
        },
      });
    });

    it('a registered charger the projection has never seen gets commands too', async () => {
      const r = await api('POST', '/v1/chargers/CP-CMD-REG/commands/ClearCache', OPERATOR_KEY, {});
      expect(r).toMatchObject({
        status: 200,
        body: { charger_id: 'CP-CMD-REG', response: { status: 'Accepted' } },
      });
    });

    it('UnlockConnector answered UnlockFailed is 502 CHARGER_REJECTED naming the status, audited as rejected', async () => {
      const r = await api('POST', '/v1/chargers/CP-CMD-OK/commands/UnlockConnector', OPERATOR_KEY, {
        connectorId: 1,
      });
      expect(r).toMatchObject({ status: 502, body: { error: { code: 'CHARGER_REJECTED' } } });
      expect(r.body.error.message).toBe(
        'charger CP-CMD-OK did not do UnlockConnector: it answered status UnlockFailed',
      );
      const cmd = received.find((c) => c.action === 'UnlockConnector')!;
      const audit = await auditOf(cmd.commandId);
      expect(audit.map((a) => a.action)).toEqual(['charger.command_sent', 'charger.command_answered']);
      expect(audit[1].details).toMatchObject({
        outcome: 'rejected',
        status: 'UnlockFailed',
        http_status: 502,
        error: 'CHARGER_REJECTED',
      });
    });

    it('a CALLERROR is 502 CHARGER_ERROR naming its code and description', async () => {
      const r = await api('POST', '/v1/chargers/CP-CMD-OK/commands/DataTransfer', OPERATOR_KEY, {
        vendorId: 'com.example',
        messageId: 'ping',
      });
      expect(r).toMatchObject({ status: 502, body: { error: { code: 'CHARGER_ERROR' } } });
      expect(r.body.error.message).toBe(
        'charger CP-CMD-OK answered DataTransfer with CALLERROR NotSupported (no vendor extensions here)',
      );
    });

    it('no answer is 504 CHARGER_TIMEOUT once COMMAND_WAIT_SECONDS are over, audited as timeout', async () => {
      const t0 = Date.now();
      const r = await api('POST', '/v1/chargers/CP-CMD-SILENT/commands/GetConfiguration', OPERATOR_KEY, {});
      const elapsed = Date.now() - t0;
      expect(r).toMatchObject({ status: 504, body: { error: { code: 'CHARGER_TIMEOUT' } } });
      expect(r.body.error.message).toBe(
        `charger CP-CMD-SILENT did not answer GetConfiguration within ${WAIT_SECONDS} s`,
      );
      expect(elapsed).toBeGreaterThanOrEqual(WAIT_SECONDS * 1000 - 100);
      expect(elapsed).toBeLessThan(WAIT_SECONDS * 1000 + 1500);
      const cmd = received.find((c) => c.chargePointId === 'CP-CMD-SILENT')!;
      expect((await auditOf(cmd.commandId)).map((a) => [a.action, a.details.outcome])).toEqual([
        ['charger.command_sent', undefined],
        ['charger.command_answered', 'timeout'],
      ]);
    });

    it('a charger no gateway holds is 409 CHARGER_OFFLINE', async () => {
      const r = await api('POST', '/v1/chargers/CP-CMD-OFF/commands/Reset', OPERATOR_KEY, { type: 'Hard' });
      expect(r).toMatchObject({ status: 409, body: { error: { code: 'CHARGER_OFFLINE' } } });
      expect(r.body.error.message).toContain('not connected to any gateway');
    });
  });

  describe('local authorization list', () => {
    it("pushes the fleet's id tags (and only its own) as a Full SendLocalList; 200 with list_version and entries", async () => {
      const { rows } = await h.sql.query<{ v: string }>(
        `select max(version)::text as v from registry_id_tags where fleet_id = $1`,
        [FLEET],
      );
      const r = await api('POST', '/v1/chargers/CP-CMD-OK/local-list', OPERATOR_KEY, {});
      expect(r).toMatchObject({
        status: 200,
        body: {
          charger_id: 'CP-CMD-OK',
          action: 'SendLocalList',
          response: { status: 'Accepted' },
          list_version: Number(rows[0].v),
          entries: 2,
        },
      });
      const sent = received.find((c) => c.commandId === r.body.command_id)!;
      expect(sent.payload).toEqual({
        listVersion: Number(rows[0].v),
        updateType: 'Full',
        localAuthorizationList: [
          {
            idTag: 'RFID-A',
            idTagInfo: { status: 'Accepted', expiryDate: '2027-06-01T00:00:00.000Z', parentIdTag: 'GROUP-1' },
          },
          { idTag: 'RFID-B', idTagInfo: { status: 'Blocked' } },
        ],
      });
      const audit = await auditOf(r.body.command_id);
      expect(audit[0].details).toMatchObject({ command: 'SendLocalList', update_type: 'Full', entries: 2 });
    });

    it('a Differential the charger answers VersionMismatch is 502; a bad update_type 400', async () => {
      const r = await api('POST', '/v1/chargers/CP-CMD-OK/local-list', OPERATOR_KEY, {
        update_type: 'Differential',
      });
      expect(r).toMatchObject({ status: 502, body: { error: { code: 'CHARGER_REJECTED' } } });
      expect(r.body.error.message).toContain('status VersionMismatch');
      const bad = await api('POST', '/v1/chargers/CP-CMD-OK/local-list', OPERATOR_KEY, {
        update_type: 'Some',
      });
      expect(bad).toMatchObject({ status: 400, body: { error: { code: 'INVALID_BODY' } } });
      expect(bad.body.error.message).toContain('update_type');
    });
  });

  describe('why a remote start failed', () => {
    async function startAndFail(evse: string, reason: string) {
      const start = await api('POST', '/v1/sessions/start', FLEET_KEY, { evse });
      expect(start).toMatchObject({
        status: 201,
        body: { session: { status: 'STARTING', failure_reason: null } },
      });
      const id = start.body.session.id as string;
      const failed = await waitFor(
        async () => {
          const g = await api('GET', `/v1/sessions/${id}`, FLEET_KEY);
          return g.body.session.status === 'FAILED' ? g.body.session : null;
        },
        20000,
        `session ${id} FAILED`,
      );
      expect(failed).toMatchObject({ status: 'FAILED', failure_reason: reason, stop_reason: null });
      return id;
    }

    it('a start to a charger the gateway reports Offline is FAILED with CHARGER_OFFLINE, in the API and in SessionFailed', async () => {
      const id = await startAndFail('CP-CMD-OFF*1', 'CHARGER_OFFLINE');
      // The first session of this test: its SessionRequested and SessionFailed are the topic's first two records.
      const records = await readTopic(h.tk.kafka, topicName('chargingSessions', h.tk.prefix), 2);
      expect(records.map((r) => [r.key, r.value.type])).toEqual([
        [id, 'SessionRequested'],
        [id, 'SessionFailed'],
      ]);
      expect(records[1].value.data).toMatchObject({
        sessionId: id,
        reason: 'CHARGER_OFFLINE',
        chargePointId: 'CP-CMD-OFF',
      });
    });

    it('a start the charger rejects on a connector it reported Unavailable is FAILED with CONNECTOR_UNAVAILABLE', async () => {
      await startAndFail('CP-CMD-OK*2', 'CONNECTOR_UNAVAILABLE');
    });

    it('a start the charger rejects on a usable connector is FAILED with CHARGER_REJECTED', async () => {
      await startAndFail('CP-CMD-OK*1', 'CHARGER_REJECTED');
    });
  });

  describe('an OCPP 2.0.1 station', () => {
    const station = new Gateway201Records('CS-CMD-201', FLEET);
    const received201: Ocpp201Command[] = [];

    function answer201(cmd: Ocpp201Command): Partial<Ocpp201CommandResult> {
      switch (cmd.action) {
        case 'GetVariables':
          return {
            payload: {
              getVariableResult: [
                {
                  attributeStatus: 'Accepted',
                  attributeValue: '300',
                  component: { name: 'OCPPCommCtrlr' },
                  variable: { name: 'HeartbeatInterval' },
                },
              ],
            },
          };
        case 'Reset':
          return { payload: { status: 'Scheduled' } };
        case 'UnlockConnector':
          return { payload: { status: 'OngoingAuthorizedTransaction' } };
        case 'RequestStartTransaction':
          return { payload: { status: 'Rejected' } };
        default:
          return { payload: { status: 'Accepted' } };
      }
    }

    beforeAll(async () => {
      await h.consume('ocppV201Commands', async (message) => {
        const cmd = JSON.parse(message.value!.toString()).data as Ocpp201Command;
        received201.push(cmd);
        const env = makeEnvelope({
          type: 'OcppCommandCompleted',
          source: OCPP_EVENTS_SOURCE,
          subject: cmd.commandId,
          schema: OCPP201_COMMAND_RESULT_SCHEMA,
          data: {
            commandId: cmd.commandId,
            chargePointId: cmd.chargePointId,
            action: cmd.action,
            outcome: 'Result',
            completedAt: new Date().toISOString(),
            gatewayId: 'gw-test',
            ...(cmd.sessionId ? { sessionId: cmd.sessionId } : {}),
            ...answer201(cmd),
          } as Ocpp201CommandResult,
        });
        await h.send('ocppV201CommandResults', [{ key: cmd.commandId, value: JSON.stringify(env) }]);
      });
      const now = new Date();
      await h.send('ocppV201Events', [station.connected({}, now), station.status(1, 'Available', now)]);
      await waitFor(
        async () => {
          const { rows } = await h.sql.query(
            `select protocol from chargers where charge_point_id = 'CS-CMD-201' and connected`,
          );
          return rows[0]?.protocol === 'ocpp2.0.1';
        },
        30000,
        'CS-CMD-201 connected with ocpp2.0.1 in the chargers projection',
      );
    });

    it('GetVariables is checked against its 2.0.1 schema, sent on ocpp.v201.commands and answered 200 with the variable results', async () => {
      const body = {
        getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
      };
      const r = await api('POST', '/v1/chargers/CS-CMD-201/commands/GetVariables', OPERATOR_KEY, body);
      expect(r).toMatchObject({
        status: 200,
        body: {
          charger_id: 'CS-CMD-201',
          action: 'GetVariables',
          response: { getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: '300' }] },
        },
      });
      expect(received201.find((c) => c.commandId === r.body.command_id)).toMatchObject({
        action: 'GetVariables',
        payload: body,
      });
      expect(received.filter((c) => c.chargePointId === 'CS-CMD-201')).toEqual([]);
      const audit = await auditOf(r.body.command_id);
      expect(audit.map((a) => [a.action, a.details.command])).toEqual([
        ['charger.command_sent', 'GetVariables'],
        ['charger.command_answered', 'GetVariables'],
      ]);
    });

    it('Reset takes the 2.0.1 body (Immediate/OnIdle): Scheduled is 200; a 1.6 body is 400 naming the field', async () => {
      const ok = await api('POST', '/v1/chargers/CS-CMD-201/commands/Reset', OPERATOR_KEY, {
        type: 'OnIdle',
      });
      expect(ok).toMatchObject({ status: 200, body: { response: { status: 'Scheduled' } } });
      const bad = await api('POST', '/v1/chargers/CS-CMD-201/commands/Reset', OPERATOR_KEY, { type: 'Soft' });
      expect(bad).toMatchObject({ status: 400, body: { error: { code: 'INVALID_COMMAND' } } });
      expect(bad.body.error.message).toMatch(/^Reset: .*\/type/);
    });

    it('UnlockConnector answered OngoingAuthorizedTransaction is 502 CHARGER_REJECTED naming the status', async () => {
      const r = await api('POST', '/v1/chargers/CS-CMD-201/commands/UnlockConnector', OPERATOR_KEY, {
        evseId: 1,
        connectorId: 1,
      });
      expect(r).toMatchObject({ status: 502, body: { error: { code: 'CHARGER_REJECTED' } } });
      expect(r.body.error.message).toBe(
        'charger CS-CMD-201 did not do UnlockConnector: it answered status OngoingAuthorizedTransaction',
      );
    });

    it("the other protocol's command is 404 UNKNOWN_COMMAND naming the charger's protocol; nothing is sent", async () => {
      const before = received201.length + received.length;
      const to201 = await api('POST', '/v1/chargers/CS-CMD-201/commands/ChangeConfiguration', OPERATOR_KEY, {
        key: 'HeartbeatInterval',
        value: '300',
      });
      expect(to201).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_COMMAND' } } });
      expect(to201.body.error.message).toContain(
        'it is connected with ocpp2.0.1; OCPP 2.0.1 chargers take Reset',
      );
      const to16 = await api('POST', '/v1/chargers/CP-CMD-OK/commands/GetBaseReport', OPERATOR_KEY, {
        requestId: 1,
        reportBase: 'FullInventory',
      });
      expect(to16).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_COMMAND' } } });
      expect(to16.body.error.message).toContain('it is connected with ocpp1.6');
      const list = await api('POST', '/v1/chargers/CS-CMD-201/local-list', OPERATOR_KEY, {});
      expect(list).toMatchObject({ status: 409, body: { error: { code: 'LOCAL_LIST_NOT_SUPPORTED' } } });
      await new Promise((r) => setTimeout(r, 300));
      expect(received201.length + received.length).toBe(before);
    });

    it('a remote start the station rejects (RequestStartTransaction Rejected) is FAILED with CHARGER_REJECTED', async () => {
      const start = await api('POST', '/v1/sessions/start', FLEET_KEY, { evse: 'CS-CMD-201*1' });
      expect(start).toMatchObject({ status: 201, body: { session: { status: 'STARTING' } } });
      const id = start.body.session.id as string;
      const failed = await waitFor(
        async () => {
          const g = await api('GET', `/v1/sessions/${id}`, FLEET_KEY);
          return g.body.session.status === 'FAILED' ? g.body.session : null;
        },
        20000,
        `session ${id} FAILED`,
      );
      expect(failed).toMatchObject({ failure_reason: 'CHARGER_REJECTED' });
      expect(received201.find((c) => c.sessionId === id)).toMatchObject({
        action: 'RequestStartTransaction',
        payload: { evseId: 1, idToken: { type: 'Central' } },
      });
    });
  });

  it('the OpenAPI document has request and response schemas for both routes', () => {
    const doc = buildOpenApiDocument(h.app, 'session-service', 'test');
    const command = doc.paths['/v1/chargers/{id}/commands/{action}'].post!;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- schema objects are inspected field by field
    const body = (command.requestBody as any).content['application/json'].schema;
    // The 12 OCPP 1.6 operator commands and the 7 of 2.0.1, self-contained (no #/definitions left).
    expect(body.oneOf).toHaveLength(19);
    expect(body.oneOf.map((s: { title: string }) => s.title)).toEqual(
      expect.arrayContaining(['Reset.req', 'Reset.req (OCPP 2.0.1)', 'GetVariables.req (OCPP 2.0.1)']),
    );
    expect(JSON.stringify(body)).not.toContain('#/definitions');
    expect(JSON.stringify(body)).not.toContain('javaType');
    expect(Object.keys(command.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '502',
      '503',
      '504',
    ]);
    const local = doc.paths['/v1/chargers/{id}/local-list'].post!;
    expect(local.requestBody).toBeDefined();
    expect(local.responses['200']).toBeDefined();
  });
});
