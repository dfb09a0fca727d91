import type { Actor } from '@app/contracts';
import type { ChargerCommandTargets, FleetIdTag } from './charger-command-ports';
import { BadRequestError, ChargerCommandError, type TransactionRunner } from './ports';
import type { ChargerCommandAnswer, SendChargerCommand } from './send-charger-command';

/** Below Kafka's default 1 MB record limit, with room for the envelope (about 8,000 entries with expiry and parent). */
export const MAX_LOCAL_LIST_BYTES = 900_000;

export const LOCAL_LIST_UPDATE_TYPES = ['Full', 'Differential'] as const;
export type LocalListUpdateType = (typeof LOCAL_LIST_UPDATE_TYPES)[number];

export interface SendLocalListPayload extends Record<string, unknown> {
  listVersion: number;
  updateType: LocalListUpdateType;
  localAuthorizationList: {
    idTag: string;
    idTagInfo: { status: FleetIdTag['status']; expiryDate?: string; parentIdTag?: string };
  }[];
}

/**
 * The SendLocalList.req for a fleet's id tags: every tag with its status, expiry and parent, and
 * `listVersion` the highest registry version among them (each change to a tag takes the next value
 * of one sequence, so a changed list has a higher version), at least 1 (an empty list is version 1).
 * Differential sends the same entries (each an update of that tag); tags deleted since the last
 * push are only dropped by a Full update.
 */
export function sendLocalListPayload(
  tags: readonly FleetIdTag[],
  updateType: LocalListUpdateType,
): SendLocalListPayload {
  let version = 1n;
  for (const t of tags) if (BigInt(t.version) > version) version = BigInt(t.version);
  return {
    listVersion: Number(version),
    updateType,
    localAuthorizationList: tags.map((t) => ({
      idTag: t.idTag,
      idTagInfo: {
        status: t.status,
        ...(t.expiryDate !== null ? { expiryDate: t.expiryDate } : {}),
        ...(t.parentIdTag !== null ? { parentIdTag: t.parentIdTag } : {}),
      },
    })),
  };
}

export interface LocalListAnswer extends ChargerCommandAnswer {
  listVersion: number;
  entries: number;
}

/**
 * POST /v1/chargers/:id/local-list: pushes the charger's fleet's id tags (registry_id_tags) to its
 * local authorization list in one SendLocalList, so it can authorize offline, and waits for the
 * answer like any command: only Accepted is 200 (Failed, NotSupported, VersionMismatch are 502).
 * No chunking: the list must fit the charger's SendLocalListMaxLength and LocalAuthListMaxLength
 * (read them with GetConfiguration); a charger given more answers Failed.
 * OCPP 1.6 only: a charger connected with 2.0.1 is 409 LOCAL_LIST_NOT_SUPPORTED before anything is
 * recorded (2.0.1's SendLocalList carries idTokens with a type, which the registry does not hold).
 */
export class PushLocalList {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly targets: ChargerCommandTargets,
    private readonly commands: SendChargerCommand,
  ) {}

  async execute(request: {
    chargePointId: string;
    updateType: unknown;
    actor: Actor;
  }): Promise<LocalListAnswer> {
    const arrivedAt = Date.now();
    const updateType = request.updateType ?? 'Full';
    if (!(LOCAL_LIST_UPDATE_TYPES as readonly unknown[]).includes(updateType)) {
      throw new BadRequestError(
        'INVALID_BODY',
        `update_type must be one of ${LOCAL_LIST_UPDATE_TYPES.join(', ')} (default Full)`,
      );
    }
    const target = await this.commands.target(request.chargePointId);
    if (target.protocol === 'ocpp2.0.1') {
      throw new ChargerCommandError(
        409,
        'LOCAL_LIST_NOT_SUPPORTED',
        `charger ${target.chargePointId} is connected with ocpp2.0.1; the local list push sends OCPP 1.6 SendLocalList only`,
      );
    }
    const command = { protocol: 'ocpp1.6', action: 'SendLocalList' } as const;
    const tags = await this.targets.fleetIdTags(this.transactions.outside, target.fleetId);
    const payload = sendLocalListPayload(tags, updateType as LocalListUpdateType);
    // Registry data that OCPP cannot carry (an id tag longer than 20 characters, a version past
    // 32 bits) is refused here, named: 422, the request was fine but the list cannot be sent.
    try {
      this.commands.checkPayload(command, payload);
    } catch (e) {
      if (!(e instanceof BadRequestError)) throw e;
      throw new BadRequestError(
        'LOCAL_LIST_INVALID',
        `the fleet's id tags cannot be sent: ${e.message}`,
        422,
      );
    }
    // One Kafka record carries the whole list: refuse one the broker would refuse (and with it the
    // other records of its publish batch) before anything is recorded.
    const bytes = Buffer.byteLength(JSON.stringify(payload));
    if (bytes > MAX_LOCAL_LIST_BYTES) {
      throw new BadRequestError(
        'LOCAL_LIST_TOO_LARGE',
        `the fleet's ${tags.length} id tags make a SendLocalList of ${bytes} bytes; at most ${MAX_LOCAL_LIST_BYTES} fit one command record`,
        422,
      );
    }
    const answer = await this.commands.send(
      target,
      command,
      payload,
      request.actor,
      { update_type: payload.updateType, list_version: payload.listVersion, entries: tags.length },
      arrivedAt,
    );
    return { ...answer, listVersion: payload.listVersion, entries: tags.length };
  }
}
