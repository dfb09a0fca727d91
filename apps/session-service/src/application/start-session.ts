import { randomUUID } from 'node:crypto';
import { remoteStartIdOf, type Actor, type ChargerProtocol } from '@app/contracts';
import type { SessionState } from '../domain/session';
import { selectTariff } from '../domain/tariff-selection';
import type { ChargerCommandTargets } from './charger-command-ports';
import type { CommandAudit } from './command-audit';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  type ChargerRepository,
  type CommandRepository,
  type CommandSender,
  type SessionRepository,
  type TransactionRunner,
  type Tx,
} from './ports';
import { SessionUnitOfWork } from './session-unit-of-work';

export interface StartSessionCommand {
  fleetId: string;
  evse: string;
  userReference: string | null;
  /** Who asks: carried in SessionRequested, and recorded in the audit log with the RemoteStartTransaction it causes. */
  actor: Actor;
  idempotencyKey: string | null;
}

/** The remote start of a session, in the protocol its charger speaks. */
export type RemoteStartCommand =
  | {
      protocol: 'ocpp1.6';
      action: 'RemoteStartTransaction';
      payload: { connectorId: number; idTag: string };
    }
  | {
      protocol: 'ocpp2.0.1';
      action: 'RequestStartTransaction';
      payload: {
        idToken: { idToken: string; type: 'Central' };
        evseId: number;
        remoteStartId: number;
      };
    };

/**
 * 1.6: RemoteStartTransaction on the connector with the session's idTag. 2.0.1: RequestStartTransaction
 * on the EVSE (a 2.0.1 session's connectorId is its EVSE id) with the idTag as a Central idToken
 * (issued by us, not read from a card), and remoteStartId derived from the session id: the
 * station's TransactionEvent carries it back and routing finds the session by it.
 */
export function remoteStartCommand(
  protocol: ChargerProtocol,
  session: { sessionId: string; connectorId: number; idTag: string },
): RemoteStartCommand {
  if (protocol === 'ocpp2.0.1') {
    return {
      protocol,
      action: 'RequestStartTransaction',
      payload: {
        idToken: { idToken: session.idTag, type: 'Central' },
        evseId: session.connectorId,
        remoteStartId: remoteStartIdOf(session.sessionId),
      },
    };
  }
  return {
    protocol,
    action: 'RemoteStartTransaction',
    payload: { connectorId: session.connectorId, idTag: session.idTag },
  };
}

/**
 * POST /v1/sessions/start: creates a STARTING session and sends RemoteStartTransaction (1.6) or
 * RequestStartTransaction (2.0.1: the protocol the charger last connected with, 1.6 if never).
 * The Idempotency-Key is a primary key (fleet, key): a concurrent duplicate loses on it, is retried,
 * and then finds the first request's session.
 */
export class StartSession {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly sessions: SessionRepository,
    private readonly chargers: ChargerRepository,
    private readonly commandLog: CommandRepository,
    private readonly commands: CommandSender,
    private readonly commandTimeoutSeconds: number,
    private readonly audit: CommandAudit,
    private readonly targets: Pick<ChargerCommandTargets, 'connections'>,
  ) {}

  async execute(cmd: StartSessionCommand): Promise<{ session: SessionState; created: boolean }> {
    if (cmd.idempotencyKey !== null && (cmd.idempotencyKey.length === 0 || cmd.idempotencyKey.length > 200)) {
      throw new BadRequestError('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 200 characters');
    }
    const result = await this.transactions.run(async (client) => {
      if (cmd.idempotencyKey !== null) {
        const earlier = await this.sessions.findByIdempotencyKey(client, cmd.fleetId, cmd.idempotencyKey);
        if (earlier !== null) {
          const [existing] = await this.sessions.loadByIds(client, [earlier]);
          const s = existing.state;
          // A replay must be the same request; a different one under the key is a client bug that
          // would otherwise be answered with a session it did not ask for (IETF Idempotency-Key: 422).
          const sameEvse = cmd.evse === s.evse || cmd.evse === `${s.chargePointId}*${s.connectorId}`;
          if (!sameEvse || (cmd.userReference ?? null) !== (s.userReference ?? null)) {
            throw new BadRequestError(
              'IDEMPOTENCY_KEY_REUSED',
              `Idempotency-Key "${cmd.idempotencyKey}" was used for a different request (evse ${s.evse}, user_reference ${JSON.stringify(s.userReference)}); use a new key`,
              422,
            );
          }
          return { session: s, created: false, commandId: null as string | null, start: null };
        }
      }
      const target = await this.resolveEvse(client, cmd.fleetId, cmd.evse);
      const uow = new SessionUnitOfWork(
        await this.sessions.loadForChargers(client, [target.chargePointId], []),
      );
      const busy = uow.openOnConnector(target.chargePointId, target.connectorId);
      if (busy) throw new ConflictError('CONNECTOR_BUSY', `evse ${cmd.evse} already has an open session`);

      const now = new Date().toISOString();
      const sessionId = randomUUID();
      const commandId = randomUUID();
      // OCPP 1.6 idTag is at most 20 characters; one per session lets StartTransaction find its session.
      const idTag = 'R' + sessionId.replace(/-/g, '').slice(0, 19).toUpperCase();
      const tariffs = await this.chargers.loadCandidateTariffs(
        client,
        [cmd.fleetId],
        [target.chargePointId],
        [target.evse],
      );
      uow.execute(
        sessionId,
        {
          type: 'RequestStart',
          sessionId,
          fleetId: cmd.fleetId,
          chargePointId: target.chargePointId,
          connectorId: target.connectorId,
          evse: target.evse,
          idTag,
          userReference: cmd.userReference,
          commandId,
          tariff: selectTariff(tariffs, { fleetId: cmd.fleetId, ...target }, now),
          requestedAt: now,
          actor: cmd.actor,
        },
        commandId,
      );
      const [session] = await this.sessions.save(client, uow);
      if (cmd.idempotencyKey !== null)
        await this.sessions.recordIdempotencyKey(client, cmd.fleetId, cmd.idempotencyKey, sessionId);
      const connection = (await this.targets.connections(client, [target.chargePointId])).get(
        target.chargePointId,
      );
      const start = remoteStartCommand(connection?.protocol ?? 'ocpp1.6', {
        sessionId,
        connectorId: target.connectorId,
        idTag,
      });
      await this.commandLog.record(client, {
        commandId,
        sessionId,
        chargePointId: target.chargePointId,
        action: start.action,
        deadline: new Date(Date.now() + this.commandTimeoutSeconds * 1000).toISOString(),
      });
      return { session, created: true, commandId, start };
    });
    if (result.commandId && result.start) {
      const start = result.start;
      // After commit, before sending: no command leaves unrecorded. If either fails, the session
      // stays STARTING and the start timeout fails it.
      await this.audit.record({
        id: result.commandId,
        actor: cmd.actor,
        action: 'charger.command_sent',
        target: { type: 'charger', id: result.session.chargePointId },
        details: {
          command: start.action,
          command_id: result.commandId,
          session_id: result.session.sessionId,
          fleet_id: cmd.fleetId,
        },
      });
      await this.commands
        .send(
          {
            commandId: result.commandId,
            chargePointId: result.session.chargePointId,
            action: start.action,
            payload: start.payload,
            deadline: new Date(Date.now() + this.commandTimeoutSeconds * 1000).toISOString(),
            requestedBy: 'session-service',
            sessionId: result.session.sessionId,
          },
          start.protocol,
        )
        .catch(() => undefined);
    }
    return { session: result.session, created: result.created };
  }

  /** `evse` is a registered EVSE id of the fleet, or `{chargePointId}*{connectorId}` of one of its chargers. */
  private async resolveEvse(
    client: Tx,
    fleetId: string,
    evse: string,
  ): Promise<{ chargePointId: string; connectorId: number; evse: string }> {
    const registered = await this.chargers.findRegisteredEvse(client, fleetId, evse);
    if (registered) return { ...registered, evse };
    const m = /^(.+)\*(\d{1,4})$/.exec(evse);
    const connectorId = m ? Number(m[2]) : 0;
    if (m && connectorId > 0) {
      const connector = await this.chargers.findFleetConnector(client, fleetId, m[1], connectorId);
      if (connector) return { chargePointId: m[1], connectorId, evse: connector.evse ?? evse };
    }
    throw new NotFoundError(`evse ${evse} not found`);
  }
}
