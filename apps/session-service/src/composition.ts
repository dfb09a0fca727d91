import type { Kafka } from 'kafkajs';
import { Pool, type PoolConfig } from 'pg';
import {
  CHARGERS_SOURCE,
  makeEnvelope,
  OCPP201_COMMAND_SCHEMA,
  OCPP_COMMAND_SCHEMA,
  SESSION_EVENT_SCHEMAS,
  SESSIONS_SOURCE,
  topicName,
  type SessionEventType,
} from '@app/contracts';
import { guardPoolErrors, OutboxRelay } from '@app/event-store';
import type { BatchConsumer, KafkaPublisher } from '@app/kafka';
import { CommandWaiter } from './application/command-waiter';
import { DEFAULT_REGISTRY_APPLY_WAIT_SECONDS, ManageChargerRegistry } from './application/charger-registry';
import { RegistryStatusOutbox } from './application/charger-registry-status';
import { IngestOcppEvents } from './application/ingest-ocpp-events';
import type { ChangeNotifier, CommandSender } from './application/ports';
import { CostUpdates, RecordCharges, RecordTariffs } from './application/record-billing-events';
import { RecordCommandResults } from './application/record-command-results';
import { RunTimers } from './application/run-timers';
import { StartSession } from './application/start-session';
import { StopSession } from './application/stop-session';
import { SendChargerCommand } from './application/send-charger-command';
import { PushLocalList } from './application/push-local-list';
import { ChargerCommandStore } from './infrastructure/database/charger-command-store';
import type { CommandAudit } from './application/command-audit';
import { ManageWebhooks, WebhookDispatcher, WebhookOutbox } from './application/webhooks';
import { ReadSessions } from './application/read-sessions';
import { ReadChargers } from './application/charger-view';
import { PUBLISHED_SESSION_EVENTS } from './domain/session-events';
import type { TimerSettings } from './domain/timers';
import {
  CHARGER_STATUS_RELAY_NAME,
  CHARGER_STATUS_STREAM_TYPE,
  ChargerStore,
  chargerStatusRoute,
} from './infrastructure/database/charger-store';
import {
  SESSION_STREAM_TYPE,
  SessionStore,
  sessionIdOfStream,
} from './infrastructure/database/session-store';
import { PostgresSessionQueries } from './infrastructure/database/session-queries';
import { PostgresChargerStatusQueries } from './infrastructure/database/charger-status-queries';
import { CommandStore } from './infrastructure/database/command-store';
import { PostgresTransactionRunner } from './infrastructure/database/transaction-runner';
import { PostgresWebhookStore } from './infrastructure/database/webhook-store';
import {
  PostgresRegistryStore,
  REGISTRY_RELAY_NAME,
  REGISTRY_STREAM_TYPE,
  registryRoute,
} from './infrastructure/database/registry-store';
import { transactionalConsumer } from './infrastructure/kafka/transactional-consumer';
import { sessionEnvelopeValidation } from './infrastructure/kafka/envelope-validation';
import { sessionMetrics } from './infrastructure/metrics';
import { webhookDelivery, type WebhookSettings } from './infrastructure/webhook-delivery';

const DEFAULT_STOP_WAIT_SECONDS = 25;
const DEFAULT_COMMAND_WAIT_SECONDS = 30;

export interface SessionServiceOptions {
  databaseUrl: string;
  poolSize?: number;
  kafka: Kafka;
  publisher: KafkaPublisher;
  topicPrefix: string;
  consumerGroup: string;
  timers: TimerSettings;
  commandTimeoutSeconds: number;
  /** POST /stop answers within this (default 25 s, STOP_WAIT_SECONDS). */
  stopWaitSeconds?: number;
  /** POST /v1/chargers/:id/commands/:action answers within this (default 30 s, COMMAND_WAIT_SECONDS). */
  commandWaitSeconds?: number;
  timerIntervalMs: number;
  sessionTimeoutMs?: number;
  /**
   * Partitions of ocpp.v16.events and ocpp.v201.events consumed concurrently by this process
   * (default 12: every partition of one topic). The chunks of one fetch are merged into few
   * transactions (transactional-consumer).
   */
  ocppConsumers?: number;
  /** Production-safe when absent: https only, public addresses only, and no secret key (no new webhooks). */
  webhooks?: WebhookSettings;
  /** Where commands sent on someone's request are recorded (the shared audit log). */
  commandAudit: CommandAudit;
  /** Password rotation and deactivation wait this long for a gateway to apply them (default 10 s). */
  registryApplyWaitSeconds?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
  /** Called after session changes committed (webhooks, metrics). */
  onSessionsChanged?(sessionIds: string[]): void;
}

/**
 * The session service's composition root, framework-free (the Nest module and the test harness
 * build it): it creates the Postgres pool and the adapters (stores, Kafka publisher and consumers,
 * webhook transport), wires them into the use cases, and runs the background work (consumers,
 * outbox relay, webhook dispatcher, timer sweeper) between `start` and `stop`. Nothing else
 * constructs adapters: controllers get the use cases injected from here.
 */
export class SessionServiceComposition implements ChangeNotifier {
  readonly pool: Pool;
  readonly sessionStore: SessionStore;
  readonly chargerStore = new ChargerStore();
  readonly waiter: CommandWaiter;
  readonly transactions: PostgresTransactionRunner;
  readonly commandStore: CommandStore;
  readonly startSession: StartSession;
  readonly stopSession: StopSession;
  readonly sendChargerCommand: SendChargerCommand;
  readonly pushLocalList: PushLocalList;
  readonly runTimers: RunTimers;
  /** CostUpdated to 2.0.1 stations once their sessions are priced. */
  readonly costUpdates: CostUpdates;
  readonly relay: OutboxRelay;
  /** Publishes ChargerStatusChanged (chargers.status.v1) from the chargers' status streams. */
  readonly statusRelay: OutboxRelay;
  readonly ingest: IngestOcppEvents;
  readonly webhookOutbox: WebhookOutbox;
  readonly webhooks: WebhookDispatcher;
  readonly manageWebhooks: ManageWebhooks;
  readonly readSessions: ReadSessions;
  /** GET /v1/chargers; `view` is the charger view the registry routes answer with. */
  readonly readChargers: ReadChargers;
  readonly registryStore: PostgresRegistryStore;
  readonly chargerRegistry: ManageChargerRegistry;
  /** Publishes the registry's records (chargers.registry.v1) from its outbox streams. */
  readonly registryRelay: OutboxRelay;
  private readonly consumers: BatchConsumer[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastWake = 0;
  private timerRun: Promise<unknown> | null = null;

  constructor(private readonly o: SessionServiceOptions) {
    // pipeline: statements of one transaction that do not depend on each other leave together
    // (runAll in libs/event-store); a batch costs ~6 round trips instead of ~10.
    this.pool = new Pool({
      connectionString: o.databaseUrl,
      max: o.poolSize ?? 20,
      pipeline: true,
      // An exhausted pool fails the checkout (retried like any outage) instead of queueing forever.
      connectionTimeoutMillis: 10_000,
    } as PoolConfig);
    // Connections the server drops (pg_terminate_backend, a restart) fail their statement, never the process.
    guardPoolErrors(this.pool, (e) => this.log('warn', `Postgres connection failed: ${e.message}`));
    const webhookStore = new PostgresWebhookStore(this.pool);
    this.transactions = new PostgresTransactionRunner(this.pool);
    this.webhookOutbox = new WebhookOutbox(webhookStore);
    this.sessionStore = new SessionStore(o.timers, this.webhookOutbox);
    const delivery = webhookDelivery(o.webhooks);
    this.webhooks = new WebhookDispatcher(webhookStore, delivery.transport, delivery.box, {
      ...o.webhooks,
      log: (m) => this.log('warn', m),
    });
    this.manageWebhooks = new ManageWebhooks(
      this.transactions,
      webhookStore,
      delivery.box,
      delivery.transport,
      this.webhookOutbox,
      () => this.webhooks.wake(),
    );
    this.readSessions = new ReadSessions(new PostgresSessionQueries(this.pool));
    this.readChargers = new ReadChargers(new PostgresChargerStatusQueries(this.pool));
    this.commandStore = new CommandStore(this.pool);
    this.waiter = new CommandWaiter(this.commandStore);
    // Each protocol has its commands topic and schema; the gateway reads both.
    const commands: CommandSender = {
      send: async (command, protocol) => {
        const v201 = protocol === 'ocpp2.0.1';
        const envelope = makeEnvelope({
          type: 'OcppCommandRequested',
          source: SESSIONS_SOURCE,
          subject: command.chargePointId,
          schema: v201 ? OCPP201_COMMAND_SCHEMA : OCPP_COMMAND_SCHEMA,
          id: command.commandId,
          data: command,
        });
        await o.publisher.publish({
          topic: topicName(v201 ? 'ocppV201Commands' : 'ocppCommands', o.topicPrefix),
          key: command.chargePointId,
          value: JSON.stringify(envelope),
        });
      },
    };
    const commandTargets = new ChargerCommandStore();
    this.ingest = new IngestOcppEvents(this.sessionStore, this.chargerStore);
    this.startSession = new StartSession(
      this.transactions,
      this.sessionStore,
      this.chargerStore,
      this.commandStore,
      commands,
      o.commandTimeoutSeconds,
      o.commandAudit,
      commandTargets,
    );
    this.stopSession = new StopSession(
      this.transactions,
      this.sessionStore,
      this.commandStore,
      commands,
      this.waiter,
      o.stopWaitSeconds ?? DEFAULT_STOP_WAIT_SECONDS,
      o.commandAudit,
    );
    this.sendChargerCommand = new SendChargerCommand(
      this.transactions,
      commandTargets,
      this.commandStore,
      commands,
      this.waiter,
      o.commandWaitSeconds ?? DEFAULT_COMMAND_WAIT_SECONDS,
      o.commandAudit,
      (commandId, e) =>
        this.log('error', `the answer to command ${commandId} could not be audited: ${(e as Error).message}`),
    );
    this.pushLocalList = new PushLocalList(this.transactions, commandTargets, this.sendChargerCommand);
    this.runTimers = new RunTimers(
      this.transactions,
      this.sessionStore,
      this.commandStore,
      commands,
      o.timers,
      o.commandTimeoutSeconds,
      o.commandAudit,
    );
    this.costUpdates = new CostUpdates(
      commandTargets,
      this.commandStore,
      commands,
      o.commandAudit,
      this.transactions.outside,
      o.commandTimeoutSeconds,
      (m) => this.log('warn', m),
    );
    const sessionsTopic = topicName('chargingSessions', o.topicPrefix);
    this.relay = new OutboxRelay(this.pool, o.publisher, {
      name: 'charging.sessions.v1',
      source: SESSIONS_SOURCE,
      streamType: SESSION_STREAM_TYPE,
      batchSize: 1000,
      pollIntervalMs: 100,
      route: (e) =>
        PUBLISHED_SESSION_EVENTS.has(e.type)
          ? {
              topic: sessionsTopic,
              key: sessionIdOfStream(e.streamId),
              schema: SESSION_EVENT_SCHEMAS[e.type as SessionEventType],
            }
          : null,
      onError: (e) => this.log('error', `outbox relay: ${(e as Error).message}`),
    });
    this.statusRelay = new OutboxRelay(this.pool, o.publisher, {
      name: CHARGER_STATUS_RELAY_NAME,
      source: CHARGERS_SOURCE,
      streamType: CHARGER_STATUS_STREAM_TYPE,
      batchSize: 1000,
      pollIntervalMs: 100,
      route: chargerStatusRoute(o.topicPrefix),
      onError: (e) => this.log('error', `charger status relay: ${(e as Error).message}`),
    });
    this.registryStore = new PostgresRegistryStore(this.pool);
    this.registryRelay = new OutboxRelay(this.pool, o.publisher, {
      name: REGISTRY_RELAY_NAME,
      source: CHARGERS_SOURCE,
      streamType: REGISTRY_STREAM_TYPE,
      batchSize: 500,
      pollIntervalMs: 200,
      route: registryRoute(o.topicPrefix),
      onError: (e) => this.log('error', `registry relay: ${(e as Error).message}`),
    });
    this.chargerRegistry = new ManageChargerRegistry(this.transactions, this.registryStore, {
      applyWaitSeconds: o.registryApplyWaitSeconds ?? DEFAULT_REGISTRY_APPLY_WAIT_SECONDS,
      published: () => this.registryRelay.wake(),
      // A register, PATCH or deactivation appends the charger's new picture (chargers.status.v1).
      status: new RegistryStatusOutbox({
        queries: new PostgresChargerStatusQueries(this.pool),
        statuses: this.chargerStore,
      }),
      statusPublished: () => this.statusRelay.wake(),
    });
  }

  commandsCompleted(commandIds: string[]): void {
    this.waiter.notify(commandIds);
  }

  sessionsChanged(sessionIds: string[]): void {
    if (sessionIds.length === 0) return;
    // Coalesce wake-ups: under load every partition commits many small batches a second, and one
    // relay/dispatcher pass per 50 ms publishes them all with far fewer transactions.
    const now = Date.now();
    if (now - this.lastWake >= 50) {
      this.lastWake = now;
      this.relay.wake();
      // Most changes queue no webhook (no endpoint for the fleet): the dispatcher then sleeps on.
      if (this.webhookOutbox.takeQueued()) this.webhooks.wake();
    }
    this.o.onSessionsChanged?.(sessionIds);
  }

  /**
   * Starts the consumers, the relay, the webhook dispatcher and the timers. `waitForGroups` (default
   * true, for tests and benchmarks): resolve only once every consumer joined its group.
   */
  async start(options: { waitForGroups?: boolean } = {}): Promise<void> {
    const o = this.o;
    const p = o.topicPrefix;
    const onError = (e: unknown) => this.log('warn', `consumer: ${(e as Error).message}`);
    const onEvent = (m: string) => this.log('warn', m);
    const onInvalidRecord = (topic: string, partition: number, offset: string, error: Error) =>
      this.log('warn', `skipping a record that is not an envelope`, {
        topic,
        partition,
        offset,
        error: error.message,
      });
    const recordCharges = new RecordCharges(this.sessionStore, this.costUpdates);
    const recordTariffs = new RecordTariffs(this.chargerStore);
    const recordResults = new RecordCommandResults(this.sessionStore, this.commandStore, this.chargerStore);

    this.consumers.push(
      transactionalConsumer(o.kafka, this.pool, {
        groupId: o.consumerGroup,
        // One group for both protocols: a charger's records of either topic fold into the same sessions.
        topics: [topicName('ocppEvents', p), topicName('ocppV201Events', p)],
        validate: sessionEnvelopeValidation(p, ['ocppEvents', 'ocppV201Events']),
        deadLetter: o.publisher,
        sessionTimeoutMs: o.sessionTimeoutMs,
        concurrency: Math.max(1, o.ocppConsumers ?? 12),
        onError,
        onEvent,
        onInvalidRecord,
        // The batch's sessions and connectors are read in the round trip of its offset claims.
        prepare: (client, _topic, records) =>
          this.ingest.prepare(
            client,
            records.flatMap((x) => (x.envelope ? [x.envelope] : [])),
          ),
        handle: async (client, _topic, records, reads) => {
          const envelopes = records.flatMap((x) => (x.envelope ? [x.envelope] : []));
          const r = await this.ingest.handle(client, envelopes, reads);
          return {
            ids: r.changed.map((s) => s.sessionId),
            chargerStatuses: r.chargerStatuses,
            records: records.length,
            times: envelopes.map((e) => e.time),
          };
        },
        afterCommit: (r) => {
          sessionMetrics.recordsFolded.inc(r.records);
          const now = Date.now();
          for (const t of r.times) {
            const at = Date.parse(t);
            if (!Number.isNaN(at)) sessionMetrics.foldLagSeconds.observe(Math.max(0, now - at) / 1000);
          }
          this.sessionsChanged(r.ids);
          if (r.chargerStatuses > 0) this.statusRelay.wake();
        },
      }),
    );
    this.consumers.push(
      transactionalConsumer(o.kafka, this.pool, {
        groupId: `${o.consumerGroup}-billing`,
        topics: [topicName('sessionCharges', p), topicName('tariffs', p)],
        validate: sessionEnvelopeValidation(p, ['sessionCharges', 'tariffs']),
        deadLetter: o.publisher,
        sessionTimeoutMs: o.sessionTimeoutMs,
        onError,
        onEvent,
        onInvalidRecord,
        handle: async (client, topic, records) => {
          if (topic === topicName('tariffs', p)) {
            await recordTariffs.handle(client, records);
            return { ids: [], costUpdates: [] };
          }
          const r = await recordCharges.handle(
            client,
            records.flatMap((x) => (x.envelope ? [x.envelope] : [])),
          );
          return { ids: r.changed.map((s) => s.sessionId), costUpdates: r.costUpdates };
        },
        afterCommit: (r) => {
          this.sessionsChanged(r.ids);
          // Best effort, off the consumer's path: send() logs what fails and never throws.
          if (r.costUpdates.length > 0) void this.costUpdates.send(r.costUpdates);
        },
      }),
      transactionalConsumer(o.kafka, this.pool, {
        groupId: `${o.consumerGroup}-command-results`,
        topics: [topicName('ocppCommandResults', p), topicName('ocppV201CommandResults', p)],
        validate: sessionEnvelopeValidation(p, ['ocppCommandResults', 'ocppV201CommandResults']),
        deadLetter: o.publisher,
        sessionTimeoutMs: o.sessionTimeoutMs,
        onError,
        onEvent,
        onInvalidRecord,
        handle: async (client, _topic, records) =>
          recordResults.handle(
            client,
            records.flatMap((x) => (x.envelope ? [x.envelope] : [])),
          ),
        afterCommit: (r) => {
          this.commandsCompleted(r.commandIds);
          this.sessionsChanged(r.changed.map((s) => s.sessionId));
        },
      }),
    );
    this.relay.start();
    this.statusRelay.start();
    this.registryRelay.start();
    this.webhooks.start();
    // Each start resolves at the consumer's first group join, which can take a session timeout
    // (a member killed with SIGKILL still holds the group): the app does not wait for it.
    const joined = Promise.all(this.consumers.map((c) => c.start()));
    if (options.waitForGroups ?? true) await joined;
    this.timer = setInterval(() => {
      if (this.timerRun) return;
      this.timerRun = this.runTimers
        .runOnce()
        .then((r) => this.sessionsChanged(r.changed))
        .catch((e) => this.log('warn', `timers: ${(e as Error).message}`))
        .finally(() => (this.timerRun = null));
    }, o.timerIntervalMs);
  }

  /** Readiness: every consumer can make progress (see BatchConsumer.health); the first one that cannot, otherwise. */
  consumersHealth(): { ok: boolean; reason?: string } {
    for (const c of this.consumers) {
      const h = c.health();
      if (!h.ok) return { ok: false, reason: `${c.groupId}: ${h.reason ?? 'no progress'}` };
    }
    return { ok: true };
  }

  /** Finishes in-flight batches (their transactions and commits), stops the relay, closes the pool. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.timerRun;
    await Promise.all(this.consumers.map((c) => c.stop().catch(() => undefined)));
    this.consumers.length = 0;
    await this.costUpdates.drain();
    await this.relay.stop();
    await this.statusRelay.stop();
    await this.registryRelay.stop();
    await this.webhooks.stop();
    await this.pool.end();
  }

  private log(level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>): void {
    this.o.log?.(level, msg, extra);
  }
}
