/**
 * No Docker engine or cluster runs here, so this checks what can be checked without one: every
 * manifest parses, and the Dockerfile, compose file and Kubernetes manifests agree with the code
 * (app ports and config variables, health routes, topics, databases, build steps).
 * Config schemas grow during development: the test reads defaults field by field (a new required
 * variable elsewhere does not break it) and only asks that what the manifests set is known.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { parseAllDocuments } from 'yaml';
import { loadConfig, type ConfigSchema } from '@app/config';
import { kafkaSecurityConfig, kafkaSecurityFromEnv } from '@app/kafka/security';
import {
  allTopicSpecs,
  deadLetterTopicName,
  KAFKA_APPS,
  kafkaAclsFor,
  TOPIC_ACCESS,
  TOPICS,
  type KafkaApp,
  type TopicKey,
  DEV_TOPIC_SETTINGS,
  PRODUCTION_TOPIC_SETTINGS,
  type TopicSpec,
  type TopicSettings,
} from '@app/contracts';
import { HealthController } from '@app/observability';
import { httpConfig, httpSettings, type HttpConfig } from '@app/http';
import { APPS, type AppSpec } from '@app/testing/stack/apps';
import { DEFAULT_KAFKA_VERSION } from '@app/testing/stack/kafka-broker';
import { ocppGatewayConfigSchema } from '../../apps/ocpp-gateway/src/config';
import { sessionServiceConfigSchema } from '../../apps/session-service/src/config';
import { billingServiceConfigSchema } from '../../apps/billing-service/src/config';

type AppName = AppSpec['name'];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ROOT = path.resolve(__dirname, '../..');
const DOCKER = path.join(ROOT, 'docker');
const K8S = path.join(DOCKER, 'k8s');
const APP_NAMES = APPS.map((a) => a.name);

const SCHEMAS: Record<AppName, ConfigSchema> = {
  'ocpp-gateway': ocppGatewayConfigSchema,
  'session-service': sessionServiceConfigSchema,
  'billing-service': billingServiceConfigSchema,
};
const KNOWN_BY_SOME_APP = new Set(Object.values(SCHEMAS).flatMap((s) => Object.keys(s)));
/** What scripts/migrate.ts reads besides the app's DATABASE_URL. */
const MIGRATE_VARIABLES = [
  'DATABASE_URL',
  'AUTH_DATABASE_URL',
  'MIGRATE_WAIT_TIMEOUT_S',
  'MIGRATE_CREATE_DATABASE',
  'APP',
];
/**
 * Secret placeholders that are invalid on purpose: an unreplaced Secret must stop the app at start
 * (one line naming the variable) rather than run with a key published in this repository.
 */
const REFUSED_PLACEHOLDERS = new Set(['WEBHOOK_SECRET_KEY']);
/** What whoever creates the topics reads (compose's kafka-init, npm start, tests), not the apps. */
const TOPIC_CREATION_VARIABLES = ['KAFKA_TOPIC_REPLICATION_FACTOR', 'KAFKA_TOPIC_MIN_INSYNC_REPLICAS'];

/** A variable's default as the app would see it with the variable unset. */
function defaultOf<T>(app: AppName, variable: string): T {
  const field = SCHEMAS[app][variable];
  if (!field) throw new Error(`${app} has no config variable ${variable}`);
  return field.parse(undefined, variable) as T;
}
const defaultPort = (app: AppName) => defaultOf<number>(app, 'PORT');
/** Where /metrics and /docs listen with these variables: MANAGEMENT_PORT, or its default from PORT. */
function managementPortOf(app: AppName, env: Record<string, unknown>): number {
  const raw = (k: string) => (typeof env[k] === 'string' ? (env[k] as string) : undefined);
  const config = Object.fromEntries(
    Object.keys(httpConfig).map((k) => [k, SCHEMAS[app][k].parse(raw(k), k)]),
  );
  return httpSettings({ ...(config as HttpConfig), PORT: Number(raw('PORT') ?? defaultPort(app)) })
    .managementPort;
}
const databaseOf = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));
const read = (file: string) => fs.readFileSync(file, 'utf8');

function yamlDocs(file: string): Json[] {
  const docs = parseAllDocuments(read(file), { merge: true });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  return list.map((d) => d.toJS({ maxAliasCount: -1 })).filter((d) => d !== null && d !== undefined);
}

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? yamlFiles(path.join(dir, e.name))
        : /\.ya?ml$/.test(e.name)
          ? [path.join(dir, e.name)]
          : [],
    );
}

/** Every non-test TypeScript source under dir, concatenated. */
function sourcesOf(dir: string): string {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.includes('.spec.'))
    .map((e) => read(path.join(e.parentPath ?? e.path, e.name)))
    .join('\n');
}

/** `name:tag` or `registry/name:tag@digest` → the repository part. */
const imageRepo = (image: string) => image.replace(/@.*$/, '').replace(/:[^/:]+$/, '');

/** `${VAR:-default}` → default, as compose substitutes it with VAR unset. */
const substituteCompose = (value: string) => value.replace(/\$\{\w+:-([^}]*)\}/g, '$1');

const expectedTopics = (settings: TopicSettings = PRODUCTION_TOPIC_SETTINGS) =>
  new Map(allTopicSpecs('', settings).map((t): [string, TopicSpec] => [t.name, t]));

describe('health routes the probes use', () => {
  it('HealthController serves GET /health/live and GET /health/ready', () => {
    expect(Reflect.getMetadata('path', HealthController)).toBe('health');
    const live = HealthController.prototype.live;
    const ready = HealthController.prototype.ready;
    expect(Reflect.getMetadata('path', live)).toBe('live');
    expect(Reflect.getMetadata('method', live)).toBe(RequestMethod.GET);
    expect(Reflect.getMetadata('path', ready)).toBe('ready');
    expect(Reflect.getMetadata('method', ready)).toBe(RequestMethod.GET);
  });
});

const HEALTH_PATHS = ['/health/live', '/health/ready'];

describe('Dockerfile', () => {
  const text = read(path.join(DOCKER, 'Dockerfile'));
  // Instructions with line continuations joined, comments dropped.
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [, op, rest] = /^(\S+)\s*(.*)$/.exec(l)!;
      return { op: op.toUpperCase(), args: rest.replace(/\s+/g, ' ') };
    });
  const stages: Record<string, typeof instructions> = {};
  let current: typeof instructions | undefined;
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      const name = /\bAS (\S+)$/i.exec(ins.args)?.[1];
      if (!name) throw new Error(`unnamed stage: FROM ${ins.args}`);
      stages[name] = current = [];
    }
    current?.push(ins);
  }
  const runs = (stage: string) => stages[stage].filter((i) => i.op === 'RUN').map((i) => i.args);
  const pkg = JSON.parse(read(path.join(ROOT, 'package.json'))) as { scripts: Record<string, string> };

  it('has a build and a runtime stage on node:20-bookworm-slim', () => {
    expect(Object.keys(stages)).toEqual(['build', 'runtime']);
    const baseArg = instructions.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='));
    expect(baseArg?.args).toBe('NODE_IMAGE=node:20-bookworm-slim');
    for (const stage of Object.values(stages)) expect(stage[0].args).toMatch(/^\$\{NODE_IMAGE\} AS /);
  });

  it('builds with the steps npm start runs: its npm install command, then the package.json build script', () => {
    // scripts/start.mjs installs with spawnSync('npm', ['<install command>', ...]);
    // scripts/stack.ts builds with `npm run -s build`.
    const install = /spawnSync\('npm', \['(\w+)'/.exec(read(path.join(ROOT, 'scripts/start.mjs')))?.[1];
    expect(['ci', 'install']).toContain(install);
    expect(read(path.join(ROOT, 'scripts/stack.ts'))).toMatch(/'run',\s*'-s',\s*'build'/);
    const buildRuns = runs('build');
    expect(buildRuns.map((r) => r.split(' ').slice(0, 2).join(' '))).toEqual([`npm ${install}`, 'npm run']);
    expect(buildRuns[1]).toBe('npm run build');
    expect(pkg.scripts.build).toMatch(/tsc -p tsconfig\.build\.json/);
  });

  it('copies every path the build tsconfig includes into the build stage', () => {
    const tsconfig = JSON.parse(read(path.join(ROOT, 'tsconfig.build.json'))) as {
      extends: string;
      include: string[];
    };
    const needed = [
      'package.json',
      'package-lock.json',
      'tsconfig.build.json',
      tsconfig.extends.replace(/^\.\//, ''),
      ...tsconfig.include.map((g) => g.split('/')[0]),
    ];
    const copies = stages.build.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copies).toContain('. .');
    const ignored = read(path.join(ROOT, '.dockerignore'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const entry of needed) expect(ignored).not.toContain(entry);
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data', '.git']));
  });

  it('runs production dependencies only, the built dist, as a non-root user', () => {
    const runtime = stages.runtime;
    expect(runs('runtime').some((r) => /^npm (ci|install) .*--omit=dev/.test(r))).toBe(true);
    expect(runtime.some((i) => i.op === 'COPY' && i.args === '--from=build /app/dist ./dist')).toBe(true);
    const user = runtime.filter((i) => i.op === 'USER').pop()?.args;
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(runtime.find((i) => i.op === 'ENTRYPOINT')?.args).toBe('["chargebill-entrypoint"]');
    const exposed = runtime
      .find((i) => i.op === 'EXPOSE')!
      .args.split(' ')
      .map(Number)
      .sort();
    expect(exposed).toEqual(APP_NAMES.map(defaultPort).sort());
  });

  it('the entry point starts each app from its built main.js, and migrate from dist/scripts/migrate.js', () => {
    const entry = read(path.join(DOCKER, 'entrypoint.sh'));
    for (const app of APP_NAMES) {
      expect(entry).toContain(app);
      expect(fs.existsSync(path.join(ROOT, 'apps', app, 'src/main.ts'))).toBe(true);
    }
    expect(entry).toContain('exec node "dist/apps/$app/src/main.js"');
    expect(entry).toContain('exec node dist/scripts/migrate.js');
    expect(fs.existsSync(path.join(ROOT, 'scripts/migrate.ts'))).toBe(true);
  });
});

describe('docker/compose.yaml', () => {
  const [compose] = yamlDocs(path.join(DOCKER, 'compose.yaml'));
  const services = compose.services as Record<string, Json>;

  it('runs the Kafka version of the dev stack in KRaft mode as a single node, without topic auto-creation', () => {
    const kafka = services.kafka;
    expect(kafka.image).toBe(`apache/kafka:${DEFAULT_KAFKA_VERSION}`);
    expect(services['kafka-init'].image).toBe(kafka.image);
    expect(String(kafka.environment.KAFKA_PROCESS_ROLES).split(',').sort()).toEqual(['broker', 'controller']);
    expect(kafka.environment.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(
      `${kafka.environment.KAFKA_NODE_ID}@kafka:9093`,
    );
    expect(kafka.environment.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    expect(kafka.healthcheck).toBeDefined();
  });

  it('creates exactly the topics of allTopicSpecs with their partitions and settings', () => {
    const init = services['kafka-init'];
    expect(init.depends_on.kafka.condition).toBe('service_healthy');
    const mount = (init.volumes as string[]).find((v) => v.endsWith(':/create-topics.sh:ro'))!;
    expect(init.entrypoint).toEqual(['/bin/bash', '/create-topics.sh']);
    for (const app of APP_NAMES) {
      expect(init.environment.KAFKA_TOPIC_PREFIX).toBe(services[app].environment.KAFKA_TOPIC_PREFIX);
      expect(services[app].environment.KAFKA_BROKERS).toBe(init.environment.KAFKA_BOOTSTRAP);
    }
    const script = read(path.resolve(DOCKER, mount.split(':')[0]));
    const created = new Map<string, { partitions: number; config: Record<string, string> }>();
    for (const line of script.split('\n')) {
      const m = /^topic\s+(\S+)\s+(\d+)((?:\s+\S+=\S+)*)\s*$/.exec(line);
      if (!m) continue;
      const config = Object.fromEntries(
        m[3]
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map((kv) => kv.split('=') as [string, string]),
      );
      expect(created.has(m[1])).toBe(false);
      created.set(m[1], { partitions: Number(m[2]), config });
    }
    // The single compose broker gets the dev settings; the script adds min.insync.replicas to every topic.
    expect(init.environment.KAFKA_TOPIC_REPLICATION_FACTOR).toBe(
      String(DEV_TOPIC_SETTINGS.replicationFactor),
    );
    expect(init.environment.KAFKA_TOPIC_MIN_INSYNC_REPLICAS).toBe(
      String(DEV_TOPIC_SETTINGS.minInsyncReplicas),
    );
    expect(script).toMatch(/^REPLICATION_FACTOR="\$\{KAFKA_TOPIC_REPLICATION_FACTOR:-/m);
    expect(script).toMatch(/^MIN_INSYNC_REPLICAS="\$\{KAFKA_TOPIC_MIN_INSYNC_REPLICAS:-/m);
    expect(script).toMatch(/set -- "\$@" "min\.insync\.replicas=\$MIN_INSYNC_REPLICAS"/);
    expect(script).toMatch(/--replication-factor "\$REPLICATION_FACTOR"/);
    const expected = expectedTopics(DEV_TOPIC_SETTINGS);
    expect([...created.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, spec] of expected) {
      const got = created.get(name)!;
      expect({
        name,
        partitions: got.partitions,
        config: { ...got.config, 'min.insync.replicas': init.environment.KAFKA_TOPIC_MIN_INSYNC_REPLICAS },
      }).toEqual({
        name,
        partitions: spec.partitions,
        config: spec.config,
      });
      expect(got.config['min.insync.replicas']).toBeUndefined();
    }
    expect(created.get('billing.tariffs.v1')!.config['cleanup.policy']).toBe('compact');
  });

  it('runs Postgres 15 with one database per app', () => {
    const pg = services.postgres;
    expect(pg.image).toMatch(/^postgres:15(\b|-)/);
    const mount = (pg.volumes as string[]).find((v) => v.includes('/docker-entrypoint-initdb.d/'))!;
    const sql = read(path.resolve(DOCKER, mount.split(':')[0]));
    const created = [...sql.matchAll(/^CREATE DATABASE (\w+);/gim)].map((m) => m[1]);
    expect([...created].sort()).toEqual(APPS.map((a) => a.database).sort());
    // Healthy only once the init script has run to its end.
    expect(pg.healthcheck.test.join(' ')).toContain(`-d ${created[created.length - 1]} `);
  });

  describe.each(APP_NAMES)('%s', (app) => {
    const service = services[app];
    const migrate = services[`migrate-${app}`];
    const spec = APPS.find((a) => a.name === app)!;

    it('runs the app from the shared image, with its port and database', () => {
      expect(service.command).toEqual([app]);
      expect(service.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
      const envs = service.environment as Record<string, string>;
      expect(Number(envs.PORT)).toBe(defaultPort(app));
      expect(service.ports).toContain(`${defaultPort(app)}:${defaultPort(app)}`);
      // /metrics and /docs are published on the host's loopback only, never on the public port.
      const management = managementPortOf(app, envs);
      expect(management).not.toBe(defaultPort(app));
      expect(service.ports).toContain(`127.0.0.1:${management}:${management}`);
      expect(service.ports.filter((p: string) => p.endsWith(`:${management}`))).toEqual([
        `127.0.0.1:${management}:${management}`,
      ]);
      expect(databaseOf(envs.DATABASE_URL)).toBe(spec.database);
      expect(databaseOf(defaultOf<string>(app, 'DATABASE_URL'))).toBe(spec.database);
      expect(envs.KAFKA_BROKERS).toBe('kafka:9092');
      for (const [name, value] of Object.entries(envs)) {
        expect({ app, variable: name, known: name in SCHEMAS[app] }).toMatchObject({ known: true });
        expect(() => SCHEMAS[app][name].parse(substituteCompose(value), name)).not.toThrow();
      }
      expect(envs).not.toHaveProperty('DEMO_API_KEY');
      expect(envs).not.toHaveProperty('OCPP_ALLOW_UNREGISTERED');
    });

    it('is healthy on /health/ready, after its migrations and the topics', () => {
      expect(service.healthcheck.test.join(' ')).toContain("'/health/ready'");
      expect(service.healthcheck.test.join(' ')).toContain('process.env.PORT');
      expect(service.depends_on[`migrate-${app}`].condition).toBe('service_completed_successfully');
      expect(service.depends_on['kafka-init'].condition).toBe('service_completed_successfully');
      expect(Number(String(service.stop_grace_period).replace(/s$/, '')) * 1000).toBeGreaterThan(
        Number(service.environment.SHUTDOWN_TIMEOUT_MS ?? defaultOf<number>(app, 'SHUTDOWN_TIMEOUT_MS')),
      );
    });

    it('migrates its database first', () => {
      expect(migrate.command).toEqual(['migrate', app]);
      expect(migrate.image).toBe(service.image);
      expect(migrate.environment.DATABASE_URL).toBe(service.environment.DATABASE_URL);
      expect(migrate.depends_on.postgres.condition).toBe('service_healthy');
    });
  });
});

describe('Kubernetes manifests (docker/k8s)', () => {
  const KNOWN_KINDS = new Set([
    'Namespace',
    'ConfigMap',
    'Secret',
    'Deployment',
    'Service',
    'PodDisruptionBudget',
    'Job',
    'KafkaTopic',
    'KafkaUser',
    'HorizontalPodAutoscaler',
    'NetworkPolicy',
    'Kustomization',
    'Component',
  ]);
  const files = yamlFiles(K8S);
  const byFile = new Map(files.map((f) => [f, yamlDocs(f)]));
  const resources = [...byFile.entries()]
    .filter(([f]) => !f.endsWith('kustomization.yaml'))
    .flatMap(([, docs]) => docs);
  const ofKind = (kind: string) => resources.filter((r) => r.kind === kind);
  const deployments = ofKind('Deployment');
  const jobs = ofKind('Job');
  const configMaps = new Map(ofKind('ConfigMap').map((c) => [c.metadata.name as string, c]));
  const secrets = new Map(ofKind('Secret').map((s) => [s.metadata.name as string, s]));
  const appOf = (workload: Json): AppName => workload.metadata.labels['app.kubernetes.io/name'];
  const containerOf = (workload: Json) => {
    expect(workload.spec.template.spec.containers).toHaveLength(1);
    return workload.spec.template.spec.containers[0];
  };

  it('every file parses into objects of known kinds with names', () => {
    expect(files.length).toBeGreaterThan(5);
    for (const r of [...byFile.values()].flat()) {
      expect(KNOWN_KINDS.has(r.kind)).toBe(true);
      expect(typeof r.apiVersion).toBe('string');
      if (r.kind !== 'Kustomization' && r.kind !== 'Component')
        expect(r.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    }
  });

  it('each kustomization lists exactly the manifests of its folder', () => {
    for (const [file, [k]] of byFile) {
      if (!file.endsWith('kustomization.yaml')) continue;
      const dir = path.dirname(file);
      const siblings = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
      const resources: string[] = k.resources ?? [];
      const [bases, files] = [
        resources.filter((r: string) => !/\.ya?ml$/.test(r)),
        resources.filter((r: string) => /\.ya?ml$/.test(r)),
      ];
      expect(files.sort()).toEqual(siblings.sort());
      // An overlay names its base folder, which must be a kustomization itself.
      for (const base of bases) expect(fs.existsSync(path.join(dir, base, 'kustomization.yaml'))).toBe(true);
    }
  });

  it('has one Deployment and one migration Job per app, all on the same image the kustomization sets', () => {
    expect(deployments.map(appOf).sort()).toEqual([...APP_NAMES].sort());
    expect(jobs.map(appOf).sort()).toEqual([...APP_NAMES].sort());
    const images = [
      ...[...deployments, ...jobs].map((w) => containerOf(w).image as string),
      ...deployments.flatMap((d) =>
        (d.spec.template.spec.initContainers ?? []).map((c: Json) => c.image as string),
      ),
    ];
    for (const image of images) expect(image).toMatch(/^[a-z0-9./-]+:[\w.-]+$/);
    const repos = new Set(images.map(imageRepo));
    expect(repos.size).toBe(1);
    const [k] = byFile.get(path.join(K8S, 'kustomization.yaml'))!;
    expect(k.images.map((i: Json) => i.name)).toEqual([...repos]);
  });

  it('sets no dev-stack shortcut (DEMO_API_KEY, OCPP_ALLOW_UNREGISTERED) anywhere', () => {
    const text = files.map(read).join('\n');
    for (const r of resources) {
      const names = [
        ...Object.keys(r.data ?? {}),
        ...Object.keys(r.stringData ?? {}),
        ...(r.spec?.template?.spec?.containers ?? []).flatMap((c: Json) =>
          (c.env ?? []).map((e: Json) => e.name),
        ),
      ];
      expect(names).not.toContain('DEMO_API_KEY');
      expect(names).not.toContain('OCPP_ALLOW_UNREGISTERED');
    }
    expect(text).not.toMatch(/OCPP_ALLOW_UNREGISTERED:\s*'?true/);
  });

  it('every Secret key a workload references exists in the manifests', () => {
    const refs = [...deployments, ...jobs].flatMap((w) =>
      [...(w.spec.template.spec.initContainers ?? []), ...w.spec.template.spec.containers].flatMap(
        (c: Json) =>
          (c.env ?? [])
            .filter((e: Json) => e.valueFrom?.secretKeyRef)
            .map((e: Json) => ({ workload: w.metadata.name, variable: e.name, ...e.valueFrom.secretKeyRef })),
      ),
    );
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const value = secrets.get(ref.name)?.stringData?.[ref.key];
      expect({ ...ref, exists: typeof value === 'string' && value.length > 0 }).toEqual({
        ...ref,
        exists: true,
      });
    }
    // session-service seals webhook secrets with a key from a Secret (not the ConfigMap, not a literal).
    const sessions = deployments.find((d) => appOf(d) === 'session-service')!;
    const key = containerOf(sessions).env.find((e: Json) => e.name === 'WEBHOOK_SECRET_KEY');
    expect(key?.valueFrom?.secretKeyRef).toBeDefined();
  });

  it('the shared ConfigMap sets only variables the apps know', () => {
    for (const cm of configMaps.values()) {
      for (const [name, value] of Object.entries(cm.data as Record<string, string>)) {
        expect({ variable: name, known: KNOWN_BY_SOME_APP.has(name) }).toEqual({
          variable: name,
          known: true,
        });
        expect(typeof value).toBe('string');
      }
    }
  });

  describe.each(APP_NAMES)('%s', (app) => {
    const deployment = deployments.find((d) => appOf(d) === app)!;
    const job = jobs.find((j) => appOf(j) === app)!;
    const pod = deployment.spec.template.spec;
    const container = containerOf(deployment);
    const port = defaultPort(app);
    const spec = APPS.find((a) => a.name === app)!;

    /** The variables the container sees: envFrom ConfigMaps, then its own env (which wins). */
    function effectiveEnv(c: Json): Record<string, string | { from: string }> {
      const out: Record<string, string | { from: string }> = {};
      for (const from of c.envFrom ?? []) {
        const cm = configMaps.get(from.configMapRef?.name);
        expect(cm).toBeDefined();
        Object.assign(out, cm.data);
      }
      for (const e of c.env ?? []) out[e.name] = e.value ?? { from: JSON.stringify(e.valueFrom) };
      return out;
    }

    it('runs the app with its default port as the container port', () => {
      expect(container.args).toEqual([app]);
      const env = effectiveEnv(container);
      expect(container.ports).toEqual([
        { name: 'http', containerPort: port, protocol: 'TCP' },
        { name: 'management', containerPort: managementPortOf(app, env), protocol: 'TCP' },
      ]);
      if (env.PORT !== undefined) expect(Number(env.PORT)).toBe(port);
    });

    it('admits its management port from the monitoring namespace only, its public port from anywhere', () => {
      const labels = deployment.spec.template.metadata.labels as Record<string, string>;
      const policies = ofKind('NetworkPolicy').filter((p) =>
        Object.entries(p.spec.podSelector.matchLabels as Record<string, string>).every(
          ([k, v]) => labels[k] === v,
        ),
      );
      expect(policies).toHaveLength(1);
      const [policy] = policies;
      expect(policy.spec.policyTypes).toEqual(['Ingress']);
      const portNames = (container.ports as Json[]).map((p) => p.name);
      const rules = policy.spec.ingress as Json[];
      for (const rule of rules) for (const p of rule.ports) expect(portNames).toContain(p.port);
      const ruleFor = (port: string) => rules.filter((r) => r.ports.some((p: Json) => p.port === port));
      expect(ruleFor('http')).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
      const management = ruleFor('management');
      expect(management).toHaveLength(1);
      expect(management[0].from).toEqual([
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
      ]);
    });

    it('has Prometheus scrape /metrics on the management port, which no Service exposes', () => {
      const management = managementPortOf(app, effectiveEnv(container));
      expect(management).not.toBe(port);
      const annotations = deployment.spec.template.metadata.annotations as Record<string, string>;
      expect(annotations['prometheus.io/scrape']).toBe('true');
      expect(Number(annotations['prometheus.io/port'])).toBe(management);
      expect(annotations['prometheus.io/path']).toBe('/metrics');
      for (const svc of ofKind('Service')) {
        for (const p of svc.spec.ports ?? []) {
          expect({ service: svc.metadata.name, port: p.port }).not.toEqual({
            service: svc.metadata.name,
            port: management,
          });
          expect(['management', management]).not.toContain(p.targetPort);
        }
      }
    });

    it('sets only variables its config schema knows, and takes DATABASE_URL from the Secret', () => {
      for (const e of container.env) {
        expect({ app, variable: e.name, known: e.name in SCHEMAS[app] }).toEqual({
          app,
          variable: e.name,
          known: true,
        });
      }
      const db = container.env.find((e: Json) => e.name === 'DATABASE_URL');
      const ref = db.valueFrom.secretKeyRef;
      const secret = secrets.get(ref.name);
      expect(secret).toBeDefined();
      const url = secret.stringData[ref.key] as string;
      expect(() => SCHEMAS[app].DATABASE_URL.parse(url, 'DATABASE_URL')).not.toThrow();
      expect(databaseOf(url)).toBe(spec.database);
      expect(() =>
        SCHEMAS[app].KAFKA_BROKERS.parse(String(effectiveEnv(container).KAFKA_BROKERS), 'KAFKA_BROKERS'),
      ).not.toThrow();
    });

    it('every value the container gets is valid for the app', () => {
      const values: Record<string, string> = {};
      for (const from of container.envFrom ?? [])
        Object.assign(values, configMaps.get(from.configMapRef.name).data);
      for (const e of container.env) {
        if (e.value !== undefined) values[e.name] = e.value;
        else if (e.valueFrom.secretKeyRef) {
          values[e.name] = secrets.get(e.valueFrom.secretKeyRef.name).stringData[
            e.valueFrom.secretKeyRef.key
          ];
        } else if (e.valueFrom.fieldRef?.fieldPath === 'metadata.name')
          values[e.name] = `${app}-5d8f7c9b6-x2k4q`;
        else throw new Error(`${app}: unexpected valueFrom for ${e.name}`);
      }
      for (const [name, value] of Object.entries(values)) {
        if (!(name in SCHEMAS[app])) continue; // a shared ConfigMap key meant for another app
        if (REFUSED_PLACEHOLDERS.has(name)) {
          expect(value).toContain('CHANGE-ME');
          expect(() => SCHEMAS[app][name].parse(value, name)).toThrow(
            new RegExp(`^invalid configuration: ${name} `),
          );
        } else expect(() => SCHEMAS[app][name].parse(value, name)).not.toThrow();
      }
    });

    it('probes /health/live and /health/ready on the app port', () => {
      const portOf = (p: number | string) =>
        typeof p === 'number' ? p : container.ports.find((cp: Json) => cp.name === p)?.containerPort;
      const { livenessProbe, readinessProbe, startupProbe } = container;
      expect(livenessProbe.httpGet.path).toBe('/health/live');
      expect(readinessProbe.httpGet.path).toBe('/health/ready');
      for (const probe of [livenessProbe, readinessProbe, startupProbe].filter(Boolean)) {
        expect(HEALTH_PATHS).toContain(probe.httpGet.path);
        expect(portOf(probe.httpGet.port)).toBe(port);
      }
    });

    it('sets requests and limits for CPU and memory', () => {
      for (const c of [container, containerOf(job)]) {
        for (const kind of ['requests', 'limits']) {
          expect(c.resources[kind].cpu).toMatch(/^\d+(\.\d+)?m?$/);
          expect(c.resources[kind].memory).toMatch(/^\d+(Mi|Gi)$/);
        }
      }
    });

    it('gives the pod longer to stop than the preStop sleep plus SHUTDOWN_TIMEOUT_MS', () => {
      const env = effectiveEnv(container);
      const shutdownMs = Number(env.SHUTDOWN_TIMEOUT_MS ?? defaultOf<number>(app, 'SHUTDOWN_TIMEOUT_MS'));
      expect(() =>
        SCHEMAS[app].SHUTDOWN_TIMEOUT_MS.parse(String(shutdownMs), 'SHUTDOWN_TIMEOUT_MS'),
      ).not.toThrow();
      const [cmd, seconds] = container.lifecycle.preStop.exec.command;
      expect(cmd).toBe('sleep');
      expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(Number(seconds) * 1000 + shutdownMs);
    });

    it('runs as non-root without privileges', () => {
      for (const workload of [deployment, job]) {
        const podSpec = workload.spec.template.spec;
        expect(podSpec.securityContext.runAsNonRoot).toBe(true);
        expect(podSpec.securityContext.runAsUser).toBeGreaterThan(0);
        const sc = containerOf(workload).securityContext;
        expect(sc.allowPrivilegeEscalation).toBe(false);
        expect(sc.capabilities.drop).toContain('ALL');
      }
    });

    it('has a Service and a PodDisruptionBudget that select its pods', () => {
      const labels = deployment.spec.template.metadata.labels as Record<string, string>;
      const selects = (selector: Record<string, string>) =>
        Object.entries(selector).every(([k, v]) => labels[k] === v) && Object.keys(selector).length > 0;
      expect(selects(deployment.spec.selector.matchLabels)).toBe(true);
      const services = ofKind('Service').filter((s) => selects(s.spec.selector));
      expect(services).toHaveLength(1);
      const [svcPort] = services[0].spec.ports;
      expect(svcPort.port).toBe(port);
      expect([port, 'http']).toContain(svcPort.targetPort);
      const pdbs = ofKind('PodDisruptionBudget').filter((p) => selects(p.spec.selector.matchLabels));
      expect(pdbs).toHaveLength(1);
      const pdb = pdbs[0].spec;
      if (pdb.minAvailable !== undefined) expect(pdb.minAvailable).toBeLessThan(deployment.spec.replicas);
      else expect(pdb.maxUnavailable).toBeGreaterThanOrEqual(1);
      expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    });

    it('migrates with a Job on the same image and database, and its pods wait for it', () => {
      const c = containerOf(job);
      const databaseFrom = (x: Json) => x.env.find((e: Json) => e.name === 'DATABASE_URL').valueFrom;
      expect(c.args).toEqual(['migrate', app]);
      expect(c.image).toBe(container.image);
      expect(databaseFrom(c)).toEqual(databaseFrom(container));
      expect(job.spec.template.spec.restartPolicy).toBe('Never');
      expect(pod.initContainers).toHaveLength(2);
      const [wait, waitAccess] = pod.initContainers;
      expect(wait.args).toEqual(['migrate', app, '--wait']);
      expect(wait.image).toBe(container.image);
      expect(databaseFrom(wait)).toEqual(databaseFrom(container));
      for (const m of [c, wait, waitAccess]) {
        for (const e of m.env) expect(MIGRATE_VARIABLES).toContain(e.name);
        expect(m.resources.requests.memory).toBeDefined();
        expect(m.resources.limits.memory).toBeDefined();
        expect(m.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
      }
      for (const w of [wait, waitAccess]) {
        const timeout = w.env.find((e: Json) => e.name === 'MIGRATE_WAIT_TIMEOUT_S');
        if (timeout) expect(timeout.value).toMatch(/^\d+$/);
      }
    });

    it('its pods also wait for the credentials database migrations, which a Job runs', () => {
      const authFrom = (x: Json) => x.env.find((e: Json) => e.name === 'AUTH_DATABASE_URL')?.valueFrom;
      const waitAccess = (pod.initContainers as Json[]).find((i) => i.args?.[1] === 'access');
      expect(waitAccess?.args).toEqual(['migrate', 'access', '--wait']);
      expect(waitAccess.image).toBe(container.image);
      expect(authFrom(container)).toBeDefined();
      expect(authFrom(waitAccess)).toEqual(authFrom(container));
      // Exactly one Job applies them, against the same credentials database.
      const migrators = jobs.flatMap((j) =>
        [...(j.spec.template.spec.initContainers ?? []), ...j.spec.template.spec.containers].filter(
          (m: Json) => m.args?.[0] === 'migrate' && m.args?.[1] === 'access',
        ),
      );
      expect(migrators).toHaveLength(1);
      expect(migrators[0].args).toEqual(['migrate', 'access']);
      expect(authFrom(migrators[0])).toEqual(authFrom(container));
    });
  });

  it('the autoscaling overlay scales every Deployment, services at most to their partitions', () => {
    const hpas = ofKind('HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(
      deployments.map((d) => d.metadata.name).sort(),
    );
    const maxPartitions = Math.max(...allTopicSpecs('').map((t) => t.partitions));
    for (const hpa of hpas) {
      expect(hpa.spec.scaleTargetRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2); // the PodDisruptionBudget needs a second pod
      expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
      if (hpa.spec.scaleTargetRef.name !== 'ocpp-gateway')
        expect(hpa.spec.maxReplicas).toBeLessThanOrEqual(maxPartitions);
    }
    const gateway = hpas.find((h) => h.spec.scaleTargetRef.name === 'ocpp-gateway');
    const metric = gateway.spec.metrics[0].pods.metric.name as string;
    // A gauge of that name exists in the gateway (prom-client, served on /metrics).
    expect(sourcesOf(path.join(ROOT, 'apps/ocpp-gateway/src'))).toMatch(
      new RegExp(`new Gauge\\(\\{\\s*name: '${metric}'`),
    );
    // The overlay drops the fixed replica counts from exactly these Deployments.
    const [overlay] = byFile.get(path.join(K8S, 'autoscaling/kustomization.yaml'))!;
    const selector = overlay.patches[0].target.labelSelector as string;
    const [key, value] = selector.split('=');
    for (const d of deployments) expect(d.metadata.labels[key]).toBe(value);
    expect(overlay.patches[0].patch).toContain('path: /spec/replicas');
  });

  it('the gateway Service carries WebSockets on port 9000', () => {
    const svc = ofKind('Service').find((s) => s.metadata.name === 'ocpp-gateway');
    expect(svc.spec.ports[0]).toMatchObject({ port: 9000, appProtocol: 'kubernetes.io/ws' });
  });

  it('the Strimzi KafkaTopics are exactly the topics of allTopicSpecs, with the production replication', () => {
    const topics = ofKind('KafkaTopic');
    const expected = expectedTopics(PRODUCTION_TOPIC_SETTINGS);
    expect(topics.map((t) => t.spec.topicName).sort()).toEqual([...expected.keys()].sort());
    for (const t of topics) {
      const spec = expected.get(t.spec.topicName)!;
      expect(t.metadata.labels['strimzi.io/cluster']).toBeTruthy();
      expect({
        topic: spec.name,
        partitions: t.spec.partitions,
        replicas: t.spec.replicas,
        config: t.spec.config,
      }).toEqual({
        topic: spec.name,
        partitions: spec.partitions,
        replicas: PRODUCTION_TOPIC_SETTINGS.replicationFactor,
        config: spec.config,
      });
      // Losing one broker must leave enough in-sync copies to go on writing.
      expect(Number(t.spec.config['min.insync.replicas'])).toBeLessThan(t.spec.replicas);
    }
  });
});

describe('Strimzi KafkaUsers (least privilege per app)', () => {
  const users: Json[] = yamlDocs(path.join(K8S, 'strimzi', 'kafka-users.yaml')).filter(
    (d) => d.kind === 'KafkaUser',
  );
  const userOf = (app: string) => users.find((u) => u.metadata.name === app);
  type Acl = { type: string; name: string; patternType: string; operations: string[] };
  const aclsOf = (user: Json): Acl[] =>
    (user.spec.authorization.acls as Json[]).map((a) => ({
      type: a.resource.type,
      name: a.resource.name,
      patternType: a.resource.patternType ?? 'literal',
      operations: [...(a.operations ?? [a.operation])].sort(),
    }));
  const holders = (topic: string, operation: string) =>
    users
      .filter((u) =>
        aclsOf(u).some((a) => a.type === 'topic' && a.name === topic && a.operations.includes(operation)),
      )
      .map((u) => u.metadata.name as string)
      .sort();
  // What the documented contract (libs/contracts/asyncapi.yaml) says each topic's producer and consumers are.
  const asyncapi = yamlDocs(path.join(ROOT, 'libs/contracts/asyncapi.yaml'))[0];
  const channel = (key: TopicKey) => asyncapi.channels[TOPICS[key].name];
  const producerOf = (key: TopicKey) => String(channel(key)['x-producer']).replace(/ \(outbox\)$/, '');

  it('are one SCRAM-SHA-512 user per app, in the kustomization, with exactly the ACLs of kafkaAclsFor', () => {
    expect(users.map((u) => u.metadata.name).sort()).toEqual([...KAFKA_APPS].sort());
    expect(yamlDocs(path.join(K8S, 'strimzi', 'kustomization.yaml'))[0].resources).toContain(
      'kafka-users.yaml',
    );
    for (const app of KAFKA_APPS) {
      const user = userOf(app);
      expect(user.metadata.labels['strimzi.io/cluster']).toBe('my-cluster');
      expect(user.spec.authentication).toEqual({ type: 'scram-sha-512' });
      expect(user.spec.authorization.type).toBe('simple');
      const expected = kafkaAclsFor(app).map((a) => ({
        ...a.resource,
        operations: [...a.operations].sort(),
      }));
      expect({ app, acls: aclsOf(user) }).toEqual({ app, acls: expected });
    }
  });

  it('only the producer of a topic may write it, and exactly its consumers may read it', () => {
    for (const key of Object.keys(TOPICS) as TopicKey[]) {
      const name = TOPICS[key].name;
      expect({ topic: name, writers: holders(name, 'Write') }).toEqual({
        topic: name,
        writers: [producerOf(key)],
      });
      expect({ topic: name, readers: holders(name, 'Read') }).toEqual({
        topic: name,
        readers: [...(channel(key)['x-consumers'] as string[])].sort(),
      });
      // Dead letters come only from the topic's consumers; nobody reads them through an app user.
      const dlq = deadLetterTopicName(name);
      for (const writer of holders(dlq, 'Write')) expect(channel(key)['x-consumers']).toContain(writer);
      expect(holders(dlq, 'Read')).toEqual([]);
    }
    expect(holders('ocpp.v16.events', 'Write')).toEqual(['ocpp-gateway']);
    expect(holders('ocpp.v16.commands', 'Write')).toEqual(['session-service']);
    for (const key of ['sessionCharges', 'tariffs'] as const)
      expect(holders(TOPICS[key].name, 'Write')).toEqual(['billing-service']);
  });

  it('grant nothing beyond Read, Write and Describe on named topics and the app own group prefix', () => {
    for (const user of users) {
      for (const acl of aclsOf(user)) {
        expect(['topic', 'group']).toContain(acl.type);
        expect(acl.name).not.toMatch(/\*/);
        for (const op of acl.operations) expect(['Read', 'Write', 'Describe']).toContain(op);
        if (acl.type === 'group') {
          expect(acl).toEqual({
            type: 'group',
            name: TOPIC_ACCESS[user.metadata.name as keyof typeof TOPIC_ACCESS].groupPrefix,
            patternType: 'prefix',
            operations: ['Read'],
          });
        } else {
          expect(acl.patternType).toBe('literal');
        }
      }
    }
  });

  it('the kafka-scram component gives every app its own user, the CA and the password file, and nothing else', () => {
    const component = yamlDocs(path.join(K8S, 'components', 'kafka-scram', 'kustomization.yaml'))[0];
    expect(component.kind).toBe('Component');
    const patched = (component.patches as Json[]).map((p) => ({
      target: p.target,
      patch: parseAllDocuments(p.patch)[0].toJS(),
    }));
    expect(patched.map((p) => p.target.name).sort()).toEqual([...KAFKA_APPS].sort());
    for (const { target, patch } of patched) {
      const app = target.name as KafkaApp;
      expect(target.kind).toBe('Deployment');
      const deployment = yamlFiles(K8S)
        .flatMap((f) => yamlDocs(f))
        .find((d) => d.kind === 'Deployment' && d.metadata.name === app);
      expect(patch.metadata.name).toBe(app);
      const [container] = patch.spec.template.spec.containers;
      expect(container.name).toBe(deployment.spec.template.spec.containers[0].name);
      const env = Object.fromEntries((container.env as Json[]).map((e) => [e.name, e.value as string]));
      for (const name of Object.keys(env))
        expect({ app, name, known: name in SCHEMAS[app] }).toEqual({ app, name, known: true });
      // The files the variables name are the mounted Secrets: Strimzi's user Secret of this app, and the CA.
      const mounts = new Map((container.volumeMounts as Json[]).map((m) => [m.name as string, m]));
      const volumes = new Map((patch.spec.template.spec.volumes as Json[]).map((v) => [v.name as string, v]));
      const fileOf = (secret: string, key: string) => {
        const volume = [...volumes.values()].find((v) => v.secret.secretName === secret);
        const item = volume.secret.items.find((i: Json) => i.key === key);
        expect(mounts.get(volume.name).readOnly).toBe(true);
        return path.posix.join(mounts.get(volume.name).mountPath, item.path);
      };
      expect(users.map((u) => u.metadata.name)).toContain(env.KAFKA_SASL_USERNAME);
      expect(env.KAFKA_SASL_USERNAME).toBe(app);
      expect(env.KAFKA_SASL_PASSWORD_FILE).toBe(fileOf(app, 'password'));
      expect(env.KAFKA_SSL_CA_FILE).toBe(fileOf('kafka-cluster-ca', 'ca.crt'));
      expect(env.KAFKA_SASL_MECHANISM).toBe(userOf(app).spec.authentication.type);
      // What the app would make of it at start, with the Secrets' files in place.
      const files: Record<string, string> = {
        [env.KAFKA_SASL_PASSWORD_FILE]: 'pw\n',
        [env.KAFKA_SSL_CA_FILE]: 'CA',
      };
      expect(kafkaSecurityFromEnv(loadConfig(kafkaSecurityConfig, env), (f) => files[f])).toEqual({
        ssl: { ca: 'CA', rejectUnauthorized: true },
        sasl: { mechanism: 'scram-sha-512', username: app, password: 'pw' },
      });
    }
  });

  it('match the topics and consumer groups each app source actually uses', () => {
    const keyOf = new Map(Object.entries(TOPICS).map(([key, t]) => [key, t.name]));
    for (const app of KAFKA_APPS) {
      const source = sourcesOf(path.join(ROOT, 'apps', app, 'src')).replace(/\/src\/testing\//g, '');
      // Named where the topic is: topicName('ocppEvents'), topicName(v201 ? 'ocppV201Commands' :
      // 'ocppCommands', ...), or a table of keys (one topic per protocol).
      const keysIn = (text: string) => [...text.matchAll(/'(\w+)'/g)].map((m) => m[1]);
      const used = new Set([
        ...[...source.matchAll(/topicName\(([^,)]*)/g)].flatMap((m) => keysIn(m[1])),
        ...[...source.matchAll(/Record<[\w\s|']+,\s*TopicKey>\s*=\s*\{([^}]*)\}/g)].flatMap((m) =>
          keysIn(m[1]),
        ),
      ]);
      const declared = [...TOPIC_ACCESS[app].produces, ...TOPIC_ACCESS[app].consumes];
      expect({ app, topics: [...used].sort() }).toEqual({ app, topics: [...new Set(declared)].sort() });
      for (const key of used) expect(keyOf.has(key)).toBe(true);
      // Every group id the app builds starts with the topic prefix and then its group prefix.
      const groupIds = [
        ...source.matchAll(/groupId(?::|\s*=)\s*`\$\{[\w.]*(?:topicPrefix|prefix)\}([^`$]*)/g),
      ].map((m) => m[1]);
      for (const id of groupIds)
        expect({ app, id, ok: id.startsWith(TOPIC_ACCESS[app].groupPrefix) }).toEqual({ app, id, ok: true });
    }
    expect(defaultOf<string | undefined>('session-service', 'CONSUMER_GROUP') ?? 'session-service').toMatch(
      /^session-service/,
    );
  });
});

describe('deployment docs', () => {
  it('every `node dist/...js` command in the docs and compose file is built from an existing source', () => {
    const text = read(path.join(DOCKER, 'README.md')) + read(path.join(DOCKER, 'compose.yaml'));
    const paths = [...text.matchAll(/node (dist\/[\w./-]+)\.js/g)].map((m) => m[1]);
    expect(paths.length).toBeGreaterThan(3);
    for (const p of new Set(paths)) {
      expect({ path: p, source: fs.existsSync(path.join(ROOT, p.replace(/^dist\//, '') + '.ts')) }).toEqual({
        path: p,
        source: true,
      });
    }
  });

  it('docker/README.md documents every variable of every app config', () => {
    const readme = read(path.join(DOCKER, 'README.md'));
    const documented = new Set([...readme.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1]));
    expect(documented.size).toBeGreaterThan(0);
    for (const name of documented)
      expect({ name, known: KNOWN_BY_SOME_APP.has(name) || TOPIC_CREATION_VARIABLES.includes(name) }).toEqual(
        {
          name,
          known: true,
        },
      );
    for (const name of TOPIC_CREATION_VARIABLES) {
      expect(documented).toContain(name);
      expect(read(path.join(DOCKER, 'kafka', 'create-topics.sh'))).toContain(`\${${name}:-`);
      expect(read(path.join(ROOT, 'libs', 'config', 'src', 'env.ts'))).toContain(`source.${name}`);
    }
    // Every Kafka security variable of the apps is documented.
    for (const name of Object.keys(SCHEMAS['ocpp-gateway']).filter((n) => /^KAFKA_(SSL|SASL)/.test(n)))
      expect(documented).toContain(name);
    // New variables land in the schemas during development; the table must at least cover these.
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'KAFKA_BROKERS',
      'KAFKA_TOPIC_PREFIX',
      'LOG_LEVEL',
      'SHUTDOWN_TIMEOUT_MS',
    ]) {
      expect(documented).toContain(name);
    }
  });
});

// The YAML is parsed once more in a strict mode to catch duplicated keys.
describe('YAML hygiene', () => {
  it('no manifest has a duplicated key', () => {
    for (const file of [path.join(DOCKER, 'compose.yaml'), ...yamlFiles(K8S)]) {
      for (const doc of parseAllDocuments(read(file), { merge: true, uniqueKeys: true })) {
        expect({ file, errors: doc.errors.map((e) => e.message) }).toEqual({ file, errors: [] });
      }
    }
  });
});
