import type { ChargeCalculated, Envelope, TariffPublished } from '@app/contracts';
import type { Queryable } from '@app/event-store';
import type { SessionState } from '../domain/session';
import type { ChargerStore } from '../infrastructure/database/charger-store';
import type { SessionStore } from '../infrastructure/database/session-store';
import { SessionUnitOfWork } from './session-unit-of-work';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `billing.session-charges.v1`: ChargeCalculated puts `final_amount` on the session (SessionPriced). */
export class RecordCharges {
  constructor(private readonly sessions: SessionStore) {}

  async handle(
    client: Queryable,
    envelopes: Envelope[],
  ): Promise<{ changed: SessionState[]; unknown: number }> {
    const charges = envelopes
      .filter((e) => e.type === 'ChargeCalculated')
      .map((e) => ({ env: e, charge: e.data as ChargeCalculated }))
      .filter(
        ({ charge }) =>
          typeof charge?.sessionId === 'string' &&
          UUID.test(charge.sessionId) &&
          typeof charge.chargeId === 'string',
      );
    const uow = new SessionUnitOfWork(
      await this.sessions.loadByIds(client, [...new Set(charges.map((c) => c.charge.sessionId))]),
    );
    let unknown = 0;
    for (const { env, charge } of charges) {
      if (!uow.get(charge.sessionId)) {
        unknown++; // a charge for a session this store never had (another environment's data)
        continue;
      }
      uow.execute(
        charge.sessionId,
        {
          type: 'RecordCharge',
          chargeId: charge.chargeId,
          kind: charge.kind === 'REVERSAL' ? 'REVERSAL' : 'CHARGE',
          reversesChargeId: charge.reversesChargeId,
          finalAmount: charge.finalAmount,
          pricedAt: charge.calculatedAt ?? env.time,
        },
        env.id,
      );
    }
    return { changed: await this.sessions.save(client, uow), unknown };
  }
}

/** `billing.tariffs.v1` (compacted, key tariffId): the latest state of each tariff; a tombstone deletes it. */
export class RecordTariffs {
  constructor(private readonly chargers: ChargerStore) {}

  async handle(
    client: Queryable,
    records: { key: string | null; envelope: Envelope | null }[],
  ): Promise<number> {
    let n = 0;
    for (const { key, envelope } of records) {
      if (envelope === null) {
        if (key) await this.chargers.deleteTariff(client, key);
        continue;
      }
      const t = envelope.data as TariffPublished;
      if (typeof t?.tariffId !== 'string' || !Array.isArray(t.versions) || !Array.isArray(t.assignments))
        continue;
      await this.chargers.saveTariff(client, t);
      n++;
    }
    return n;
  }
}
