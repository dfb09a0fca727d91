import type { Actor } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { badRequest, conflict, notFound, unprocessable } from '../domain/errors';
import { priceInputs, reversalOf, type ChargeRecord, type PricingInputs } from '../domain/charge';
import { isUuid, readBodyObject, readText } from '../domain/values';
import { newAuditId, type AuditTrail } from './change-context';
import type { ChargeStore, Database, OutboxSignal } from './ports';

export interface CorrectionResult {
  reversal: ChargeRecord;
  /** The replacing charge; absent when the correction only cancels (`"cancel": true`). */
  charge: ChargeRecord | null;
}

const OVERRIDABLE = ['tariff', 'meter_start', 'meter_stop', 'started_at', 'completed_at'] as const;

export class CorrectCharge {
  constructor(
    private readonly db: Database,
    private readonly charges: ChargeStore,
    private readonly audit: AuditTrail,
    private readonly outbox: OutboxSignal,
    private readonly now = () => new Date(),
  ) {}

  /**
   * A stored charge is never changed (GoBD): a correction books its reversal (every amount negated)
   * and, unless it only cancels, a new charge priced by the same calculator from the original inputs
   * with the corrected ones applied. Both are linked to the original, carry the reason, and go to
   * `billing.session-charges.v1` through the outbox in the same transaction. Both name the actor (row
   * and event), and the audit log gets one entry before the transaction commits: a change whose
   * audit entry cannot be written is not made.
   *
   * Body: `{ "reason": "...", "cancel"?: true, "tariff"?: {...}, "meter_start"?, "meter_stop"?, "started_at"?, "completed_at"? }`.
   */
  async execute(chargeId: string, body: unknown, actor: Actor): Promise<CorrectionResult> {
    if (!isUuid(chargeId)) throw notFound(`charge ${chargeId} not found`);
    const input = readBodyObject(body);
    const reason = readText(input.reason, 'reason', 1000);
    const cancel = input.cancel === true;
    if (input.cancel !== undefined && typeof input.cancel !== 'boolean')
      throw badRequest('cancel must be true or false');
    const overrides = OVERRIDABLE.filter((k) => input[k] !== undefined);
    if (cancel && overrides.length > 0)
      throw badRequest(`a cancellation takes no corrected inputs (got ${overrides.join(', ')})`);
    if (!cancel && overrides.length === 0) {
      throw badRequest(
        `give the corrected inputs (${OVERRIDABLE.join(', ')}), or "cancel": true to only reverse`,
      );
    }

    const auditId = newAuditId();
    const result = await this.db.transaction(async (c) => {
      const original = await this.charges.find(c, chargeId);
      if (!original) throw notFound(`charge ${chargeId} not found`);
      if (original.kind !== 'CHARGE')
        throw conflict(`charge ${chargeId} is a reversal; correct the charge it reverses`, 'NOT_A_CHARGE');
      if (await this.charges.isReversed(c, chargeId)) {
        throw conflict(
          `charge ${chargeId} is already reversed; correct the charge that replaced it`,
          'ALREADY_CORRECTED',
        );
      }
      const at = this.now().toISOString();
      const reversal: ChargeRecord = { ...reversalOf(original, randomUUID(), reason, at), actor: actor };
      let replacement: ChargeRecord | null = null;
      if (!cancel) {
        const inputs = { ...original.inputs } as PricingInputs & Record<string, unknown>;
        for (const k of overrides) inputs[k] = input[k] as never;
        const priced = priceInputs(inputs);
        if (!priced.ok) {
          const status =
            priced.anomaly.kind === 'PRICING_INVALID' && /below meter_start/.test(priced.anomaly.reason)
              ? unprocessable
              : badRequest;
          throw status(
            `the corrected inputs cannot be priced: ${priced.anomaly.reason}`,
            'CORRECTION_NOT_PRICEABLE',
          );
        }
        replacement = {
          ...original,
          chargeId: randomUUID(),
          replacesChargeId: original.chargeId,
          reason,
          sourceEventId: null,
          inputs: priced.inputs,
          energyWh: priced.energyWh,
          durationS: priced.durationS,
          finalAmount: priced.finalAmount,
          vatRate: priced.vatRate,
          calculatedAt: at,
          actor: actor,
        };
      }
      // The unique indexes (reversed once, replaced once) settle a race between two corrections.
      await this.charges.insertCorrection(c, reversal);
      if (replacement) await this.charges.insertCorrection(c, replacement);
      await this.charges.appendChargeCalculated(c, replacement ? [reversal, replacement] : [reversal]);
      await this.audit.record({
        id: auditId,
        actor: actor,
        action: cancel ? 'charge.cancelled' : 'charge.corrected',
        target: { type: 'charge', id: original.chargeId },
        details: {
          session_id: original.sessionId,
          fleet_id: original.fleetId,
          reason,
          reversal_id: reversal.chargeId,
          ...(replacement
            ? {
                replacement_id: replacement.chargeId,
                corrected: overrides,
                gross: replacement.finalAmount.gross,
              }
            : {}),
          original_gross: original.finalAmount.gross,
          currency: original.finalAmount.currency,
        },
      });
      return { reversal, charge: replacement };
    });
    this.outbox.wake(); // the reversal and the new charge are committed: publish them now
    return result;
  }
}
