import type { DataSource } from 'typeorm';
import type { ConnectionDirectory } from '../../../application/ports';

/** A replica not seen for this long is considered dead: its connection rows no longer count. */
export const REPLICA_LIVENESS_MS = 20_000;

export class PgConnectionDirectory implements ConnectionDirectory {
  constructor(private readonly db: DataSource) {}

  async claim(chargePointId: string, gatewayId: string, connectedAt: Date): Promise<void> {
    await this.db.query(
      `insert into charger_connections (charge_point_id, gateway_id, connected_at) values ($1, $2, $3)
       on conflict (charge_point_id) do update set gateway_id = excluded.gateway_id, connected_at = excluded.connected_at`,
      [chargePointId, gatewayId, connectedAt],
    );
  }

  async release(chargePointId: string, gatewayId: string, connectedAt: Date): Promise<void> {
    await this.db.query(
      `delete from charger_connections where charge_point_id = $1 and gateway_id = $2 and connected_at = $3`,
      [chargePointId, gatewayId, connectedAt],
    );
  }

  async holderOf(chargePointId: string): Promise<string | null> {
    const rows: Array<{ gateway_id: string }> = await this.db.query(
      `select c.gateway_id from charger_connections c join gateway_replicas g on g.gateway_id = c.gateway_id
       where c.charge_point_id = $1 and g.last_seen_at > now() - make_interval(secs => $2)`,
      [chargePointId, REPLICA_LIVENESS_MS / 1000],
    );
    return rows[0]?.gateway_id ?? null;
  }

  async liveReplicas(): Promise<string[]> {
    const rows: Array<{ gateway_id: string }> = await this.db.query(
      `select gateway_id from gateway_replicas where last_seen_at > now() - make_interval(secs => $1) order by gateway_id`,
      [REPLICA_LIVENESS_MS / 1000],
    );
    return rows.map((r) => r.gateway_id);
  }

  async heartbeat(gatewayId: string): Promise<void> {
    await this.db.query(
      `insert into gateway_replicas (gateway_id, last_seen_at) values ($1, now())
       on conflict (gateway_id) do update set last_seen_at = now()`,
      [gatewayId],
    );
  }

  async forgetReplica(gatewayId: string): Promise<void> {
    await this.db.query(`delete from charger_connections where gateway_id = $1`, [gatewayId]);
    await this.db.query(`delete from gateway_replicas where gateway_id = $1`, [gatewayId]);
  }
}
