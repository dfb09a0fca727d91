/** What an operator's command came to (charger-command-answer.ts), checked against the official OCPP 1.6 and 2.0.1 schemas. */
import fc from 'fast-check';
import { OCPP201_OUTBOUND_ACTIONS, OCPP_OUTBOUND_ACTIONS, type OcppCommandResult } from '@app/contracts';
import {
  OCPP16_SCHEMAS,
  OCPP201_SCHEMAS,
  Ocpp16Validator,
  Ocpp201Validator,
  responseSchemaId,
} from '@app/ocpp';
import {
  COMMAND_STATUSES,
  COMMAND_STATUSES_201,
  OPERATOR_201_COMMAND_ACTIONS,
  OPERATOR_COMMAND_ACTIONS,
  VERDICT_HTTP,
  classifyCommandAnswer,
  isOperatorCommandAction,
  operatorCommand,
  type Operator201CommandAction,
  type OperatorCommandAction,
} from './charger-command-answer';

const validator = new Ocpp16Validator();
const validator201 = new Ocpp201Validator();
const v16 = (action: OperatorCommandAction) => ({ protocol: 'ocpp1.6' as const, action });
const v201 = (action: Operator201CommandAction) => ({ protocol: 'ocpp2.0.1' as const, action });

/** The `status` enum the action's `.conf` schema allows, or null when the answer has no status. */
function confStatuses(action: string): string[] | null {
  const schema = OCPP16_SCHEMAS.find((s) => s.$id === responseSchemaId(action)) as
    { properties?: { status?: { enum?: string[] } } } | undefined;
  if (!schema) throw new Error(`no ${action}.conf schema`);
  return schema.properties?.status?.enum ?? null;
}

/** The same from a 2.0.1 `.conf` schema, whose status is a reference to a named enum definition. */
function confStatuses201(action: string): string[] | null {
  const schema = OCPP201_SCHEMAS.find((s) => s.$id === responseSchemaId(action)) as
    | { properties?: { status?: { $ref?: string } }; definitions?: Record<string, { enum?: string[] }> }
    | undefined;
  if (!schema) throw new Error(`no 2.0.1 ${action}.conf schema`);
  const ref = schema.properties?.status?.$ref;
  if (ref === undefined) return null;
  const values = schema.definitions?.[ref.replace('#/definitions/', '')]?.enum;
  if (!values) throw new Error(`2.0.1 ${action}.conf: status ${ref} has no enum`);
  return values;
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
          const v = classifyCommandAnswer(v16(action), cp, result(payload), 30);
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
    expect(VERDICT_HTTP[classifyCommandAnswer(v16(action), 'CP-1', result({ status }), 30).kind].status).toBe(
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
      expect(classifyCommandAnswer(v16(action), 'CP-1', result(payload), 30)).toEqual({
        kind: 'answered',
        status: null,
        response: payload,
      });
    }
  });

  it('a status the schema does not define, or none where one is required, is a refusal that says so', () => {
    const odd = classifyCommandAnswer(v16('Reset'), 'CP-1', result({ status: 'Maybe' }), 30);
    expect(odd).toMatchObject({ kind: 'rejected', status: 'Maybe' });
    expect((odd as { message: string }).message).toBe(
      'charger CP-1 did not do Reset: it answered status Maybe, which OCPP 1.6 does not define for Reset',
    );
    const none = classifyCommandAnswer(v16('ClearCache'), 'CP-1', result({}), 30);
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
            v16(action),
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
    const offline = classifyCommandAnswer(v16('Reset'), 'CP-1', { outcome: 'Offline' }, 30);
    expect(VERDICT_HTTP[offline.kind]).toEqual({ status: 409, code: 'CHARGER_OFFLINE' });
    expect((offline as { message: string }).message).toContain('not connected to any gateway');
    for (const r of [null, { outcome: 'Timeout' as const }]) {
      const v = classifyCommandAnswer(v16('GetConfiguration'), 'CP-1', r, 7);
      expect(VERDICT_HTTP[v.kind]).toEqual({ status: 504, code: 'CHARGER_TIMEOUT' });
      expect((v as { message: string }).message).toBe(
        'charger CP-1 did not answer GetConfiguration within 7 s',
      );
    }
  });

  describe('OCPP 2.0.1', () => {
    it('the operator commands are the 2.0.1 outbound actions except RequestStart/RequestStop (sessions API) and CostUpdated (billing)', () => {
      expect([...OPERATOR_201_COMMAND_ACTIONS].sort()).toEqual(
        OCPP201_OUTBOUND_ACTIONS.filter(
          (a) => a !== 'RequestStartTransaction' && a !== 'RequestStopTransaction' && a !== 'CostUpdated',
        ).sort(),
      );
      expect(operatorCommand('ocpp2.0.1', 'GetVariables')).toEqual(v201('GetVariables'));
      expect(operatorCommand('ocpp1.6', 'GetVariables')).toBeNull();
      expect(operatorCommand('ocpp2.0.1', 'ChangeConfiguration')).toBeNull();
      expect(operatorCommand('ocpp2.0.1', 'RequestStartTransaction')).toBeNull();
      expect(operatorCommand('ocpp2.0.1', 'CostUpdated')).toBeNull();
      expect(operatorCommand('ocpp1.6', 'Reset')).toEqual(v16('Reset'));
      expect(operatorCommand('ocpp2.0.1', 'Reset')).toEqual(v201('Reset'));
    });

    it.each(OPERATOR_201_COMMAND_ACTIONS)(
      '%s: the table splits exactly the statuses its 2.0.1 .conf schema allows, each once',
      (action) => {
        const allowed = confStatuses201(action);
        const table = COMMAND_STATUSES_201[action];
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

    it('every status a 2.0.1 .conf allows, with or without statusInfo, is 200 or 502 and the reply carries it', () => {
      const withStatus = OPERATOR_201_COMMAND_ACTIONS.filter((a) => confStatuses201(a) !== null);
      fc.assert(
        fc.property(
          fc.constantFrom(...withStatus).chain((action) =>
            fc.record({
              action: fc.constant(action),
              status: fc.constantFrom(...confStatuses201(action)!),
              reason: fc.option(fc.stringMatching(/^[A-Za-z]{1,20}$/), { nil: undefined }),
            }),
          ),
          fc.string({ minLength: 1, maxLength: 20 }),
          ({ action, status, reason }, cp) => {
            const payload = {
              status,
              ...(reason !== undefined ? { statusInfo: { reasonCode: reason } } : {}),
            };
            expect(validator201.validateResponse(action, payload)).toBeNull();
            const v = classifyCommandAnswer(v201(action), cp, result(payload), 30);
            if (COMMAND_STATUSES_201[action]!.success.includes(status)) {
              expect(v).toEqual({ kind: 'answered', status, response: payload });
            } else {
              expect(v).toMatchObject({ kind: 'rejected', status, response: payload });
              expect(VERDICT_HTTP[v.kind]).toEqual({ status: 502, code: 'CHARGER_REJECTED' });
              expect((v as { message: string }).message).toBe(
                `charger ${cp} did not do ${action}: it answered status ${status}`,
              );
            }
          },
        ),
      );
    });

    it.each([
      ['Reset', 'Accepted', 200],
      ['Reset', 'Scheduled', 200],
      ['Reset', 'Rejected', 502],
      ['ChangeAvailability', 'Scheduled', 200],
      ['ChangeAvailability', 'Rejected', 502],
      ['UnlockConnector', 'Unlocked', 200],
      ['UnlockConnector', 'OngoingAuthorizedTransaction', 502],
      ['UnlockConnector', 'UnknownConnector', 502],
      ['TriggerMessage', 'NotImplemented', 502],
      ['GetBaseReport', 'Accepted', 200],
      ['GetBaseReport', 'EmptyResultSet', 200],
      ['GetBaseReport', 'NotSupported', 502],
    ] as const)('%s answered %s → %d', (action, status, http) => {
      expect(
        VERDICT_HTTP[classifyCommandAnswer(v201(action), 'CS-1', result({ status }), 30).kind].status,
      ).toBe(http);
    });

    it('GetVariables and SetVariables answers (one result per variable, no overall status) are 200 with the payload', () => {
      const component = { name: 'OCPPCommCtrlr' };
      const variable = { name: 'HeartbeatInterval' };
      const samples: [Operator201CommandAction, Record<string, unknown>][] = [
        [
          'GetVariables',
          {
            getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: '300', component, variable }],
          },
        ],
        [
          'GetVariables',
          { getVariableResult: [{ attributeStatus: 'UnknownVariable', component, variable }] },
        ],
        ['SetVariables', { setVariableResult: [{ attributeStatus: 'RebootRequired', component, variable }] }],
        ['SetVariables', { setVariableResult: [{ attributeStatus: 'Rejected', component, variable }] }],
      ];
      for (const [action, payload] of samples) {
        expect(validator201.validateResponse(action, payload)).toBeNull();
        expect(classifyCommandAnswer(v201(action), 'CS-1', result(payload), 30)).toEqual({
          kind: 'answered',
          status: null,
          response: payload,
        });
      }
    });

    it('a status 2.0.1 does not define for the action is a refusal naming OCPP 2.0.1', () => {
      const v = classifyCommandAnswer(
        v201('UnlockConnector'),
        'CS-1',
        result({ status: 'NotSupported' }),
        30,
      );
      expect((v as { message: string }).message).toBe(
        'charger CS-1 did not do UnlockConnector: it answered status NotSupported, which OCPP 2.0.1 does not define for UnlockConnector',
      );
    });

    it('a CALLERROR with a 2.0.1 code is 502 CHARGER_ERROR naming it; Offline 409; Timeout 504', () => {
      for (const code of [
        'FormatViolation',
        'OccurrenceConstraintViolation',
        'SecurityError',
        'RpcFrameworkError',
      ]) {
        const v = classifyCommandAnswer(
          v201('GetBaseReport'),
          'CS-1',
          { outcome: 'Error', error: { code, description: '' } },
          30,
        );
        expect(v).toMatchObject({ kind: 'error', errorCode: code });
        expect((v as { message: string }).message).toBe(
          `charger CS-1 answered GetBaseReport with CALLERROR ${code}`,
        );
      }
      expect(classifyCommandAnswer(v201('Reset'), 'CS-1', { outcome: 'Offline' }, 30).kind).toBe('offline');
      expect(classifyCommandAnswer(v201('Reset'), 'CS-1', { outcome: 'Timeout' }, 30).kind).toBe('timeout');
    });
  });
});
