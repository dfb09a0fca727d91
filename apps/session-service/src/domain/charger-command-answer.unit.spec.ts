/** What an operator's command came to (charger-command-answer.ts), checked against the official OCPP 1.6 schemas. */
import fc from 'fast-check';
import { OCPP_OUTBOUND_ACTIONS, type OcppCommandResult } from '@app/contracts';
import { OCPP16_SCHEMAS, Ocpp16Validator, responseSchemaId } from '@app/ocpp';
import {
  COMMAND_STATUSES,
  OPERATOR_COMMAND_ACTIONS,
  VERDICT_HTTP,
  classifyCommandAnswer,
  isOperatorCommandAction,
  type OperatorCommandAction,
} from './charger-command-answer';

const validator = new Ocpp16Validator();

/** The `status` enum the action's `.conf` schema allows, or null when the answer has no status. */
function confStatuses(action: string): string[] | null {
  const schema = OCPP16_SCHEMAS.find((s) => s.$id === responseSchemaId(action)) as
    { properties?: { status?: { enum?: string[] } } } | undefined;
  if (!schema) throw new Error(`no ${action}.conf schema`);
  return schema.properties?.status?.enum ?? null;
}

const result = (payload: Record<string, unknown>): Pick<OcppCommandResult, 'outcome' | 'payload'> => ({
  outcome: 'Result',
  payload,
});

describe('charger command answers', () => {
  it('the operator commands are the outbound actions except RemoteStart/RemoteStopTransaction', () => {
    expect([...OPERATOR_COMMAND_ACTIONS].sort()).toEqual(
      OCPP_OUTBOUND_ACTIONS.filter(
        (a) => a !== 'RemoteStartTransaction' && a !== 'RemoteStopTransaction',
      ).sort(),
    );
    expect(isOperatorCommandAction('Reset')).toBe(true);
    expect(isOperatorCommandAction('RemoteStartTransaction')).toBe(false);
    expect(isOperatorCommandAction('reset')).toBe(false);
  });

  it.each(OPERATOR_COMMAND_ACTIONS)(
    '%s: the table splits exactly the statuses its .conf schema allows, each once',
    (action) => {
      const allowed = confStatuses(action);
      const table = COMMAND_STATUSES[action];
      if (allowed === null) {
        expect(table).toBeNull();
        return;
      }
      expect(table).not.toBeNull();
      const all = [...table!.success, ...table!.refusal];
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual([...allowed].sort());
    },
  );

  it('every status an OCPP 1.6 .conf allows, with any other valid fields, is 200 or 502, and the reply carries it', () => {
    const withStatus = OPERATOR_COMMAND_ACTIONS.filter((a) => confStatuses(a) !== null);
    fc.assert(
      fc.property(
        fc.constantFrom(...withStatus).chain((action) =>
          fc.record({
            action: fc.constant(action),
            status: fc.constantFrom(...confStatuses(action)!),
            // DataTransfer's conf may carry data; the rest have only the status.
            data:
              action === 'DataTransfer' ? fc.option(fc.string(), { nil: undefined }) : fc.constant(undefined),
          }),
        ),
        fc.string({ minLength: 1, maxLength: 20 }),
        ({ action, status, data }, cp) => {
          const payload = { status, ...(data !== undefined ? { data } : {}) };
          expect(validator.validateResponse(action, payload)).toBeNull();
          const v = classifyCommandAnswer(action, cp, result(payload), 30);
          const http = VERDICT_HTTP[v.kind].status;
          expect([200, 502]).toContain(http);
          const success = COMMAND_STATUSES[action]!.success.includes(status);
          if (success) {
            expect(v).toEqual({ kind: 'answered', status, response: payload });
          } else {
            expect(v).toMatchObject({ kind: 'rejected', status, response: payload });
            expect(VERDICT_HTTP[v.kind].code).toBe('CHARGER_REJECTED');
            expect((v as { message: string }).message).toContain(`status ${status}`);
            expect((v as { message: string }).message).toContain(action);
          }
        },
      ),
    );
  });

  it.each([
    ['Reset', 'Accepted', 200],
    ['Reset', 'Rejected', 502],
    ['ChangeAvailability', 'Scheduled', 200],
    ['ChangeAvailability', 'Rejected', 502],
    ['ChangeConfiguration', 'RebootRequired', 200],
    ['ChangeConfiguration', 'NotSupported', 502],
    ['UnlockConnector', 'Unlocked', 200],
    ['UnlockConnector', 'UnlockFailed', 502],
    ['UnlockConnector', 'NotSupported', 502],
    ['TriggerMessage', 'NotImplemented', 502],
    ['DataTransfer', 'UnknownVendorId', 502],
    ['SendLocalList', 'Accepted', 200],
    ['SendLocalList', 'VersionMismatch', 502],
    ['SendLocalList', 'Failed', 502],
  ] as const)('%s answered %s → %d', (action, status, http) => {
    expect(VERDICT_HTTP[classifyCommandAnswer(action, 'CP-1', result({ status }), 30).kind].status).toBe(
      http,
    );
  });

  it('the answers without a status are 200 with the payload, whatever it holds', () => {
    const samples: [OperatorCommandAction, Record<string, unknown>][] = [
      [
        'GetConfiguration',
        { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] },
      ],
      ['GetConfiguration', { unknownKey: ['Nope'] }],
      ['GetDiagnostics', { fileName: 'diag.zip' }],
      ['GetDiagnostics', {}],
      ['UpdateFirmware', {}],
      ['GetLocalListVersion', { listVersion: 7 }],
      ['GetLocalListVersion', { listVersion: -1 }],
    ];
    for (const [action, payload] of samples) {
      expect(validator.validateResponse(action, payload)).toBeNull();
      expect(classifyCommandAnswer(action, 'CP-1', result(payload), 30)).toEqual({
        kind: 'answered',
        status: null,
        response: payload,
      });
    }
  });

  it('a status the schema does not define, or none where one is required, is a refusal that says so', () => {
    const odd = classifyCommandAnswer('Reset', 'CP-1', result({ status: 'Maybe' }), 30);
    expect(odd).toMatchObject({ kind: 'rejected', status: 'Maybe' });
    expect((odd as { message: string }).message).toBe(
      'charger CP-1 did not do Reset: it answered status Maybe, which OCPP 1.6 does not define for Reset',
    );
    const none = classifyCommandAnswer('ClearCache', 'CP-1', result({}), 30);
    expect((none as { message: string }).message).toBe(
      'charger CP-1 did not do ClearCache: it answered without a status',
    );
  });

  it('a CALLERROR is 502 CHARGER_ERROR naming its code and description, for any code and description', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OPERATOR_COMMAND_ACTIONS),
        fc.constantFrom('NotSupported', 'InternalError', 'ProtocolError', 'GenericError', 'NotImplemented'),
        fc.string({ minLength: 1, maxLength: 80 }),
        (action, code, description) => {
          const v = classifyCommandAnswer(
            action,
            'CP-9',
            { outcome: 'Error', error: { code, description } },
            30,
          );
          expect(VERDICT_HTTP[v.kind]).toEqual({ status: 502, code: 'CHARGER_ERROR' });
          expect(v).toMatchObject({ kind: 'error', errorCode: code, description });
          expect((v as { message: string }).message).toBe(
            `charger CP-9 answered ${action} with CALLERROR ${code} (${description})`,
          );
        },
      ),
    );
  });

  it('Offline is 409 CHARGER_OFFLINE; Timeout or no result in time is 504 CHARGER_TIMEOUT naming the wait', () => {
    const offline = classifyCommandAnswer('Reset', 'CP-1', { outcome: 'Offline' }, 30);
    expect(VERDICT_HTTP[offline.kind]).toEqual({ status: 409, code: 'CHARGER_OFFLINE' });
    expect((offline as { message: string }).message).toContain('not connected to any gateway');
    for (const r of [null, { outcome: 'Timeout' as const }]) {
      const v = classifyCommandAnswer('GetConfiguration', 'CP-1', r, 7);
      expect(VERDICT_HTTP[v.kind]).toEqual({ status: 504, code: 'CHARGER_TIMEOUT' });
      expect((v as { message: string }).message).toBe(
        'charger CP-1 did not answer GetConfiguration within 7 s',
      );
    }
  });
});
