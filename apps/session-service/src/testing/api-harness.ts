/**
 * The session service's HTTP app on a fresh test database and topic prefix, for the API
 * integration specs: SessionServiceModule hardened as main.ts does (libs/observability's JSON
 * parser, gzip, limits, headers), the credentials tables in the test database
 * (AUTH_DATABASE_URL = DATABASE_URL) with the spec's API keys, a SQL client, a producer, consumers
 * of its topics that close with it, a stand-in gateway that answers commands, and an HTTP client
 * that sends a key. harness.ts starts the runtime without HTTP; this one starts the whole app.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Consumer, KafkaMessage, Producer } from 'kafkajs';
import { Client } from 'pg';
import { ApiKeyStore, migrateAuthDatabase, type Role } from '@app/auth';
import {
  makeEnvelope,
  OCPP_COMMAND_RESULT_SCHEMA,
  OCPP_EVENTS_SOURCE,
  topicName,
  type OcppCommand,
  type OcppCommandResult,
  type TopicKey,
} from '@app/contracts';
import { httpSettings } from '@app/http';
import { hardenHttp } from '@app/observability';
import { createTestDatabase, createTestKafka, type TestDatabase, type TestKafka } from '@app/testing';
import { loadSessionServiceConfig } from '../config';
import { SessionServiceModule } from '../session-service.module';
import type { GatewayRecord } from './gateway-records';
import { migrate } from './harness';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies and records are checked field by field
export type Json = any;

export interface TestApiKey {
  key: string;
  name: string;
  roles: Role[];
  fleet: string | null;
}

/** A key `sk_test_<label>_<uuid>` named `name`, created when the harness starts. */
export const testApiKey = (
  label: string,
  name: string,
  roles: Role[],
  fleet: string | null = null,
): TestApiKey => ({ key: `sk_test_${label}_${randomUUID()}`, name, roles, fleet });

/** An operator, two fleets' (fleet-1, fleet-2) and a finance key. */
export const operatorFleetsFinanceKeys = () => ({
  operator: testApiKey('operator', 'ops', ['operator']),
  fleet1: testApiKey('fleet_one', 'f1', ['fleet'], 'fleet-1'),
  fleet2: testApiKey('fleet_two', 'f2', ['fleet'], 'fleet-2'),
  finance: testApiKey('finance', 'fin', ['finance']),
});

export interface ApiResponse {
  status: number;
  /** The parsed JSON body; null when the body is empty. */
  body: Json;
  text: string;
  headers: Headers;
}

export interface ReceivedRecord {
  key: string;
  value: Json;
}

/** What the stand-in gateway answers a command with; null: it never answers. */
export type CommandAnswer = (cmd: OcppCommand) => Partial<OcppCommandResult> | null;

export interface ApiHarnessOptions<K extends string> {
  keys?: Record<K, TestApiKey>;
  /** Environment over the harness's (databases, broker, prefix, group, LOG_LEVEL warn, no rate limit). */
  env?: Record<string, string>;
  /** Runs after the migrations and the keys, before the app starts (rows the app must find). */
  beforeStart?(sql: Client): Promise<void>;
}

export interface ApiHarness<K extends string = string> {
  db: TestDatabase;
  tk: TestKafka;
  /** A client on the test database (closed with the harness). */
  sql: Client;
  producer: Producer;
  app: NestExpressApplication;
  /** http://127.0.0.1:<port> */
  base: string;
  /** The API key ids (audit rows and `updated_by` name them). */
  keyIds: Record<K, string>;
  /** One request; `key` null sends none; a string body is sent as it is, anything else as JSON. */
  api(
    method: string,
    path: string,
    key: string | null,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse>;
  send(topic: TopicKey, messages: GatewayRecord[]): Promise<void>;
  /** Records on ocpp.v16.events, as the gateway publishes them. */
  publish(records: GatewayRecord[]): Promise<void>;
  /** Runs `each` for every record of the topic from its beginning until the harness closes. */
  consume(topic: TopicKey, each: (message: KafkaMessage) => Promise<void>): Promise<void>;
  /** Collects every record of the topic (JSON values) into `into`, from its beginning. */
  collect(topic: TopicKey, into?: ReceivedRecord[]): Promise<ReceivedRecord[]>;
  /**
   * Plays the gateway on the command topics: each command on ocpp.v16.commands is answered on
   * ocpp.v16.command-results as the gateway's contract says (libs/contracts ocpp-commands.ts);
   * `answered` runs after an answer was sent.
   */
  answerCommands(
    answer: CommandAnswer,
    options?: {
      gatewayId?: string;
      answered?(cmd: OcppCommand, result: Partial<OcppCommandResult>): Promise<void>;
    },
  ): Promise<void>;
  close(): Promise<void>;
}

export async function startApiHarness<K extends string = never>(
  label: string,
  options: ApiHarnessOptions<K> = {},
): Promise<ApiHarness<K>> {
  const [db, tk] = await Promise.all([createTestDatabase(label), createTestKafka(label)]);
  await migrate(db.url);
  await migrateAuthDatabase(db.url);
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  const store = new ApiKeyStore(sql);
  const keyIds = {} as Record<K, string>;
  for (const [k, spec] of Object.entries(options.keys ?? {}) as [K, TestApiKey][])
    keyIds[k] = (await store.create(spec)).record.id;
  await options.beforeStart?.(sql);
  const producer = tk.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumers: Consumer[] = [];

  const config = loadSessionServiceConfig({
    DATABASE_URL: db.url,
    AUTH_DATABASE_URL: db.url,
    KAFKA_TOPIC_PREFIX: tk.prefix,
    KAFKA_BROKERS: tk.brokers.join(','),
    CONSUMER_GROUP: 'sessions-' + randomUUID().slice(0, 8),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_CREDENTIAL: '0', // the specs' polling is not what the limits are for
    ...options.env,
  });
  const app = await NestFactory.create<NestExpressApplication>(SessionServiceModule.forRoot(config), {
    logger: process.env.TEST_LOGS ? ['warn', 'error'] : false,
  });
  hardenHttp(app, httpSettings(config));
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  const send = async (topic: TopicKey, messages: GatewayRecord[]) => {
    await producer.send({ topic: topicName(topic, tk.prefix), acks: -1, messages });
  };
  const consume = async (topic: TopicKey, each: (message: KafkaMessage) => Promise<void>) => {
    const consumer = tk.kafka.consumer({ groupId: `${topic}-reader-${randomUUID()}` });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: topicName(topic, tk.prefix), fromBeginning: true });
    await consumer.run({ eachMessage: ({ message }) => each(message) });
  };

  return {
    db,
    tk,
    sql,
    producer,
    app,
    base,
    keyIds,
    api: async (method, path, key, body, headers = {}) => {
      const res = await fetch(base + path, {
        method,
        headers: {
          ...(key ? { 'x-api-key': key } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, text, headers: res.headers };
    },
    send,
    publish: (records) => send('ocppEvents', records),
    consume,
    collect: async (topic, into = []) => {
      await consume(topic, async (message) => {
        into.push({ key: message.key?.toString() ?? '', value: JSON.parse(message.value!.toString()) });
      });
      return into;
    },
    answerCommands: (answer, { gatewayId, answered } = {}) =>
      consume('ocppCommands', async (message) => {
        const cmd = JSON.parse(message.value!.toString()).data as OcppCommand;
        const result = answer(cmd);
        if (!result) return;
        const env = makeEnvelope({
          type: 'OcppCommandCompleted',
          source: OCPP_EVENTS_SOURCE,
          subject: cmd.commandId,
          schema: OCPP_COMMAND_RESULT_SCHEMA,
          data: {
            commandId: cmd.commandId,
            chargePointId: cmd.chargePointId,
            action: cmd.action,
            completedAt: new Date().toISOString(),
            ...(gatewayId ? { gatewayId } : {}),
            ...(cmd.sessionId ? { sessionId: cmd.sessionId } : {}),
            ...result,
          } as OcppCommandResult,
        });
        await send('ocppCommandResults', [{ key: cmd.commandId, value: JSON.stringify(env) }]);
        await answered?.(cmd, result);
      }),
    close: async () => {
      for (const c of consumers) await c.disconnect();
      await app.close();
      await producer.disconnect();
      await sql.end();
      await db.drop();
    },
  };
}
