import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DATA_DIR } from './paths';
import { KafkaNodeProcess, ensureKafkaJars, kafkaVersion, newClusterId } from './kafka-broker';

/**
 * A multi-node KRaft cluster on loopback for failover tests and benchmarks: every node is broker
 * and controller (combined mode, as in small Strimzi node pools), ports come from the OS, and a
 * node can be killed (`kill -9`) and started again on its own data.
 */
export interface KafkaClusterNode {
  nodeId: number;
  /** `127.0.0.1:<port>`, the node's PLAINTEXT client listener. */
  address: string;
  readonly running: boolean;
  /** SIGKILL; resolves when the JVM has exited. */
  kill(): Promise<void>;
  /** Starts the node again on the same data and ports; resolves when it answers. */
  start(): Promise<void>;
}

export interface KafkaCluster {
  brokers: string[];
  nodes: KafkaClusterNode[];
  /** Stops every node and removes the cluster's folder. */
  stop(): Promise<void>;
}

export interface KafkaClusterOptions {
  /** Default 3. */
  nodes?: number;
  /** Default a fresh folder under .data/kafka/clusters/. */
  dir?: string;
  log?: (line: string) => void;
  /** Extra server.properties settings for every node. */
  brokerConfig?: Record<string, string>;
  /** JVM heap of each node (default 512m: three nodes share a small machine). */
  heap?: string;
}

/** Free TCP ports on loopback, taken from the OS (held until all are known, so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      servers.push(server);
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

/**
 * Starts `nodes` KRaft nodes with replication defaults for a cluster of that size
 * (default.replication.factor and the internal topics' factor min(nodes, 3), min.insync.replicas 2
 * from three nodes on). Resolves when every node answers.
 */
export async function startKafkaCluster(options: KafkaClusterOptions = {}): Promise<KafkaCluster> {
  const count = options.nodes ?? 3;
  const log = options.log ?? (() => undefined);
  const version = kafkaVersion();
  const libs = ensureKafkaJars(log, version);
  const dir =
    options.dir ?? path.join(DATA_DIR, 'kafka', 'clusters', `c-${Date.now().toString(36)}-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  const ports = await freePorts(count * 2);
  const ids = Array.from({ length: count }, (_, i) => i + 1);
  const voters = ids.map((id, i) => `${id}@127.0.0.1:${ports[count + i]}`);
  const clusterId = newClusterId();
  const processes = ids.map(
    (id, i) =>
      new KafkaNodeProcess(
        {
          dir: path.join(dir, `node-${id}`),
          nodeId: id,
          host: '127.0.0.1',
          port: ports[i],
          controllerPort: ports[count + i],
          voters,
          extraConfig: options.brokerConfig,
          heap: options.heap ?? '512m',
        },
        clusterId,
        version,
        libs,
      ),
  );
  log(
    `Kafka: starting a ${count}-node KRaft cluster (Apache Kafka ${version}) on ${processes.map((p) => p.address).join(',')}`,
  );
  try {
    // Together: a controller quorum only forms once a majority of voters is up.
    await Promise.all(processes.map((p) => p.start()));
  } catch (e) {
    await Promise.all(processes.map((p) => p.kill()));
    throw e;
  }
  const nodes: KafkaClusterNode[] = processes.map((p) => ({
    nodeId: p.spec.nodeId,
    address: p.address,
    get running() {
      return p.running;
    },
    kill: () => p.kill(),
    start: () => p.start(),
  }));
  return {
    brokers: processes.map((p) => p.address),
    nodes,
    stop: async () => {
      await Promise.all(processes.map((p) => p.stop(10_000)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
