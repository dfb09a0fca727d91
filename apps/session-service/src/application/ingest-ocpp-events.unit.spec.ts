import { ocpp201TransactionNumber, type Envelope } from '@app/contracts';
import type { SessionState } from '../domain/session';
import { Gateway201Records } from '../testing/gateway-records-201';
import type { ChargerStatusRepository } from './charger-status-ports';
import { IngestOcppEvents } from './ingest-ocpp-events';
import type { ChargerRepository, LoadedSession, SessionRepository, Tx } from './ports';

const TX = {} as Tx;
const CP = 'CP-READS';
const at = new Date('2026-04-01T10:00:00Z');
const env = (r: { value: string }) => JSON.parse(r.value) as Envelope;

/** The reads `prepare` makes, against stores that hold `sessions` and nothing else. */
function recordingIngest(sessions: LoadedSession[]) {
  const calls: { what: string; args: unknown[] }[] = [];
  const rec =
    <T>(what: string, result: T) =>
    async (_tx: Tx, ...args: unknown[]) => {
      calls.push({ what, args });
      return result;
    };
  const sessionRepo = { loadForChargers: rec('sessions', sessions) } as unknown as SessionRepository;
  const chargers = {
    loadStatusVersions: rec('statusVersions', new Map()),
    loadConnectors: rec('connectors', []),
    loadChargers: rec('chargers', []),
    loadRegistryEntries: rec('registry', []),
  } as unknown as ChargerRepository & ChargerStatusRepository;
  return { ingest: new IngestOcppEvents(sessionRepo, chargers), calls };
}

/** A loaded session holding a 2.0.1 transaction (only the fields the read plan looks at). */
const holding = (stationTx: string): LoadedSession => ({
  state: {
    sessionId: 's-1',
    chargePointId: CP,
    start: { transactionId: ocpp201TransactionNumber(CP, stationTx) },
  } as unknown as SessionState,
  version: 3,
});

describe("IngestOcppEvents.prepare: a 2.0.1 batch's reads", () => {
  const st = new Gateway201Records(CP, 'fleet-r');
  const updated = (transactionId: string) =>
    env(st.transactionEvent({ eventType: 'Updated', transactionId, seqNo: 1, at, evseId: 1 }));

  it('looks the sessions up by the transaction numbers of its TransactionEvents', async () => {
    const { ingest, calls } = recordingIngest([holding('tx-A')]);
    await ingest.prepare(TX, [updated('tx-A'), updated('tx-B')]);
    expect(calls.find((c) => c.what === 'sessions')!.args).toEqual([
      [CP],
      [
        { cp: CP, tx: ocpp201TransactionNumber(CP, 'tx-A') },
        { cp: CP, tx: ocpp201TransactionNumber(CP, 'tx-B') },
      ],
      false,
    ]);
  });

  it('an Updated of a transaction a loaded session holds reads no charger state (as a 1.6 MeterValues)', async () => {
    const { ingest, calls } = recordingIngest([holding('tx-A')]);
    const reads = await ingest.prepare(TX, [updated('tx-A')]);
    expect(calls.map((c) => c.what)).toEqual(['sessions']);
    expect(reads.chargerState).toBeNull();
  });

  it("an Updated of an unknown transaction may start a session: the chargers' state follows the sessions", async () => {
    const { ingest, calls } = recordingIngest([holding('tx-A')]);
    const reads = await ingest.prepare(TX, [updated('tx-A'), updated('tx-new')]);
    expect(calls.map((c) => c.what)).toEqual([
      'sessions',
      'statusVersions',
      'connectors',
      'chargers',
      'registry',
    ]);
    expect(reads.chargerState).not.toBeNull();
  });

  it("a Started, a StatusNotification or a boot reads the chargers' state with the sessions, status versions first", async () => {
    for (const record of [
      env(st.transactionEvent({ eventType: 'Started', transactionId: 'tx-A', seqNo: 0, at, evseId: 1 })),
      env(st.status(1, 'Occupied', at)),
      env(st.boot(at)),
    ]) {
      const { ingest, calls } = recordingIngest([holding('tx-A')]);
      const reads = await ingest.prepare(TX, [record]);
      expect(calls.map((c) => c.what)).toEqual([
        'statusVersions',
        'sessions',
        'connectors',
        'chargers',
        'registry',
      ]);
      expect(reads.chargerState).not.toBeNull();
    }
  });

  it('a StatusNotification also loads the newest session of each connector', async () => {
    const { ingest, calls } = recordingIngest([]);
    await ingest.prepare(TX, [env(st.status(1, 'Available', at))]);
    expect(calls.find((c) => c.what === 'sessions')!.args[2]).toBe(true);
  });

  it('Heartbeats read the sessions only', async () => {
    const { ingest, calls } = recordingIngest([]);
    const reads = await ingest.prepare(TX, [env(st.heartbeat(at))]);
    expect(calls.map((c) => c.what)).toEqual(['sessions']);
    expect(reads.chargerState).toBeNull();
  });
});
