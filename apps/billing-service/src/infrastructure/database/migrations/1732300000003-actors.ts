import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who booked each correction and created each tariff version or assignment (GoBD: a reversal
 * names who booked it). Rows from before this migration have no actor; the checks are added
 * NOT VALID so they bind every new row without rewriting the append-only history.
 */
export class Actors1732300000003 implements MigrationInterface {
  name = 'Actors1732300000003';

  async up(q: QueryRunner): Promise<void> {
    const kinds = `('api_key', 'jwt', 'system', 'cli')`;
    await q.query(`alter table charges add column actor_kind text, add column actor_id text`);
    await q.query(`
      alter table charges add constraint charges_actor_kind check (actor_kind is null or actor_kind in ${kinds}),
        add constraint charges_actor_pair check ((actor_kind is null) = (actor_id is null)),
        add constraint charges_correction_has_actor
          check ((kind = 'CHARGE' and replaces_charge_id is null) or actor_kind is not null) not valid`);
    await q.query(
      `alter table tariff_versions add column created_by_kind text, add column created_by_id text`,
    );
    await q.query(`
      alter table tariff_versions add constraint tariff_versions_actor_kind check (created_by_kind is null or created_by_kind in ${kinds}),
        add constraint tariff_versions_actor_pair check ((created_by_kind is null) = (created_by_id is null)),
        add constraint tariff_versions_has_actor check (created_by_kind is not null) not valid`);
    await q.query(
      `alter table tariff_assignments add column assigned_by_kind text, add column assigned_by_id text`,
    );
    await q.query(`
      alter table tariff_assignments add constraint tariff_assignments_actor_kind check (assigned_by_kind is null or assigned_by_kind in ${kinds})`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table tariff_assignments drop column assigned_by_kind, drop column assigned_by_id`);
    await q.query(`alter table tariff_versions drop column created_by_kind, drop column created_by_id`);
    await q.query(`alter table charges drop column actor_kind, drop column actor_id`);
  }
}
