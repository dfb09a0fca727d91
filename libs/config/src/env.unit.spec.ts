import { ConfigError, commonConfig, env, loadConfig, topicSettingsFromEnv } from './env';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const cfg = loadConfig({ ...commonConfig, PORT: env.port(3001) }, {});
    expect(cfg.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(cfg.PORT).toBe(3001);
    expect(cfg.LOG_LEVEL).toBe('info');
  });

  it.each([
    ['PORT', { PORT: 'abc' }, /PORT must be an integer/],
    ['PORT', { PORT: '70000' }, /PORT must be between 1 and 65535/],
    ['KAFKA_BROKERS', { KAFKA_BROKERS: 'localhost' }, /KAFKA_BROKERS has "localhost", expected host:port/],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x/y' }, /DATABASE_URL must use postgres/],
  ])('names %s when it is bad', (variable, source, message) => {
    const schema = {
      ...commonConfig,
      PORT: env.port(3001),
      DATABASE_URL: env.url('postgres://h/db', ['postgres', 'postgresql']),
    };
    let error: unknown;
    try {
      loadConfig(schema, source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects a missing required variable by name', () => {
    expect(() => loadConfig({ SECRET: env.string() }, {})).toThrow(
      'invalid configuration: SECRET is required but not set',
    );
  });
});

describe('topicSettingsFromEnv', () => {
  const dev = { replicationFactor: 1, minInsyncReplicas: 1 };
  const production = { replicationFactor: 3, minInsyncReplicas: 2 };

  it('takes the caller defaults and the variables', () => {
    expect(topicSettingsFromEnv({}, dev)).toEqual(dev);
    expect(topicSettingsFromEnv({}, production)).toEqual(production);
    expect(
      topicSettingsFromEnv(
        { KAFKA_TOPIC_REPLICATION_FACTOR: '5', KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '3' },
        dev,
      ),
    ).toEqual({
      replicationFactor: 5,
      minInsyncReplicas: 3,
    });
  });

  it('lowers the default min.insync.replicas to a smaller replication factor', () => {
    expect(topicSettingsFromEnv({ KAFKA_TOPIC_REPLICATION_FACTOR: '1' }, production)).toEqual(dev);
  });

  it.each([
    ['KAFKA_TOPIC_REPLICATION_FACTOR', { KAFKA_TOPIC_REPLICATION_FACTOR: 'three' }, /must be an integer/],
    ['KAFKA_TOPIC_REPLICATION_FACTOR', { KAFKA_TOPIC_REPLICATION_FACTOR: '0' }, /between 1 and 32/],
    [
      'KAFKA_TOPIC_MIN_INSYNC_REPLICAS',
      { KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2' },
      /must not exceed KAFKA_TOPIC_REPLICATION_FACTOR \(1\), got 2/,
    ],
    ['KAFKA_TOPIC_MIN_INSYNC_REPLICAS', { KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '0' }, /between 1 and 32/],
  ])('names %s when it is bad', (variable, source, message) => {
    let error: unknown;
    try {
      topicSettingsFromEnv(source, dev);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(message);
  });
});
