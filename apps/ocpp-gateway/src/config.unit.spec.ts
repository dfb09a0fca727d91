import { ConfigError } from '@app/config';
import { loadOcppGatewayConfig } from './config';

describe('ocpp-gateway config: the registry consumer', () => {
  it('is on by default and can be turned off', () => {
    expect(loadOcppGatewayConfig({}).OCPP_REGISTRY_ENABLED).toBe(true);
    expect(loadOcppGatewayConfig({ OCPP_REGISTRY_ENABLED: 'false' }).OCPP_REGISTRY_ENABLED).toBe(false);
  });

  it('a bad value stops the start, naming the variable', () => {
    expect(() => loadOcppGatewayConfig({ OCPP_REGISTRY_ENABLED: 'sometimes' })).toThrow(ConfigError);
    expect(() => loadOcppGatewayConfig({ OCPP_REGISTRY_ENABLED: 'sometimes' })).toThrow(
      /OCPP_REGISTRY_ENABLED/,
    );
  });
});

describe('ocpp-gateway config: the preferred subprotocol', () => {
  it('is ocpp2.0.1 unless set to ocpp1.6', () => {
    expect(loadOcppGatewayConfig({}).OCPP_PREFERRED_PROTOCOL).toBe('ocpp2.0.1');
    expect(loadOcppGatewayConfig({ OCPP_PREFERRED_PROTOCOL: 'ocpp1.6' }).OCPP_PREFERRED_PROTOCOL).toBe(
      'ocpp1.6',
    );
  });

  it.each([['ocpp2.0'], ['OCPP1.6'], ['1.6'], ['ocpp1.6,ocpp2.0.1']])(
    'a bad value (%s) stops the start, naming the variable and the choices',
    (value) => {
      expect(() => loadOcppGatewayConfig({ OCPP_PREFERRED_PROTOCOL: value })).toThrow(ConfigError);
      expect(() => loadOcppGatewayConfig({ OCPP_PREFERRED_PROTOCOL: value })).toThrow(
        /OCPP_PREFERRED_PROTOCOL.*ocpp1\.6, ocpp2\.0\.1/,
      );
    },
  );
});
