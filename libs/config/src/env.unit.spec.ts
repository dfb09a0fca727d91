import { ConfigError, commonConfig, env, loadConfig } from './env';

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
    const schema = { ...commonConfig, PORT: env.port(3001), DATABASE_URL: env.url('postgres://h/db', ['postgres', 'postgresql']) };
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
    expect(() => loadConfig({ SECRET: env.string() }, {})).toThrow('invalid configuration: SECRET is required but not set');
  });
});
