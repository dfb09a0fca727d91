import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createKafka, kafkaReachable } from '@app/kafka';
import { DATA_DIR, REPO_ROOT } from './paths';

/**
 * The Apache Kafka version the dev and test stack run. `KAFKA_VERSION=3.9.1 npm start` runs a 3.9
 * broker instead (documented, not run in CI). Each version has its own jar folder, so changing it
 * upgrades (or downgrades) the broker in place without mixing jars of two versions.
 */
export const DEFAULT_KAFKA_VERSION = '4.4.0';

export function kafkaVersion(env: NodeJS.ProcessEnv = process.env): string {
  const version = env.KAFKA_VERSION?.trim() || DEFAULT_KAFKA_VERSION;
  if (!/^\d+\.\d+\.\d+$/.test(version))
    throw new Error(`KAFKA_VERSION must look like 4.4.0, got "${version}"`);
  return version;
}

export interface RunningBroker {
  brokers: string[];
  /** False when a broker was already answering and we reused it. */
  startedHere: boolean;
  stop(): Promise<void>;
}

type Log = (line: string) => void;

/** Fetches the broker jars of `version` from Maven Central into .data/kafka/<version>/libs (once). */
export function ensureKafkaJars(log: Log, version: string = kafkaVersion()): string {
  const libs = path.join(DATA_DIR, 'kafka', version, 'libs');
  if (fs.existsSync(path.join(libs, `kafka_2.13-${version}.jar`))) return libs;
  log(`fetching Apache Kafka ${version} jars from Maven Central (once)...`);
  // Into a fresh folder first: a fetch that breaks off half-way never passes for a complete one.
  const partial = `${libs}.partial-${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      path.join(REPO_ROOT, 'docker/kafka/pom.xml'),
      `-Dkafka.version=${version}`,
      ...(version.startsWith('3.') ? ['-Pkafka3'] : []),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${partial}`,
      '-DincludeScope=runtime',
    ],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw new Error(
      `mvn could not fetch the Kafka ${version} jars (exit ${result.status}); is Maven installed?`,
    );
  }
  fs.rmSync(libs, { recursive: true, force: true });
  fs.renameSync(partial, libs);
  return libs;
}

/** Where a node's process logs go: log4j2 from Kafka 4 on, reload4j before. */
function writeLogConfig(dir: string, version: string): string {
  const logFile = path.join(dir, 'broker.log');
  if (version.startsWith('3.')) {
    const file = path.join(dir, 'log4j.properties');
    fs.writeFileSync(
      file,
      [
        'log4j.rootLogger=WARN, file',
        'log4j.appender.file=org.apache.log4j.RollingFileAppender',
        `log4j.appender.file.File=${logFile}`,
        'log4j.appender.file.MaxFileSize=20MB',
        'log4j.appender.file.MaxBackupIndex=2',
        'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
      ].join('\n') + '\n',
    );
    return `-Dlog4j.configuration=file:${file}`;
  }
  const file = path.join(dir, 'log4j2.properties');
  fs.writeFileSync(
    file,
    [
      'status=warn',
      'appender.file.type=RollingFile',
      'appender.file.name=file',
      `appender.file.fileName=${logFile}`,
      `appender.file.filePattern=${logFile}.%i`,
      'appender.file.layout.type=PatternLayout',
      'appender.file.layout.pattern=[%d] %p %m (%c)%n',
      'appender.file.policies.type=Policies',
      'appender.file.policies.size.type=SizeBasedTriggeringPolicy',
      'appender.file.policies.size.size=20MB',
      'appender.file.strategy.type=DefaultRolloverStrategy',
      'appender.file.strategy.max=2',
      'rootLogger.level=WARN',
      'rootLogger.appenderRef.file.ref=file',
    ].join('\n') + '\n',
  );
  return `-Dlog4j2.configurationFile=${file}`;
}

export interface KafkaNodeSpec {
  /** The node's own folder: server.properties, logs, and data/ (its log.dirs). */
  dir: string;
  nodeId: number;
  host: string;
  port: number;
  controllerPort: number;
  /** `id@host:port` of every controller of the quorum (this node's included). */
  voters: string[];
  /** Lines that replace or add to the defaults of writeNodeConfig. */
  extraConfig?: Record<string, string>;
  heap?: string;
}

/** server.properties of a combined broker+controller KRaft node. */
function writeNodeConfig(spec: KafkaNodeSpec): string {
  const replicas = String(Math.min(spec.voters.length, 3));
  const settings: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(spec.nodeId),
    'controller.quorum.voters': spec.voters.join(','),
    listeners: `PLAINTEXT://${spec.host}:${spec.port},CONTROLLER://${spec.host}:${spec.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${spec.host}:${spec.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': path.join(spec.dir, 'data'),
    'num.partitions': '3',
    'auto.create.topics.enable': 'false',
    'default.replication.factor': replicas,
    'min.insync.replicas': spec.voters.length >= 3 ? '2' : '1',
    'offsets.topic.replication.factor': replicas,
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.replication.factor': replicas,
    'transaction.state.log.min.isr': spec.voters.length >= 3 ? '2' : '1',
    'group.initial.rebalance.delay.ms': '0',
    'log.cleaner.backoff.ms': '5000',
    ...spec.extraConfig,
  };
  const file = path.join(spec.dir, 'server.properties');
  fs.writeFileSync(
    file,
    Object.entries(settings)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
  return file;
}

/**
 * One KRaft node as a JVM on loopback. `start()` formats its storage on first use, then launches
 * and waits until the node answers; `kill()` is `kill -9`; `stop()` is SIGTERM (a clean shutdown).
 */
export class KafkaNodeProcess {
  private child: ChildProcess | null = null;
  private readonly configFile: string;
  private readonly jvm: string[];
  private readonly classpath: string;

  constructor(
    readonly spec: KafkaNodeSpec,
    private readonly clusterId: string,
    version: string,
    libs: string,
    private readonly detach = false,
  ) {
    fs.mkdirSync(spec.dir, { recursive: true });
    this.configFile = writeNodeConfig(spec);
    this.classpath = path.join(libs, '*');
    this.jvm = [`-Xms128m`, `-Xmx${spec.heap ?? '1g'}`, '-XX:+UseG1GC', writeLogConfig(spec.dir, version)];
  }

  get address(): string {
    return `${this.spec.host}:${this.spec.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Launches the JVM; resolves when the node answers on its client port. */
  async start(timeoutMs = 90_000): Promise<void> {
    if (this.running) return;
    if (!fs.existsSync(path.join(this.spec.dir, 'data', 'meta.properties'))) this.format();
    const out = fs.openSync(path.join(this.spec.dir, 'stdout.log'), 'a');
    const child = spawn('java', [...this.jvm, '-cp', this.classpath, 'kafka.Kafka', this.configFile], {
      stdio: ['ignore', out, out],
      // Detached brokers outlive this process (--prepare-only, for running jest by hand).
      detached: this.detach,
    });
    fs.closeSync(out);
    if (this.detach) child.unref();
    this.child = child;
    const probe = createKafka({ brokers: [this.address], clientId: 'stack-probe', log: () => undefined });
    const deadline = Date.now() + timeoutMs;
    while (!(await kafkaReachable(probe, 2000))) {
      if (!this.running)
        throw new Error(
          `Kafka node ${this.spec.nodeId} exited during start; see ${path.join(this.spec.dir, 'stdout.log')} and broker.log`,
        );
      if (Date.now() > deadline)
        throw new Error(`Kafka node ${this.spec.nodeId} did not answer within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  /** `kill -9`: no clean shutdown, as when a machine or container dies. */
  kill(): Promise<void> {
    return this.signal('SIGKILL', 0);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs = 20_000): Promise<void> {
    return this.signal('SIGTERM', graceMs);
  }

  private signal(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const killer = graceMs > 0 ? setTimeout(() => child.kill('SIGKILL'), graceMs) : undefined;
      child.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      child.kill(signal);
    });
  }

  private format(): void {
    const result = spawnSync(
      'java',
      [
        ...this.jvm,
        '-cp',
        this.classpath,
        'kafka.tools.StorageTool',
        'format',
        // `=`: a random cluster id may begin with '-', which the tool would read as an option.
        `--cluster-id=${this.clusterId}`,
        '-c',
        this.configFile,
        '--ignore-formatted',
      ],
      { encoding: 'utf8' },
    );
    if (result.status !== 0)
      throw new Error(`formatting the Kafka storage failed: ${result.stderr || result.stdout}`);
  }
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
 * of `kafkaVersion()` on loopback with its data under .data/kafka/broker (or `dir`). The data
 * folder does not depend on the version: a new version takes over the same data (an in-place
 * upgrade, as a rolling upgrade of one node).
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
    throw new Error(
      `KAFKA_BROKERS=${brokers.join(',')} does not answer, and a local broker can only be started on loopback`,
    );
  }
  const version = kafkaVersion();
  const libs = ensureKafkaJars(log, version);
  const port = Number(portText);
  const node = new KafkaNodeProcess(
    {
      dir,
      nodeId: 1,
      host: '127.0.0.1',
      port,
      controllerPort: port + 1,
      voters: [`1@127.0.0.1:${port + 1}`],
    },
    newClusterId(),
    version,
    libs,
    options.detach ?? false,
  );
  log(`Kafka: starting a KRaft broker (Apache Kafka ${version}) on ${brokers[0]} (data in ${dir})`);
  await node.start();
  return { brokers, startedHere: true, stop: () => node.stop() };
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64 without padding. */
export function newClusterId(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}
