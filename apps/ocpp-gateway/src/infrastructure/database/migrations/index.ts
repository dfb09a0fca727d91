import { Initial1700000000000 } from './1700000000000-initial';
import { GatewayRegistry1763900000000 } from './1763900000000-gateway-registry';
import { RemoteStartIdTags1763900000001 } from './1763900000001-remote-start-id-tags';
import { RegistryCopy1764800000000 } from './1764800000000-registry-copy';

/** Every migration of this service, in order. Add new ones at the end; never edit an applied one. */
export const MIGRATIONS = [
  Initial1700000000000,
  GatewayRegistry1763900000000,
  RemoteStartIdTags1763900000001,
  RegistryCopy1764800000000,
];
