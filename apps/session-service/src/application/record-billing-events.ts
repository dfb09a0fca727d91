import { isUuid, type ChargeCalculated, type Envelope, type TariffPublished } from '@app/contracts';
import type { SessionState } from '../domain/session';
import type { ChargerRepository, SessionRepository, Tx } from './ports';
import { SessionUnitOfWork } from './session-unit-of-work';

/** `billing.session-charges.v1`: ChargeCalculated puts `final_amount` on the session (SessionPriced). */
export class RecordCharges {
  constructor(private readonly sessions: SessionRepository) {}

  async handle(client: Tx, envelopes: Envelope[]): Promise<{ changed: SessionState[]; unknown: number }> {
    const charges = envelopes
      .filter((e) => e.type === 'ChargeCalculated')
      .map((e) => ({ env: e, charge: e.data as ChargeCalculated }))
      .filter(({ charge }) => isUuid(charge.sessionId) && typeof charge.chargeId === 'string');
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
  constructor(private readonly chargers: ChargerRepository) {}

  async handle(client: Tx, records: { key: string | null; envelope: Envelope | null }[]): Promise<number> {
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
