import {
  isUuid,
  nameUuid,
  type ChargeCalculated,
  type Envelope,
  type Ocpp201Command,
  type Ocpp201CommandResult,
  type TariffPublished,
} from '@app/contracts';
import type { SessionState } from '../domain/session';
import type { ChargerCommandTargets } from './charger-command-ports';
import type { CommandAudit } from './command-audit';
import type { ChargerRepository, CommandRepository, CommandSender, SessionRepository, Tx } from './ports';
import { SessionUnitOfWork } from './session-unit-of-work';

const SYSTEM_ACTOR = { kind: 'system' as const, id: 'session-service' };

/** A charge just put on a 2.0.1 session: what its CostUpdated needs. */
export interface PricedCharge {
  chargeId: string;
  sessionId: string;
  fleetId: string;
  chargePointId: string;
  /** The station's transactionId (the session's start). */
  chargerTransactionId: string;
  /** finalAmount.gross: a decimal string, exactly as billing computed it. */
  gross: string;
}

/** A CostUpdated recorded and still to be sent (after the commit). */
export interface PendingCostUpdate {
  command: Ocpp201Command;
  fleetId: string;
  chargeId: string;
}

/**
 * CostUpdated (OCPP 2.0.1) once a 2.0.1 session is priced, so the driver sees the bill on the
 * station: `totalCost` the charge's gross as a decimal string (the gateway writes that text as the
 * JSON number), `transactionId` the station's. Best effort, in two steps around the charge
 * consumer's commit:
 * - `record` (in its transaction): one `commands` row per charge, the command id derived from the
 *   charge id, so a redelivered charge record finds its row and sends nothing again; a station the
 *   chargers projection does not show connected with 2.0.1 gets its row already answered Offline
 *   (never sent);
 * - `send` (after the commit): audited as the service's own command, then handed to
 *   `ocpp.v201.commands`; a failure is logged and the row marked NotSent, never retried, and never
 *   fails the charge consumer. The station's answer lands on the row like any command result.
 */
export class CostUpdates {
  constructor(
    private readonly targets: Pick<ChargerCommandTargets, 'connections'>,
    private readonly commandLog: Pick<CommandRepository, 'recordOnce' | 'markNotSent'>,
    private readonly commands: CommandSender,
    private readonly audit: CommandAudit,
    private readonly outside: Tx,
    private readonly commandTimeoutSeconds: number,
    private readonly log: (message: string) => void,
  ) {}

  /** Records the CostUpdated of each charge; returns those recorded now for a connected station. */
  async record(tx: Tx, priced: PricedCharge[], now = new Date()): Promise<PendingCostUpdate[]> {
    if (priced.length === 0) return [];
    const connections = await this.targets.connections(tx, [...new Set(priced.map((p) => p.chargePointId))]);
    const deadline = new Date(now.getTime() + this.commandTimeoutSeconds * 1000).toISOString();
    const updates = priced.map((p) => {
      const command: Ocpp201Command = {
        commandId: nameUuid('CostUpdated', p.chargeId),
        chargePointId: p.chargePointId,
        action: 'CostUpdated',
        payload: { totalCost: p.gross, transactionId: p.chargerTransactionId },
        deadline,
        requestedBy: 'billing',
        sessionId: p.sessionId,
      };
      const c = connections.get(p.chargePointId);
      const online = c?.connected === true && c.protocol === 'ocpp2.0.1';
      return { command, fleetId: p.fleetId, chargeId: p.chargeId, online };
    });
    const recorded = new Set(
      await this.commandLog.recordOnce(
        tx,
        updates.map(({ command, online }) => ({
          commandId: command.commandId,
          sessionId: command.sessionId ?? null,
          chargePointId: command.chargePointId,
          action: command.action,
          deadline: command.deadline,
          ...(online ? {} : { outcome: 'Offline' as const, result: offlineResult(command, now) }),
        })),
      ),
    );
    return updates
      .filter((u) => u.online && recorded.has(u.command.commandId))
      .map(({ command, fleetId, chargeId }) => ({ command, fleetId, chargeId }));
  }

  private readonly inFlight = new Set<Promise<void>>();

  /** After the commit: never throws (a CostUpdated that cannot leave is logged and marked NotSent). */
  send(pending: PendingCostUpdate[]): Promise<void> {
    const sending = this.sendAll(pending).finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
    return sending;
  }

  /** Resolves once every send started so far is done (before the pool closes). */
  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async sendAll(pending: PendingCostUpdate[]): Promise<void> {
    for (const { command, fleetId, chargeId } of pending) {
      try {
        await this.audit.record({
          id: command.commandId,
          actor: SYSTEM_ACTOR,
          action: 'charger.command_sent',
          target: { type: 'charger', id: command.chargePointId },
          details: {
            command: command.action,
            command_id: command.commandId,
            session_id: command.sessionId ?? null,
            fleet_id: fleetId,
            reason: 'SESSION_PRICED',
            charge_id: chargeId,
          },
        });
        await this.commands.send(command, 'ocpp2.0.1');
      } catch (e) {
        this.log(
          `CostUpdated for session ${command.sessionId} (charge ${chargeId}) was not sent: ${(e as Error).message}`,
        );
        await this.commandLog
          .markNotSent(this.outside, command.commandId)
          .catch((m: unknown) =>
            this.log(`CostUpdated ${command.commandId} could not be marked NotSent: ${(m as Error).message}`),
          );
      }
    }
  }
}

function offlineResult(command: Ocpp201Command, at: Date): Ocpp201CommandResult {
  return {
    commandId: command.commandId,
    chargePointId: command.chargePointId,
    action: command.action,
    outcome: 'Offline',
    completedAt: at.toISOString(),
    ...(command.sessionId ? { sessionId: command.sessionId } : {}),
  };
}

/**
 * `billing.session-charges.v1`: ChargeCalculated puts `final_amount` on the session (SessionPriced);
 * a priced 2.0.1 session gets its CostUpdated (CostUpdates).
 */
export class RecordCharges {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly costUpdates: CostUpdates,
  ) {}

  async handle(
    client: Tx,
    envelopes: Envelope[],
  ): Promise<{ changed: SessionState[]; unknown: number; costUpdates: PendingCostUpdate[] }> {
    const charges = envelopes
      .filter((e) => e.type === 'ChargeCalculated')
      .map((e) => ({ env: e, charge: e.data as ChargeCalculated }))
      .filter(({ charge }) => isUuid(charge.sessionId) && typeof charge.chargeId === 'string');
    const uow = new SessionUnitOfWork(
      await this.sessions.loadByIds(client, [...new Set(charges.map((c) => c.charge.sessionId))]),
    );
    let unknown = 0;
    const priced: PricedCharge[] = [];
    for (const { env, charge } of charges) {
      if (!uow.get(charge.sessionId)) {
        unknown++; // a charge for a session this store never had (another environment's data)
        continue;
      }
      const events = uow.execute(
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
      const state = uow.get(charge.sessionId)!;
      const chargerTransactionId = state.start?.chargerTransactionId;
      // Only the charge the session now shows (not a redelivered, reversed or late older one).
      if (chargerTransactionId !== undefined && events.some((e) => e.type === 'SessionPriced')) {
        priced.push({
          chargeId: charge.chargeId,
          sessionId: state.sessionId,
          fleetId: state.fleetId,
          chargePointId: state.chargePointId,
          chargerTransactionId,
          gross: charge.finalAmount.gross,
        });
      }
    }
    const changed = await this.sessions.save(client, uow);
    return { changed, unknown, costUpdates: await this.costUpdates.record(client, priced) };
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
