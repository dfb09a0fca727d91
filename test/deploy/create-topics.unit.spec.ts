/**
 * docker/kafka/create-topics.sh (compose's kafka-init) run for real by bash, with the Kafka CLI
 * replaced by recorders: the commands it issues must create exactly allTopicSpecs, with the
 * replication settings from KAFKA_TOPIC_REPLICATION_FACTOR / KAFKA_TOPIC_MIN_INSYNC_REPLICAS.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  allTopicSpecs,
  DEV_TOPIC_SETTINGS,
  PRODUCTION_TOPIC_SETTINGS,
  type TopicSettings,
} from '@app/contracts';

const SCRIPT = path.resolve(__dirname, '../../docker/kafka/create-topics.sh');

interface Created {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
}

function runScript(env: Record<string, string>): {
  status: number | null;
  stderr: string;
  created: Created[];
  altered: string[][];
} {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-bin-'));
  const calls = path.join(bin, 'calls.txt');
  // Each recorder appends its name and argv as one line, fields separated by \x1f (bash, not
  // node: the script calls them two dozen times).
  for (const tool of ['kafka-topics.sh', 'kafka-configs.sh']) {
    fs.writeFileSync(
      path.join(bin, tool),
      `#!/bin/bash\n{ printf '%s\\x1f' ${tool} "$@"; echo; } >> '${calls}'\n`,
      { mode: 0o755 },
    );
  }
  try {
    const result = spawnSync('bash', [SCRIPT], {
      env: { PATH: process.env.PATH, KAFKA_BIN: bin, ...env },
      encoding: 'utf8',
    });
    const lines = fs.existsSync(calls)
      ? fs.readFileSync(calls, 'utf8').trim().split('\n').filter(Boolean)
      : [];
    const argvs = lines.map((l) => l.split('\x1f').slice(0, -1));
    const created: Created[] = [];
    for (const argv of argvs.filter((a) => a[0] === 'kafka-topics.sh' && a.includes('--create'))) {
      const value = (flag: string) => argv[argv.indexOf(flag) + 1];
      const config = Object.fromEntries(
        argv.flatMap((a, i) => (a === '--config' ? [argv[i + 1].split('=') as [string, string]] : [])),
      );
      created.push({
        name: value('--topic'),
        partitions: Number(value('--partitions')),
        replicationFactor: Number(value('--replication-factor')),
        config,
      });
    }
    const altered = argvs.filter((a) => a[0] === 'kafka-configs.sh');
    return { status: result.status, stderr: result.stderr, created, altered };
  } finally {
    fs.rmSync(bin, { recursive: true, force: true });
  }
}

const expected = (prefix: string, settings: TopicSettings): Created[] =>
  allTopicSpecs(prefix, settings).map((t) => ({
    name: t.name,
    partitions: t.partitions,
    replicationFactor: t.replicationFactor!,
    config: t.config,
  }));
const byName = (list: Created[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));

describe('docker/kafka/create-topics.sh', () => {
  it('creates every topic of allTopicSpecs with the dev settings 1/1 by default', () => {
    const run = runScript({});
    expect(run.status).toBe(0);
    expect(byName(run.created)).toEqual(byName(expected('', DEV_TOPIC_SETTINGS)));
  });

  it('takes the production 3/2 from the variables, with the prefix, and brings existing topics up to date', () => {
    const run = runScript({
      KAFKA_TOPIC_REPLICATION_FACTOR: '3',
      KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2',
      KAFKA_TOPIC_PREFIX: 'stack-a.',
    });
    expect(run.status).toBe(0);
    expect(byName(run.created)).toEqual(byName(expected('stack-a.', PRODUCTION_TOPIC_SETTINGS)));
    // --if-not-exists leaves an existing topic as it is; the alter sets min.insync.replicas on it too.
    expect(run.altered).toHaveLength(run.created.length);
    for (const argv of run.altered)
      expect(argv[argv.indexOf('--add-config') + 1]).toContain('min.insync.replicas=2');
  });

  it('refuses min.insync.replicas above the replication factor, naming the variables, before touching Kafka', () => {
    const run = runScript({ KAFKA_TOPIC_REPLICATION_FACTOR: '1', KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /KAFKA_TOPIC_MIN_INSYNC_REPLICAS \(2\) must not exceed KAFKA_TOPIC_REPLICATION_FACTOR \(1\)/,
    );
    expect(run.created).toEqual([]);
  });
});
