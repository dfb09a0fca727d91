import type { Actor } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { badRequest } from '../domain/errors';
import { readAssignment, readTariffPrices, type Tariff } from '../domain/tariff';
import { readBodyObject, readText, readTimestamp } from '../domain/values';
import { newAuditId, type AuditTrail } from './change-context';
import type { Database, TariffStore } from './ports';

export class CreateTariff {
  constructor(
    private readonly db: Database,
    private readonly tariffs: TariffStore,
    private readonly audit: AuditTrail,
  ) {}

  /**
   * `{ "name", "effective_from"?, "tariff": { prices }, "assignments"?: [{ "scope", "ref" }] }`:
   * a tariff with its version 1 (effective now unless said otherwise), published in the same transaction,
   * with who created it on the version, in the published record and in the audit log.
   */
  async execute(body: unknown, actor: Actor): Promise<Tariff> {
    const input = readBodyObject(body);
    const name = readText(input.name, 'name');
    const effectiveFrom =
      input.effective_from === undefined ? new Date() : readTimestamp(input.effective_from, 'effective_from');
    const prices = readTariffPrices(input.tariff);
    if (input.assignments !== undefined && !Array.isArray(input.assignments))
      throw badRequest('assignments must be an array');
    const assignments = ((input.assignments as unknown[]) ?? []).map((a, i) =>
      readAssignment(a, `assignments[${i}]`),
    );

    const id = randomUUID();
    const auditId = newAuditId();
    return this.db.transaction(async (c) => {
      await this.tariffs.insertTariff(c, id, name);
      await this.tariffs.insertVersion(c, id, 1, effectiveFrom, prices, actor);
      const moved = new Set<string>();
      for (const a of assignments) {
        const previous = await this.tariffs.assign(c, a, id, actor);
        if (previous) moved.add(previous);
      }
      // A tariff that lost an assignment to this one is republished too, so the topic stays true.
      for (const other of moved) await this.tariffs.publish(c, other, actor);
      await this.tariffs.publish(c, id, actor);
      await this.audit.record({
        id: auditId,
        actor,
        action: 'tariff.created',
        target: { type: 'tariff', id },
        details: {
          name,
          version: 1,
          effective_from: effectiveFrom.toISOString(),
          prices,
          assignments,
          moved_from: [...moved],
        },
      });
      return (await this.tariffs.find(c, id))!;
    });
  }
}
