import { makeEnvelope, OCPP_COMMAND_SCHEMA, topicName, type Envelope } from '@app/contracts';
import { GatewayRecords } from '../../testing/gateway-records';
import { sessionEnvelopeValidation } from './envelope-validation';

const prefix = 'unit-';
const events = topicName('ocppEvents', prefix);
const validate = sessionEnvelopeValidation(prefix, ['ocppEvents']);
const gw = new GatewayRecords('CP-V', 'fleet-v');
const parsed = (r: { value: string }) => JSON.parse(r.value) as Envelope;

describe('the consumers’ edge check (contract validator)', () => {
  it('given what the gateway publishes, then no problem', () => {
    expect(validate(parsed(gw.connected({ '1': 'DE*V*1' })), events)).toEqual([]);
    expect(validate(parsed(gw.startTransaction(1, 5, 1000, new Date())), events)).toEqual([]);
  });

  it('given an OcppCallReceived without its fleet, then the problem names the field', () => {
    const env = parsed(gw.heartbeat());
    delete (env.data as Record<string, unknown>).fleetId;
    expect(validate(env, events).join('; ')).toMatch(/fleetId/);
  });

  it('given a valid envelope of another topic, then it is refused as misrouted', () => {
    const command = makeEnvelope({
      type: 'OcppCommandRequested',
      source: 'session-service',
      subject: 'CP-V',
      schema: OCPP_COMMAND_SCHEMA,
      data: {
        commandId: '6f1c3a52-0d9e-4b7a-9c21-1e5f0b7d3a01',
        chargePointId: 'CP-V',
        action: 'Reset',
        payload: { type: 'Soft' },
        deadline: new Date().toISOString(),
        requestedBy: 'test',
      },
    });
    expect(validate(command as Envelope, events)).toEqual([
      expect.stringContaining(`does not belong on ${events}`),
    ]);
  });

  it('given an unknown schema, then it is refused', () => {
    const env = { ...parsed(gw.heartbeat()), schema: 'ocpp.call-received/v9' };
    expect(validate(env, events)).not.toEqual([]);
  });
});
