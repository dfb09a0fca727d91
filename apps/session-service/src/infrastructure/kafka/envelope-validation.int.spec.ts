import { topicName } from '@app/contracts';
import { GatewayRecords } from '../../testing/gateway-records';
import { readTopic, startHarness, waitFor, type Harness } from '../../testing/harness';

describe('consumers validate envelopes at their edge (real Kafka + Postgres)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sess_edge');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('given a StartTransaction under a schema version the contracts do not know, then it is parked on the dead-letter topic (not folded), and the valid records next to it fold', async () => {
    const gw = new GatewayRecords('CP-EDGE-1', 'fleet-edge');
    const bad = gw.startTransaction(1, 501, 1000, new Date());
    const env = JSON.parse(bad.value);
    env.schema = 'ocpp.call-received/v2'; // a producer ahead of this service: never folded as if it were v1
    const topic = topicName('ocppEvents', h.tk.prefix);
    await h.produce(topic, [
      gw.connected(),
      { key: bad.key, value: JSON.stringify(env) },
      gw.startTransaction(2, 502, 1000, new Date()),
    ]);
    const [parked] = await readTopic(h.tk.kafka, `${topic}.dlq`, 1, 20000);
    expect(parked.value.id).toBe(env.id);
    const sessions = await waitFor(async () => {
      // bigint: pg hands it over as text.
      const { rows } = await h.runtime.pool.query<{ transaction_id: string }>(
        `select transaction_id from sessions where charge_point_id = 'CP-EDGE-1' order by transaction_id`,
      );
      return rows.length > 0 ? rows : null;
    });
    expect(sessions.map((r) => r.transaction_id)).toEqual(['502']);
  });
});
