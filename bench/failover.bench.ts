/**
 * npm run bench:failover: failover scenario (i) of issue 9 (test/failover/scenario.ts) with 200
 * chargers doing full sessions against the three apps on a 3-node KRaft cluster; `kill -9` of the
 * node leading most `ocpp.v16.events` partitions, restarted after 30 s.
 * BENCH_QUICK=1: 50 chargers, 20 s down. FAILOVER_CHARGERS overrides the charger count.
 * FAILOVER_COMPARE=1 first runs the publisher alone (test/failover/publisher-failover.ts) with
 * kafkajs' idempotent producer and with ours, and prints both.
 *
 * Figures: time from the kill to the first CALLRESULT (of a CALL sent after the kill), p99 and max
 * CALL latency from the kill to the end of the load, confirmed CALLs missing from the topic (must
 * be 0), sessions the chargers completed that did not end CLOSED and billed exactly once.
 */
import { startKafkaCluster } from '@app/testing/stack';
import { PREFERRED_LEADER_EVERY_5_S, runPublisherFailover } from '../test/failover/publisher-failover';
import { runBrokerFailover } from '../test/failover/scenario';
import { QUICK } from './lib/stack';
import { finish, report } from './lib/stats';

/** The publisher alone, kafkajs' idempotent producer against ours, on one cluster. */
async function comparePublishers(): Promise<void> {
  const cluster = await startKafkaCluster({ nodes: 3, brokerConfig: PREFERRED_LEADER_EVERY_5_S });
  try {
    for (const idempotent of [true, false]) {
      const r = await runPublisherFailover({
        cluster,
        idempotent,
        keys: 500,
        warmupMs: 5000,
        downMs: 20_000,
        afterMs: 10_000,
      });
      const sequenceErrors = Object.entries(r.errors)
        .filter(([e]) => /sequence/i.test(e))
        .reduce((n, [, c]) => n + c, 0);
      report(
        `publisher ${idempotent ? 'idempotent (before)' : 'non-idempotent (now)'}: ${r.acknowledged} acknowledged, ${r.missing} missing, first ack ${r.firstAckAfterKillS ?? 'never'} s after the kill, ${r.acksAfterRestart} acks after the restart, ${sequenceErrors} sequence errors`,
      );
    }
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  if (process.env.FAILOVER_COMPARE === '1') await comparePublishers();
  const chargers = Number(process.env.FAILOVER_CHARGERS ?? (QUICK ? 50 : 200));
  const result = await runBrokerFailover({
    chargers,
    warmupMs: QUICK ? 10_000 : 20_000,
    downMs: QUICK ? 20_000 : 30_000,
    afterMs: QUICK ? 10_000 : 20_000,
    sessionMs: 4000,
    meterEveryMs: 1000,
    settleMs: 120_000,
    log: report,
  });
  report(
    `killed node ${result.killedNode} (leader of ${result.killedLeaderOf}/${result.partitions} partitions); ${result.callsSent} CALLs sent, ${result.callsConfirmed} confirmed, failures ${JSON.stringify(result.failures)}`,
  );
  report(
    `first CALLRESULT ${result.firstResultAfterKillS} s after the kill; during the failover p99 ${result.p99MsDuring} ms, max ${result.maxMsDuring} ms; from kill + 15 s to the restart ${result.confirmedLateInOutage} confirmed, ${result.failedLateInOutage} not`,
  );
  for (const m of result.confirmedMissing.slice(0, 10))
    report(`confirmed but missing: ${m.chargePointId} ${m.action} ${m.messageId}`);
  for (const s of result.sessionsStuck.slice(0, 10))
    report(
      `stuck: ${s.chargePointId} transaction ${s.transactionId} ${s.status ?? 'unknown'}, ${s.charges} charges`,
    );
  report(
    `${result.sessionsCompleted} sessions completed, ${result.chargersGaveUp} chargers gave up, apps alive: ${result.appsAlive}`,
  );
  finish({
    bench: 'failover',
    first_result_after_kill_s: result.firstResultAfterKillS,
    p99_ms_during: result.p99MsDuring,
    confirmed_missing: result.confirmedMissing.length,
    sessions_stuck: result.sessionsStuck.length,
  });
}

main().catch((e) => {
  console.error(`bench:failover failed: ${(e as Error).message}`);
  process.exit(1);
});
