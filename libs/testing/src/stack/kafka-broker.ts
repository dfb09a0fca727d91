import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createKafka, kafkaReachable } from '@app/kafka';
import { DATA_DIR, REPO_ROOT } from './paths';

export const KAFKA_VERSION = '3.9.1';

export interface RunningBroker {
  brokers: string[];
  /** False when a broker was already answering and we reused it. */
  startedHere: boolean;
  stop(): Promise<void>;
}

type Log = (line: string) => void;

/** Fetches the broker jars from Maven Central into .data/kafka/libs (once). */
export function ensureKafkaJars(log: Log): string {
  const libs = path.join(DATA_DIR, 'kafka', 'libs');
  if (fs.existsSync(path.join(libs, `kafka_2.13-${KAFKA_VERSION}.jar`))) return libs;
  log(`fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central (once)...`);
  fs.mkdirSync(libs, { recursive: true });
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      path.join(REPO_ROOT, 'docker/kafka/pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${libs}`,
      '-DincludeScope=runtime',
    ],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) throw new Error(`mvn could not fetch the Kafka jars (exit ${result.status}); is Maven installed?`);
  return libs;
}

function writeConfig(dir: string, host: string, port: number): string {
  const controllerPort = port + 1;
  const config = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${controllerPort}`,
    `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${path.join(dir, 'data')}`,
    'num.partitions=3',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'log.cleaner.backoff.ms=5000',
  ].join('\n');
  const file = path.join(dir, 'server.properties');
  fs.writeFileSync(file, config + '\n');
  fs.writeFileSync(
    path.join(dir, 'log4j.properties'),
    [
      'log4j.rootLogger=WARN, file',
      'log4j.appender.file=org.apache.log4j.RollingFileAppender',
      `log4j.appender.file.File=${path.join(dir, 'broker.log')}`,
      'log4j.appender.file.MaxFileSize=20MB',
      'log4j.appender.file.MaxBackupIndex=2',
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka=WARN',
      'log4j.logger.org.apache.kafka=WARN',
    ].join('\n') + '\n',
  );
  return file;
}

/** Above this many partitions a single-node dev broker gets slow enough to make tests time out. */
const CROWDED_PARTITIONS = 5000;

/** Warns when a reused broker holds many partitions: topics left by killed test runs add up. */
async function warnIfCrowded(kafka: ReturnType<typeof createKafka>, log: Log): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata();
    const partitions = topics.reduce((n, t) => n + t.partitions.length, 0);
    const leftovers = topics.filter((t) => /^(t-|bench-)/.test(t.name)).length;
    if (partitions > CROWDED_PARTITIONS) {
      log(
        `Kafka: warning: the reused broker holds ${partitions} partitions (${leftovers} topics left by ` +
          `tests or benchmarks, t-* and bench-*). A crowded broker makes tests time out; delete them ` +
          `or start afresh (stop the broker, remove .data/kafka).`,
      );
    }
  } catch {
    // Only advice: never stop the stack for it.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Reuses the broker at `brokers[0]` if one answers; otherwise starts a single-node KRaft broker
 * on loopback with its data under .data/kafka (or `dir`).
 */
export async function ensureKafkaBroker(
  brokers: string[],
  log: Log,
  options: { dir?: string; detach?: boolean } = {},
): Promise<RunningBroker> {
  const dir = options.dir ?? path.join(DATA_DIR, 'kafka', 'broker');
  const probe = createKafka({ brokers, clientId: 'stack-probe', log: () => undefined });
  if (await kafkaReachable(probe, 2000)) {
    log(`Kafka: reusing the broker at ${brokers.join(',')}`);
    await warnIfCrowded(probe, log);
    return { brokers, startedHere: false, stop: async () => undefined };
  }
  const [host, portText] = brokers[0].split(':');
  if (!['127.0.0.1', 'localhost'].includes(host)) {
    throw new Error(`KAFKA_BROKERS=${brokers.join(',')} does not answer, and a local broker can only be started on loopback`);
  }
  const libs = ensureKafkaJars(log);
  fs.mkdirSync(dir, { recursive: true });
  const configFile = writeConfig(dir, '127.0.0.1', Number(portText));
  const classpath = path.join(libs, '*');
  const jvm = ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', `-Dlog4j.configuration=file:${path.join(dir, 'log4j.properties')}`];
  if (!fs.existsSync(path.join(dir, 'data', 'meta.properties'))) {
    const format = spawnSync(
      'java',
      [...jvm, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', configFile, '--ignore-formatted'],
      { encoding: 'utf8' },
    );
    if (format.status !== 0) throw new Error(`formatting the Kafka storage failed: ${format.stderr || format.stdout}`);
  }
  log(`Kafka: starting a KRaft broker on ${brokers[0]} (data in ${dir})`);
  const out = fs.openSync(path.join(dir, 'stdout.log'), 'a');
  const child: ChildProcess = spawn('java', [...jvm, '-cp', classpath, 'kafka.Kafka', configFile], {
    stdio: ['ignore', out, out],
    // Detached brokers outlive this process (--prepare-only, for running jest by hand).
    detached: options.detach ?? false,
  });
  if (options.detach) child.unref();
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 90_000;
  while (!(await kafkaReachable(probe, 2000))) {
    if (exited) throw new Error(`the Kafka broker exited during start; see ${path.join(dir, 'stdout.log')} and broker.log`);
    if (Date.now() > deadline) throw new Error('the Kafka broker did not answer within 90 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    brokers,
    startedHere: true,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', () => {
          clearTimeout(killer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64 without padding. */
function clusterId(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}
