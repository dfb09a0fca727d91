import { Initial1700000000000 } from './1700000000000-initial';
import { SessionsSchema1732400000000 } from './1732400000000-sessions-schema';
import { Webhooks1732400000001 } from './1732400000001-webhooks';
import { HotUpdates1732400000002 } from './1732400000002-hot-updates';
import { EventStoreTransactionOrder1732400000003 } from './1732400000003-event-store-transaction-order';
import { SelfServiceWebhooks1764590000000 } from './1764590000000-self-service-webhooks';
import { ConnectorLastSession1764700000000 } from './1764700000000-connector-last-session';
import { ChargerRegistry1764800000000 } from './1764800000000-charger-registry';
import { ChargerStatus1764800000001 } from './1764800000001-charger-status';
import { TransactionIdBigint1764900000000 } from './1764900000000-transaction-id-bigint';

/** Every migration of this service, in order. Add new ones at the end; never edit an applied one. */
export const MIGRATIONS = [
  Initial1700000000000,
  SessionsSchema1732400000000,
  Webhooks1732400000001,
  HotUpdates1732400000002,
  EventStoreTransactionOrder1732400000003,
  SelfServiceWebhooks1764590000000,
  ConnectorLastSession1764700000000,
  ChargerRegistry1764800000000,
  ChargerStatus1764800000001,
  TransactionIdBigint1764900000000,
];
