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
