import fc from 'fast-check';
import { ConfigError, loadConfig, env } from '@app/config';
import { httpConfig, httpSettings } from './config';

const load = (vars: Record<string, string>) => loadConfig({ PORT: env.port(3001), ...httpConfig }, vars);

describe('httpSettings', () => {
  it('puts the management port 1000 above PORT (below it near the top of the range), never on PORT', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), (port) => {
        const { managementPort } = httpSettings(load({ PORT: String(port) }));
        expect(managementPort).toBe(port + 1000 <= 65535 ? port + 1000 : port - 1000);
        expect(managementPort).toBeGreaterThanOrEqual(1);
        expect(managementPort).not.toBe(port);
      }),
    );
  });

  it('takes MANAGEMENT_PORT when set, and names it when it collides with PORT or TLS_PORT', () => {
    expect(httpSettings(load({ MANAGEMENT_PORT: '9100' })).managementPort).toBe(9100);
    const error = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const samePort = error(() => httpSettings(load({ PORT: '3001', MANAGEMENT_PORT: '3001' })));
    expect(samePort).toBeInstanceOf(ConfigError);
    expect((samePort as ConfigError).message).toBe(
      'invalid configuration: MANAGEMENT_PORT must differ from PORT (3001)',
    );
    const tls = error(() =>
      httpSettings({ ...load({ PORT: '9000', MANAGEMENT_PORT: '9443' }), TLS_PORT: 9443 }),
    );
    expect((tls as ConfigError).variable).toBe('MANAGEMENT_PORT');
    expect(() => load({ MANAGEMENT_PORT: '70000' })).toThrow('MANAGEMENT_PORT must be between 1 and 65535');
  });

  it('turns the limits into bytes and settings, with the documented defaults', () => {
    expect(httpSettings(load({}))).toEqual({
      managementPort: 4001,
      managementHost: '0.0.0.0',
      bodyLimitBytes: 100 * 1024,
      trustProxyHops: 0,
      rateLimit: { windowS: 60, perIp: 3000, perCredential: 1200, authFailures: 20, authBlockS: 300 },
    });
    expect(httpSettings(load({ HTTP_BODY_LIMIT_KB: '5' })).bodyLimitBytes).toBe(5120);
    expect(() => load({ HTTP_BODY_LIMIT_KB: '0' })).toThrow(
      'HTTP_BODY_LIMIT_KB must be between 1 and 102400',
    );
    expect(() => load({ RATE_LIMIT_PER_IP: '-1' })).toThrow('RATE_LIMIT_PER_IP must be between 0');
  });
});
