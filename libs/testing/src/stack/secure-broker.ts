import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
  type Kafka,
} from 'kafkajs';
import type { KafkaAcl } from '@app/contracts';
import { createKafka, kafkaReachable, type KafkaSecurity, type SaslMechanism } from '@app/kafka';
import { freePorts } from './kafka-cluster';
import { ensureKafkaJars, kafkaVersion, newClusterId } from './kafka-broker';
import { DATA_DIR } from './paths';

/**
 * A single-node KRaft broker that is closed the way production clusters are: clients connect
 * only over SASL_SSL (SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN, TLS with a CA made for the run),
 * KRaft's StandardAuthorizer denies whatever no ACL allows, and only `admin` is a super user.
 * For tests that show what an app can and cannot do with its own user.
 */
export interface SecureBrokerUser {
  name: string;
  /** Default: a random one. */
  password?: string;
  /** The mechanism this user's credentials are stored for (default scram-sha-512). */
  mechanism?: SaslMechanism;
}

export interface SecureBroker {
  /** `127.0.0.1:<port>` of the SASL_SSL listener. */
  brokers: string[];
  /** PEM files: `ca` signed the broker certificate; `clientCert`/`clientKey` are signed by it too. */
  files: { ca: string; clientCert: string; clientKey: string };
  /** Every user's password, the admin's included. */
  passwords: Record<string, string>;
  /** How `user` connects (TLS with the run's CA, SASL with its mechanism and password). */
  securityFor(user: string): KafkaSecurity;
  /** The variables an app process needs to connect as `user` (files for the CA and password). */
  envFor(user: string): Record<string, string>;
  /** A kafkajs client of the super user. */
  admin: Kafka;
  /** Grants `acls` to `user` (through the super user's kafkajs admin). */
  grant(user: string, acls: KafkaAcl[]): Promise<void>;
  /**
   * What the authorizer refused `user` so far, as `OPERATION Type:PATTERN:name` (e.g.
   * `DESCRIBE Group:LITERAL:billing-service.sessions`), from the broker's log. kafkajs reports some
   * refusals only as a generic error (a group it may not use is "Failed to find group coordinator").
   */
  denials(user: string): string[];
  stop(): Promise<void>;
}

export interface SecureBrokerOptions {
  users: SecureBrokerUser[];
  log?: (line: string) => void;
  heap?: string;
}

const ADMIN = 'admin';
const JAAS_SCRAM = 'org.apache.kafka.common.security.scram.ScramLoginModule';
const JAAS_PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const MECHANISM_NAMES: Record<SaslMechanism, string> = {
  'scram-sha-512': 'SCRAM-SHA-512',
  'scram-sha-256': 'SCRAM-SHA-256',
  plain: 'PLAIN',
};

function run(cmd: string, args: string[], what: string): string {
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${what} failed: ${result.stderr || result.stdout || result.error}`);
  return result.stdout;
}

/** A CA, a broker certificate for 127.0.0.1/localhost and a client certificate, all PEM, by openssl. */
function writeCertificates(dir: string): {
  ca: string;
  serverKeystore: string;
  clientCert: string;
  clientKey: string;
} {
  const f = (name: string) => path.join(dir, name);
  const days = '2';
  run(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.pem'),
      '-days',
      days,
      '-subj',
      '/CN=chargebill test CA',
    ],
    'openssl (CA)',
  );
  const sign = (name: string, subject: string, extensions: string) => {
    fs.writeFileSync(f(`${name}.ext`), extensions);
    run(
      'openssl',
      [
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        f(`${name}.key`),
        '-out',
        f(`${name}.csr`),
        '-subj',
        subject,
      ],
      `openssl (${name} key)`,
    );
    run(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        f(`${name}.csr`),
        '-CA',
        f('ca.pem'),
        '-CAkey',
        f('ca.key'),
        '-CAcreateserial',
        '-out',
        f(`${name}.pem`),
        '-days',
        days,
        '-extfile',
        f(`${name}.ext`),
      ],
      `openssl (${name} certificate)`,
    );
  };
  // Clients connect to 127.0.0.1 and verify the name, so the certificate must carry that IP.
  sign(
    'server',
    '/CN=localhost',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  sign('client', '/CN=chargebill-test-client', 'extendedKeyUsage=clientAuth\n');
  // Kafka's PEM key store: the PKCS#8 key (openssl 3 writes that with -nodes), then the chain.
  const keystore = f('server-keystore.pem');
  fs.writeFileSync(
    keystore,
    fs.readFileSync(f('server.key'), 'utf8') + fs.readFileSync(f('server.pem'), 'utf8'),
  );
  return {
    ca: f('ca.pem'),
    serverKeystore: keystore,
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
  };
}

const jaasString = (value: string) => `"${value.replace(/["\\]/g, '')}"`;

function writeLog4j2(dir: string): string {
  const file = path.join(dir, 'log4j2.properties');
  fs.writeFileSync(
    file,
    [
      'status=warn',
      'appender.file.type=File',
      'appender.file.name=file',
      `appender.file.fileName=${path.join(dir, 'broker.log')}`,
      'appender.file.layout.type=PatternLayout',
      'appender.file.layout.pattern=[%d] %p %m (%c)%n',
      'rootLogger.level=WARN',
      'rootLogger.appenderRef.file.ref=file',
      // Refusals are what the tests look for; keep the authorizer's decisions in the log.
      'logger.authorizer.name=kafka.authorizer.logger',
      'logger.authorizer.level=INFO',
    ].join('\n') + '\n',
  );
  return file;
}

/** Starts the broker (Kafka of `kafkaVersion()`, ports from the OS); resolves once the admin is connected. */
export async function startSecureBroker(options: SecureBrokerOptions): Promise<SecureBroker> {
  const log = options.log ?? (() => undefined);
  const version = kafkaVersion();
  if (version.startsWith('3.'))
    throw new Error(
      'startSecureBroker needs Kafka 4 (log4j2 and its StorageTool); KAFKA_VERSION is ' + version,
    );
  const libs = ensureKafkaJars(log, version);
  const dir = path.join(
    DATA_DIR,
    'kafka',
    'secure',
    `s-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
  );
  fs.mkdirSync(dir, { recursive: true });
  const certs = writeCertificates(dir);
  const [port, controllerPort] = await freePorts(2);

  const users = [
    { name: ADMIN, mechanism: 'scram-sha-512' as SaslMechanism, password: randomBytes(12).toString('hex') },
    ...options.users,
  ].map((u) => ({
    name: u.name,
    mechanism: u.mechanism ?? 'scram-sha-512',
    password: u.password ?? randomBytes(12).toString('hex'),
  }));
  const passwords = Object.fromEntries(users.map((u) => [u.name, u.password]));
  const mechanismOf = Object.fromEntries(users.map((u) => [u.name, u.mechanism]));
  const adminPassword = passwords[ADMIN];
  const plainUsers = users.filter((u) => u.mechanism === 'plain' || u.name === ADMIN);

  const settings: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `SASL_SSL://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `SASL_SSL://127.0.0.1:${port}`,
    // SCRAM credentials live in the metadata log, which a controller cannot read before it runs:
    // the controller listener authenticates the node itself with PLAIN.
    'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'SASL_SSL',
    'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
    'sasl.mechanism.controller.protocol': 'PLAIN',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512,SCRAM-SHA-256,PLAIN',
    'listener.name.controller.sasl.enabled.mechanisms': 'PLAIN',
    'listener.name.controller.plain.sasl.jaas.config': `${JAAS_PLAIN} required username="${ADMIN}" password=${jaasString(adminPassword)} user_${ADMIN}=${jaasString(adminPassword)};`,
    'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'SCRAM-SHA-512,SCRAM-SHA-256,PLAIN',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': `${JAAS_SCRAM} required username="${ADMIN}" password=${jaasString(adminPassword)};`,
    'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': `${JAAS_SCRAM} required;`,
    'listener.name.sasl_ssl.plain.sasl.jaas.config': `${JAAS_PLAIN} required ${plainUsers.map((u) => `user_${u.name}=${jaasString(u.password)}`).join(' ')};`,
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': certs.serverKeystore,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': certs.ca,
    // A client certificate is checked when one is sent (KAFKA_SSL_CERT_FILE), never required.
    'ssl.client.auth': 'requested',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': `User:${ADMIN}`,
    'allow.everyone.if.no.acl.found': 'false',
    'log.dirs': path.join(dir, 'data'),
    'auto.create.topics.enable': 'false',
    'num.partitions': '1',
    'default.replication.factor': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '3',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'group.initial.rebalance.delay.ms': '0',
  };
  const configFile = path.join(dir, 'server.properties');
  fs.writeFileSync(
    configFile,
    Object.entries(settings)
      .map(([k, v]) => `${k}=${v.replace(/\\/g, '\\\\')}`)
      .join('\n') + '\n',
  );
  const jvm = ['-Xms128m', `-Xmx${options.heap ?? '512m'}`, `-Dlog4j2.configurationFile=${writeLog4j2(dir)}`];
  const classpath = path.join(libs, '*');
  // SCRAM users go into the metadata log at format time, so they exist before the first client.
  const scram = users
    .filter((u) => u.mechanism !== 'plain')
    .flatMap((u) => [
      '--add-scram',
      `${MECHANISM_NAMES[u.mechanism]}=[name=${u.name},password=${u.password}]`,
    ]);
  run(
    'java',
    [
      ...jvm,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      // `=`: a random cluster id may begin with '-' (seen in CI), which the tool read as an option.
      `--cluster-id=${newClusterId()}`,
      '-c',
      configFile,
      ...scram,
    ],
    'formatting the secure broker storage',
  );

  const out = fs.openSync(path.join(dir, 'stdout.log'), 'a');
  const child: ChildProcess = spawn('java', [...jvm, '-cp', classpath, 'kafka.Kafka', configFile], {
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const brokers = [`127.0.0.1:${port}`];

  const securityFor = (user: string): KafkaSecurity => {
    if (!(user in passwords)) throw new Error(`no user ${user} on the secure broker`);
    return {
      ssl: { ca: fs.readFileSync(certs.ca, 'utf8'), rejectUnauthorized: true },
      sasl: { mechanism: mechanismOf[user], username: user, password: passwords[user] },
    };
  };
  const admin = createKafka({
    brokers,
    clientId: 'secure-broker-admin',
    security: securityFor(ADMIN),
    log: () => undefined,
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  log(
    `Kafka: starting a SASL_SSL broker (Apache Kafka ${version}, StandardAuthorizer) on ${brokers[0]} (in ${dir})`,
  );
  const deadline = Date.now() + 90_000;
  try {
    while (!(await kafkaReachable(admin, 3000))) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `the secure broker exited during start; see ${path.join(dir, 'stdout.log')} and broker.log`,
        );
      }
      if (Date.now() > deadline)
        throw new Error(`the secure broker did not answer within 90 s; see ${dir}/broker.log`);
      await new Promise((r) => setTimeout(r, 300));
    }
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    throw e;
  }

  return {
    brokers,
    files: { ca: certs.ca, clientCert: certs.clientCert, clientKey: certs.clientKey },
    passwords,
    securityFor,
    envFor: (user) => {
      securityFor(user);
      const passwordFile = path.join(dir, `${user}.password`);
      fs.writeFileSync(passwordFile, `${passwords[user]}\n`, { mode: 0o600 });
      return {
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: certs.ca,
        KAFKA_SASL_MECHANISM: mechanismOf[user],
        KAFKA_SASL_USERNAME: user,
        KAFKA_SASL_PASSWORD_FILE: passwordFile,
      };
    },
    admin,
    grant: (user, acls) => grantAcls(admin, user, acls),
    denials: (user) => {
      const logFile = path.join(dir, 'broker.log');
      const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      const pattern =
        /Principal = User:(\S+) is Denied [oO]peration = (\w+) from host = \S+ on resource = (\S+)/g;
      return [...text.matchAll(pattern)]
        .filter((m) => m[1] === user)
        .map((m) => `${m[2].toUpperCase()} ${m[3]}`);
    },
    stop,
  };
}

const OPERATIONS: Record<KafkaAcl['operations'][number], AclOperationTypes> = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Describe: AclOperationTypes.DESCRIBE,
};

/** Creates `acls` (Strimzi's shape, see kafkaAclsFor) as ALLOW entries for `User:<user>` from any host. */
export async function grantAcls(kafka: Kafka, user: string, acls: KafkaAcl[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createAcls({
      acl: acls.flatMap((acl) =>
        acl.operations.map((operation) => ({
          resourceType: acl.resource.type === 'topic' ? AclResourceTypes.TOPIC : AclResourceTypes.GROUP,
          resourceName: acl.resource.name,
          resourcePatternType:
            acl.resource.patternType === 'prefix'
              ? ResourcePatternTypes.PREFIXED
              : ResourcePatternTypes.LITERAL,
          principal: `User:${user}`,
          host: '*',
          operation: OPERATIONS[operation],
          permissionType: AclPermissionTypes.ALLOW,
        })),
      ),
    });
  } finally {
    await admin.disconnect();
  }
}
