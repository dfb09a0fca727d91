import { makeEnvelope, OCPP_COMMAND_SCHEMA, topicName, type Envelope } from '@app/contracts';
import { GatewayRecords } from '../../testing/gateway-records';
import { Gateway201Records } from '../../testing/gateway-records-201';
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

describe('the ingest consumer’s edge check on both OCPP events topics', () => {
  const v201 = topicName('ocppV201Events', prefix);
  const both = sessionEnvelopeValidation(prefix, ['ocppEvents', 'ocppV201Events']);
  const station = new Gateway201Records('CP-V201', 'fleet-v');
  const event = parsed(
    station.transactionEvent({
      eventType: 'Started',
      transactionId: 'tx-1',
      seqNo: 0,
      at: new Date(),
      evseId: 1,
      readings: [{ value: '1.25', unit: 'kWh', context: 'Transaction.Begin' }],
    }),
  );

  it('given what the gateway publishes for a 2.0.1 station on ocpp.v201.events, then no problem', () => {
    expect(both(parsed(station.connected({ '1': 'DE*V*201' })), v201)).toEqual([]);
    expect(both(event, v201)).toEqual([]);
    expect(both(parsed(station.boot(new Date())), v201)).toEqual([]);
  });

  it('given a 2.0.1 call on ocpp.v16.events or a 1.6 call on ocpp.v201.events, then it is misrouted', () => {
    expect(both(event, events)).toEqual([expect.stringContaining(`does not belong on ${events}`)]);
    expect(both(parsed(gw.heartbeat()), v201)).toEqual([
      expect.stringContaining(`does not belong on ${v201}`),
    ]);
  });

  it('given an Ocpp201CallReceived with an action 2.0.1 does not accept, then the problem names it', () => {
    const env = parsed(station.heartbeat());
    (env.data as Record<string, unknown>).action = 'StartTransaction';
    expect(both(env, v201).join('; ')).toMatch(/action/);
  });
});
