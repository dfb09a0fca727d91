/**
 * Registers a charger in session-service's registry, or changes it, and optionally id tags of its
 * fleet: the same use case as `POST/PATCH /v1/chargers`, `POST /v1/chargers/:id/password` and
 * `PUT /v1/id-tags/:idTag`, so the same rules, registry versions, outbox and audit apply (the
 * running session-service publishes the records on chargers.registry.v1; every gateway replica
 * applies them).
 *
 *   npm run -s charger:register -- --id CP-1 --fleet acme --password 's3cret-at-least-16' \
 *     [--evse 1=DE*2GO*EMCD1311*1A*2 --evse 2=...] [--id-tag AABBCCDD ...] [--actor NAME]
 *   npm run -s charger:register -- --id CP-1 --fleet acme --generate   (prints the password once)
 *
 * A charger not yet registered needs a password (or --generate). For one already registered, the
 * fleet and the given EVSE ids are changed, and a password given (or --generate) replaces the old
 * one: the command then waits up to REGISTRY_APPLY_WAIT_SECONDS for a gateway to apply it and
 * prints `"applied": false` (exit 0: stored, applies when the gateway catches up) if none did.
 * The password may come from env CHARGER_PASSWORD instead of the command line (keeps it out of
 * shell history). DATABASE_URL defaults to the dev stack's charging_sessions database,
 * AUTH_DATABASE_URL (the audit log) to its access database.
 */
import path from 'node:path';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { cliActor, recordAudit } from '@app/auth/audit';
import { ConfigError } from '@app/config';
import { ManageChargerRegistry, RegistryNotAppliedError } from '../application/charger-registry';
import {
  parseRegisterCharger,
  parseRotatePassword,
  parseSetIdTag,
  parseUpdateCharger,
  type PasswordChoice,
  type RegisterChargerCommand,
  type SetIdTagCommand,
} from '../application/charger-registry-input';
import { RegistryError, type RegistryAuditEntry } from '../application/charger-registry-ports';
import { RegistryStatusOutbox } from '../application/charger-registry-status';
import { loadSessionServiceConfig } from '../config';
import { ChargerStore } from '../infrastructure/database/charger-store';
import { PostgresChargerStatusQueries } from '../infrastructure/database/charger-status-queries';
import { createDataSource } from '../infrastructure/database/data-source';
import { PostgresRegistryStore } from '../infrastructure/database/registry-store';
import { PostgresTransactionRunner } from '../infrastructure/database/transaction-runner';

export class UsageError extends Error {}

export interface RegisterChargerArgs {
  /** What POST /v1/chargers would get (with the password, when one was given or asked for). */
  register: RegisterChargerCommand;
  /** null: no password given and none to generate (fine for a charger already registered). */
  password: PasswordChoice | null;
  idTags: SetIdTagCommand[];
  actorArgs: string[];
}

/** The command line as the registry's request bodies, checked by the same rules as the API. */
export function parseRegisterArgs(
  argv: string[],
  environment: Record<string, string | undefined>,
): RegisterChargerArgs {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: {
      id: { type: 'string' },
      fleet: { type: 'string' },
      password: { type: 'string' },
      generate: { type: 'boolean' },
      evse: { type: 'string', multiple: true },
      'id-tag': { type: 'string', multiple: true },
      actor: { type: 'string' },
    },
    strict: true,
  });
  const connectors = (values.evse ?? []).map((spec) => {
    const match = /^(\d{1,10})=(.+)$/.exec(spec);
    if (!match) throw new UsageError(`--evse "${spec}": expected <connectorId ≥ 1>=<EVSE id>`);
    return { connector_id: Number(match[1]), evse_id: match[2] };
  });
  const given = values.password ?? environment.CHARGER_PASSWORD;
  if (given !== undefined && values.generate)
    throw new UsageError('give --password (or CHARGER_PASSWORD) or --generate, not both');
  const flag = (message: string) =>
    message
      .replace(/^id /, '--id ')
      .replace(/^fleet /, '--fleet ')
      .replace(/^password/, '--password (or CHARGER_PASSWORD)')
      .replace(
        /^connectors\[(\d+)\](\.(connector_id|evse_id))?/,
        (_m, i: string, _f, field?: string) =>
          `--evse "${values.evse?.[Number(i)] ?? ''}":${field ? ` ${field}` : ''}`,
      );
  try {
    const password =
      given !== undefined || values.generate
        ? parseRotatePassword(values.generate ? { generate: true } : { password: given })
        : null;
    const register = parseRegisterCharger({
      id: values.id,
      fleet: values.fleet,
      // A registration needs one; whether this is one is known only once the registry was read.
      ...(password?.kind === 'given' ? { password: password.password } : { generate: true }),
      connectors,
    });
    const idTags = (values['id-tag'] ?? []).map((tag) => {
      try {
        return parseSetIdTag(tag, { fleet: register.fleetId, status: 'Accepted' });
      } catch (e) {
        throw new UsageError(`--id-tag "${tag}": ${(e as Error).message}`);
      }
    });
    return {
      register,
      password,
      idTags,
      actorArgs: values.actor !== undefined ? ['--actor', values.actor] : [],
    };
  } catch (e) {
    if (e instanceof RegistryError) throw new UsageError(flag(e.message));
    throw e;
  }
}

async function main(): Promise<void> {
  let args: RegisterChargerArgs;
  let config: ReturnType<typeof loadSessionServiceConfig>;
  try {
    args = parseRegisterArgs(process.argv.slice(2), process.env);
    config = loadSessionServiceConfig();
  } catch (e) {
    if (
      e instanceof UsageError ||
      e instanceof ConfigError ||
      (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`charger:register: ${(e as Error).message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const actor = cliActor(args.actorArgs, () => userInfo().username);
  const ds = createDataSource(config.DATABASE_URL);
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 2 });
  const auditPool = new Pool({ connectionString: config.AUTH_DATABASE_URL, max: 1 });
  const audit = (entry: RegistryAuditEntry) =>
    recordAudit(auditPool, {
      ...entry,
      service: 'session-service',
      details: { ...entry.details, via: 'cli' },
    });
  const registry = new ManageChargerRegistry(
    new PostgresTransactionRunner(pool),
    new PostgresRegistryStore(pool),
    {
      applyWaitSeconds: config.REGISTRY_APPLY_WAIT_SECONDS,
      // The running session-service's registry relay publishes the records (it polls its outbox).
      published: () => undefined,
      // The charger's new picture (chargers.status.v1), published by the running status relay.
      status: new RegistryStatusOutbox({
        queries: new PostgresChargerStatusQueries(pool),
        statuses: new ChargerStore(),
      }),
    },
  );
  try {
    const { register, password } = args;
    const existing = await registry.find(register.id);
    const out: Record<string, unknown> = {};
    if (!existing) {
      if (!password)
        throw new UsageError(
          `--password (or CHARGER_PASSWORD) or --generate: ${register.id} is not registered yet`,
        );
      const r = await registry.register(register, actor, audit);
      Object.assign(out, { registered: r.charger.chargePointId, version: r.charger.version });
      if (r.password !== null) out.password = r.password;
    } else {
      out.updated = existing.chargePointId;
      out.version = existing.version;
      // Only what differs: a rotation alone draws no second version.
      if (existing.fleetId !== register.fleetId || register.connectors.length > 0) {
        const change = parseUpdateCharger({
          fleet: register.fleetId,
          ...(register.connectors.length > 0
            ? {
                connectors: register.connectors.map((c) => ({
                  connector_id: c.connectorId,
                  evse_id: c.evseId,
                })),
              }
            : {}),
        });
        out.version = (await registry.update(register.id, change, actor, audit)).version;
      }
      if (password) {
        try {
          const r = await registry.rotatePassword(register.id, password, actor, audit);
          Object.assign(out, { version: r.charger.version, applied: true });
          if (r.password !== null) out.password = r.password;
        } catch (e) {
          if (!(e instanceof RegistryNotAppliedError)) throw e;
          Object.assign(out, { version: e.version, applied: false });
          if (e.password !== null) out.password = e.password;
          process.stderr.write(`charger:register: ${e.message}\n`);
        }
      }
    }
    const charger = (await registry.find(register.id))!;
    out.fleet = charger.fleetId;
    out.evse_ids = charger.evseIds;
    const tags: string[] = [];
    for (const tag of args.idTags) tags.push((await registry.setIdTag(tag, actor, audit)).tag.idTag);
    out.id_tags = tags;
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await pool.end();
    await auditPool.end();
  }
}

// Run only as a command (scripts/run-ts.mjs sets argv[1] to this file), not when a test imports it.
if (process.argv[1] && path.resolve(process.argv[1]) === __filename) {
  main().catch((e) => {
    const known = e instanceof UsageError || e instanceof RegistryError;
    process.stderr.write(`charger:register${known ? '' : ' failed'}: ${(e as Error).message}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}
