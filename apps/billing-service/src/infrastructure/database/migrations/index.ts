import { Initial1700000000000 } from './1700000000000-initial';
import { BillingSchema1732300000000 } from './1732300000000-billing-schema';
import { EventStore1732300000001 } from './1732300000001-event-store';
import { EventStoreTransactionOrder1732300000002 } from './1732300000002-event-store-transaction-order';
import { Actors1732300000003 } from './1732300000003-actors';

/** Every migration of this service, in order. Add new ones at the end; never edit an applied one. */
export const MIGRATIONS = [
  Initial1700000000000,
  BillingSchema1732300000000,
  EventStore1732300000001,
  EventStoreTransactionOrder1732300000002,
  Actors1732300000003,
];
