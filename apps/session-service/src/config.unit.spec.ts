import { loadSessionServiceConfig } from './config';

describe('session-service config: STOP_WAIT_SECONDS', () => {
  it('given no value, then a stop waits 25 s: below the 30 s many HTTP clients give up at', () => {
    expect(loadSessionServiceConfig({}).STOP_WAIT_SECONDS).toBe(25);
  });

  it('given a number of seconds, then that is the wait', () => {
    expect(loadSessionServiceConfig({ STOP_WAIT_SECONDS: '10' }).STOP_WAIT_SECONDS).toBe(10);
  });

  it.each(['abc', '1', '0', '-5', '2.5', '301'])(
    'given %p, then the start fails naming the variable',
    (raw) => {
      expect(() => loadSessionServiceConfig({ STOP_WAIT_SECONDS: raw })).toThrow(/STOP_WAIT_SECONDS/);
    },
  );
});

describe('session-service config: COMMAND_WAIT_SECONDS', () => {
  it('given no value, then a charger command waits 30 s for the charger', () => {
    expect(loadSessionServiceConfig({}).COMMAND_WAIT_SECONDS).toBe(30);
  });

  it('given a number of seconds, then that is the wait', () => {
    expect(loadSessionServiceConfig({ COMMAND_WAIT_SECONDS: '12' }).COMMAND_WAIT_SECONDS).toBe(12);
  });

  it.each(['abc', '1', '0', '-5', '2.5', '301'])(
    'given %p, then the start fails naming the variable',
    (raw) => {
      expect(() => loadSessionServiceConfig({ COMMAND_WAIT_SECONDS: raw })).toThrow(/COMMAND_WAIT_SECONDS/);
    },
  );
});

describe('session-service config: REGISTRY_APPLY_WAIT_SECONDS', () => {
  it('given no value, then a password rotation or deactivation waits 10 s for a gateway', () => {
    expect(loadSessionServiceConfig({}).REGISTRY_APPLY_WAIT_SECONDS).toBe(10);
  });

  it('given a number of seconds, then that is the wait', () => {
    const config = loadSessionServiceConfig({ REGISTRY_APPLY_WAIT_SECONDS: '1' });
    expect(config.REGISTRY_APPLY_WAIT_SECONDS).toBe(1);
  });

  it.each(['abc', '0', '-5', '2.5', '301'])('given %p, then the start fails naming the variable', (raw) => {
    expect(() => loadSessionServiceConfig({ REGISTRY_APPLY_WAIT_SECONDS: raw })).toThrow(
      /REGISTRY_APPLY_WAIT_SECONDS/,
    );
  });
});
