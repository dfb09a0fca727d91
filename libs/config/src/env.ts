/**
 * Typed environment configuration, validated once at start. A missing or bad variable raises a
 * ConfigError whose message names the variable; `bootstrapService` prints it as one line and exits 1.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`invalid configuration: ${variable} ${message}`);
  }
}

export interface EnvField<T> {
  parse(raw: string | undefined, name: string): T;
  describe: string;
}

type Env = Record<string, string | undefined>;

function field<T>(describe: string, parse: (raw: string | undefined, name: string) => T): EnvField<T> {
  return { describe, parse };
}

function required(raw: string | undefined, name: string, fallback: string | undefined): string {
  const value = raw === undefined || raw === '' ? fallback : raw;
  if (value === undefined) throw new ConfigError(name, 'is required but not set');
  return value;
}

export const env = {
  string: (fallback?: string) =>
    field<string>(fallback === undefined ? 'required string' : `string, default "${fallback}"`, (raw, name) =>
      required(raw, name, fallback),
    ),
  optionalString: () => field<string | undefined>('optional string', (raw) => (raw === '' ? undefined : raw)),
  int: (fallback: number | undefined, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
    field<number>(`integer ${min}..${max}`, (raw, name) => {
      const value = required(raw, name, fallback === undefined ? undefined : String(fallback));
      if (!/^-?\d+$/.test(value.trim())) throw new ConfigError(name, `must be an integer, got "${value}"`);
      const n = Number(value);
      if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
      return n;
    }),
  port: (fallback: number) =>
    field<number>(`TCP port, default ${fallback}`, (raw, name) =>
      env.int(fallback, 1, 65535).parse(raw, name),
    ),
  bool: (fallback: boolean) =>
    field<boolean>(`true|false, default ${fallback}`, (raw, name) => {
      const value = required(raw, name, String(fallback)).toLowerCase();
      if (['true', '1', 'yes'].includes(value)) return true;
      if (['false', '0', 'no'].includes(value)) return false;
      throw new ConfigError(name, `must be true or false, got "${value}"`);
    }),
  enumOf: <T extends string>(values: readonly T[], fallback?: T) =>
    field<T>(`one of ${values.join('|')}`, (raw, name) => {
      const value = required(raw, name, fallback);
      if (!values.includes(value as T))
        throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${value}"`);
      return value as T;
    }),
  url: (fallback: string | undefined, protocols: string[]) =>
    field<string>(`URL (${protocols.join(', ')})`, (raw, name) => {
      const value = required(raw, name, fallback);
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        throw new ConfigError(name, `must be a URL, got "${value}"`);
      }
      if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
        throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
      }
      return value;
    }),
  /** Comma-separated host:port list. */
  hostPorts: (fallback: string) =>
    field<string[]>(`host:port[,host:port...], default ${fallback}`, (raw, name) => {
      const list = required(raw, name, fallback)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (list.length === 0) throw new ConfigError(name, 'must list at least one host:port');
      for (const hp of list) {
        if (!/^[^:\s]+:\d{1,5}$/.test(hp)) throw new ConfigError(name, `has "${hp}", expected host:port`);
      }
      return list;
    }),
};

export type ConfigSchema = Record<string, EnvField<unknown>>;
export type ConfigOf<S extends ConfigSchema> = { [K in keyof S]: S[K] extends EnvField<infer T> ? T : never };

/** Parses every variable of the schema; the first bad one throws a ConfigError naming it. */
export function loadConfig<S extends ConfigSchema>(schema: S, source: Env = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(schema)) out[name] = f.parse(source[name], name);
  return out as ConfigOf<S>;
}

/** Variables every service shares. */
export const commonConfig = {
  KAFKA_BROKERS: env.hostPorts('127.0.0.1:9092'),
  KAFKA_TOPIC_PREFIX: env.string(''),
  KAFKA_CLIENT_ID: env.optionalString(),
  LOG_LEVEL: env.enumOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, 'info'),
  SHUTDOWN_TIMEOUT_MS: env.int(15000, 0, 600000),
};

/**
 * KAFKA_TOPIC_REPLICATION_FACTOR and KAFKA_TOPIC_MIN_INSYNC_REPLICAS, read by whatever creates the
 * topics (npm start, tests, benchmarks); `fallback` is the defaults of that place (1/1 on the
 * single dev broker). The result has the shape of @app/contracts' TopicSettings.
 */
export function topicSettingsFromEnv(
  source: Env,
  fallback: { replicationFactor: number; minInsyncReplicas: number },
): { replicationFactor: number; minInsyncReplicas: number } {
  const replicationFactor = env
    .int(fallback.replicationFactor, 1, 32)
    .parse(source.KAFKA_TOPIC_REPLICATION_FACTOR, 'KAFKA_TOPIC_REPLICATION_FACTOR');
  const minInsyncReplicas = env
    .int(Math.min(fallback.minInsyncReplicas, replicationFactor), 1, 32)
    .parse(source.KAFKA_TOPIC_MIN_INSYNC_REPLICAS, 'KAFKA_TOPIC_MIN_INSYNC_REPLICAS');
  if (minInsyncReplicas > replicationFactor) {
    // Every acks=all write would fail with NOT_ENOUGH_REPLICAS.
    throw new ConfigError(
      'KAFKA_TOPIC_MIN_INSYNC_REPLICAS',
      `must not exceed KAFKA_TOPIC_REPLICATION_FACTOR (${replicationFactor}), got ${minInsyncReplicas}`,
    );
  }
  return { replicationFactor, minInsyncReplicas };
}
