/**
 * The published JSON Schemas and AsyncAPI document against the TypeScript contracts.
 * Drift shows up in three places:
 * - a type error (`npx tsc --noEmit`): the samples are typed with the contract types, and the field
 *   tables below must name every field of each type with its presence (required/optional);
 * - a failing field comparison: each schema's properties and `required` equal those tables;
 * - a failing validation: each sample envelope validates against the schema its `schema` names.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Actor, ChargeCalculated, TariffAssignment, TariffPublished } from './billing';
import { makeEnvelope, type Envelope } from './envelope';
import type { FinalAmount, TariffSnapshot, TimeTariff } from './money';
import {
  OCPP_COMMAND_RESULT_SCHEMA,
  OCPP_COMMAND_SCHEMA,
  OCPP_OUTBOUND_ACTIONS,
  type OcppCommand,
  type OcppCommandOutcome,
  type OcppCommandResult,
} from './ocpp-commands';
import {
  OCPP_EVENTS_SOURCE,
  OCPP_EVENT_SCHEMAS,
  OCPP_INBOUND_ACTIONS,
  type ChargerConnected,
  type ChargerDisconnected,
  type OcppCallReceived,
  type OcppEventEnvelope,
} from './ocpp-events';
import {
  OCPP201_COMMAND_RESULT_SCHEMA,
  OCPP201_COMMAND_SCHEMA,
  OCPP201_EVENT_SCHEMAS,
  OCPP201_INBOUND_ACTIONS,
  OCPP201_OUTBOUND_ACTIONS,
  type Ocpp201CallReceived,
  type Ocpp201CallReceivedOf,
  type Ocpp201Command,
  type Ocpp201CommandResult,
} from './ocpp201';
import {
  CONTRACT_SCHEMAS,
  COMMON_SCHEMA,
  EVENT_SCHEMA_DOCUMENTS,
  createContractAjv,
  createEnvelopeValidator,
  createTopicValidator,
  describeEventSchema,
  TOPIC_SCHEMAS,
  schemaFileName,
  type JsonSchema,
} from './schemas';
import {
  SESSIONS_SOURCE,
  SESSION_EVENT_SCHEMAS,
  type AuthType,
  type ChargingState,
  type SessionCompleted,
  type SessionEventEnvelope,
  type SessionEventMap,
  type SessionEventType,
  type SessionFailed,
  type SessionFlag,
  type SessionRef,
} from './sessions';
import { BILLING_SOURCE, CHARGE_CALCULATED_SCHEMA, TARIFF_PUBLISHED_SCHEMA } from './billing';
import { allTopicSpecs, TOPICS, type TopicKey } from './topics';
import {
  CHARGERS_SOURCE,
  CHARGER_REGISTRY_SCHEMAS,
  CHARGER_STATUS_SCHEMA,
  chargerRegistryKey,
  idTagRegistryKey,
  type ChargerBootInfo,
  type ChargerProtocol,
  type ChargerRegistration,
  type ChargerRegistryApplied,
  type ChargerStatus,
  type ConnectorStatus,
  type IdTagRegistration,
  type IdTagStatus,
} from './chargers';

const SCHEMA_DIR = path.resolve(__dirname, '../schemas');
const ASYNCAPI_FILE = path.resolve(__dirname, '../asyncapi.yaml');

// ---------------------------------------------------------------------------------------------
// Field tables: tsc rejects a table that misses a field, names one the type lacks, or gets its
// presence wrong.
type Presence<T> = { [K in keyof T]-?: object extends Pick<T, K> ? 'optional' : 'required' };
const R = 'required' as const;
const O = 'optional' as const;

const sessionRef: Presence<SessionRef> = {
  sessionId: R,
  fleetId: R,
  chargePointId: R,
  connectorId: R,
  evse: R,
  transactionId: O,
  chargerTransactionId: O,
};
const tariffSnapshot: Presence<TariffSnapshot> = {
  tariff_id: O,
  version: O,
  kwh_price: R,
  session_price: R,
  time_tariffs: R,
  vat: R,
  currency: R,
  max_charging_time: R,
};
const timeTariff: Presence<TimeTariff> = { starting_at_minute: R, minute_price: R };
const finalAmount: Presence<FinalAmount> = {
  energy: R,
  session: R,
  time: R,
  net: R,
  vat: R,
  gross: R,
  currency: R,
};
const actor: Presence<Actor> = { kind: R, id: R };
const envelope: Presence<Envelope> = {
  id: R,
  type: R,
  specversion: R,
  source: R,
  subject: R,
  time: R,
  schema: R,
  data: R,
};

const sessionEvents: { [K in SessionEventType]: Presence<SessionEventMap[K]> } = {
  SessionRequested: { ...sessionRef, authType: R, userReference: R, idTag: R, requestedAt: R, actor: O },
  SessionStarted: {
    ...sessionRef,
    transactionId: R,
    authType: R,
    idTag: R,
    userReference: R,
    meterStartWh: R,
    startedAt: R,
    receivedAt: R,
    tariff: R,
  },
  SessionMeterUpdated: { ...sessionRef, meterWh: R, measuredAt: R, chargingState: O },
  SessionStopRequested: { ...sessionRef, requestedAt: R, requestedBy: R, actor: O },
  SessionCompleted: {
    ...sessionRef,
    transactionId: R,
    authType: R,
    userReference: R,
    idTag: R,
    tariff: R,
    meterStartWh: R,
    meterStopWh: R,
    startedAt: R,
    completedAt: R,
    stopReason: R,
    flags: R,
    signedMeterValues: R,
  },
  SessionFailed: { ...sessionRef, reason: R, failedAt: R },
  SessionInvalidated: { ...sessionRef, reason: R, meterStartWh: O, meterStopWh: O, invalidatedAt: R },
  SessionPriced: { ...sessionRef, chargeId: R, finalAmount: R, pricedAt: R },
};

/** Envelope type → the field table of its data. */
const DATA_FIELDS: Record<string, Record<string, 'required' | 'optional'>> = {
  OcppCallReceived: {
    chargePointId: R,
    fleetId: R,
    messageId: R,
    action: R,
    payload: R,
    rawFrame: R,
    receivedAt: R,
    reply: R,
    gatewayId: R,
  } satisfies Presence<OcppCallReceived>,
  Ocpp201CallReceived: {
    chargePointId: R,
    fleetId: R,
    messageId: R,
    action: R,
    payload: R,
    rawFrame: R,
    receivedAt: R,
    reply: R,
    gatewayId: R,
  } satisfies Presence<Ocpp201CallReceived>,
  ChargerConnected: {
    chargePointId: R,
    fleetId: R,
    gatewayId: R,
    connectedAt: R,
    remoteAddress: O,
    evseIds: R,
    protocol: O,
  } satisfies Presence<ChargerConnected>,
  ChargerDisconnected: {
    chargePointId: R,
    fleetId: R,
    gatewayId: R,
    disconnectedAt: R,
    code: R,
    reason: R,
  } satisfies Presence<ChargerDisconnected>,
  OcppCommandRequested: {
    commandId: R,
    chargePointId: R,
    action: R,
    payload: R,
    deadline: R,
    requestedBy: R,
    sessionId: O,
  } satisfies Presence<OcppCommand> & Presence<Ocpp201Command>,
  OcppCommandCompleted: {
    commandId: R,
    chargePointId: R,
    action: R,
    outcome: R,
    payload: O,
    error: O,
    completedAt: R,
    gatewayId: O,
    sessionId: O,
  } satisfies Presence<OcppCommandResult> & Presence<Ocpp201CommandResult>,
  ...sessionEvents,
  ChargeCalculated: {
    chargeId: R,
    sessionId: R,
    fleetId: R,
    chargePointId: R,
    evse: R,
    kind: R,
    reversesChargeId: O,
    replacesChargeId: O,
    reason: O,
    actor: O,
    finalAmount: R,
    inputs: R,
    energyWh: R,
    durationS: R,
    flags: R,
    calculatedAt: R,
  } satisfies Presence<ChargeCalculated>,
  TariffVersionPublished: {
    tariffId: R,
    name: R,
    versions: R,
    assignments: R,
    publishedBy: O,
    publishedAt: R,
  } satisfies Presence<TariffPublished>,
  ChargerRegistryApplied: {
    chargePointId: R,
    version: R,
    gatewayId: R,
    appliedAt: R,
    closedConnection: R,
  } satisfies Presence<ChargerRegistryApplied>,
  ChargerRegistered: {
    chargePointId: R,
    fleetId: R,
    passwordHash: R,
    evseIds: R,
    active: R,
    version: R,
    updatedAt: R,
    updatedBy: R,
  } satisfies Presence<ChargerRegistration>,
  IdTagRegistered: {
    fleetId: R,
    idTag: R,
    status: R,
    expiryDate: R,
    parentIdTag: R,
    deleted: R,
    version: R,
    updatedAt: R,
    updatedBy: R,
  } satisfies Presence<IdTagRegistration>,
  ChargerStatusChanged: {
    chargePointId: R,
    fleetId: R,
    protocol: R,
    active: R,
    online: R,
    onlineSince: R,
    lastMessageAt: R,
    gatewayId: R,
    boot: R,
    connectors: R,
    firmware: R,
    diagnostics: R,
    updatedAt: R,
  } satisfies Presence<ChargerStatus>,
};

/** Nested objects: a JSON pointer into the data schema → its field table. */
const NESTED_FIELDS: Array<
  [type: string, pointer: string[], fields: Record<string, 'required' | 'optional'>]
> = [
  [
    'OcppCommandCompleted',
    ['error'],
    { code: R, description: R, details: O } satisfies Presence<NonNullable<OcppCommandResult['error']>> &
      Presence<NonNullable<Ocpp201CommandResult['error']>>,
  ],
  [
    'ChargeCalculated',
    ['inputs'],
    { tariff: R, meter_start: R, meter_stop: R, started_at: R, completed_at: R } satisfies Presence<
      ChargeCalculated['inputs']
    >,
  ],
  ['ChargeCalculated', ['finalAmount'], finalAmount],
  ['ChargeCalculated', ['actor'], actor],
  ['SessionRequested', ['actor'], actor],
  ['SessionStopRequested', ['actor'], actor],
  ['TariffVersionPublished', ['publishedBy'], actor],
  ['TariffVersionPublished', ['versions', '[]', 'created_by'], actor],
  ['ChargeCalculated', ['inputs', 'tariff'], tariffSnapshot],
  ['ChargeCalculated', ['inputs', 'tariff', 'time_tariffs', '[]'], timeTariff],
  ['SessionPriced', ['finalAmount'], finalAmount],
  ['SessionStarted', ['tariff'], tariffSnapshot],
  ['SessionCompleted', ['tariff'], tariffSnapshot],
  [
    'TariffVersionPublished',
    ['versions', '[]'],
    { version: R, effective_from: R, tariff: R, created_by: O } satisfies Presence<
      TariffPublished['versions'][number]
    >,
  ],
  [
    'TariffVersionPublished',
    ['assignments', '[]'],
    { scope: R, ref: R } satisfies Presence<TariffAssignment>,
  ],
  [
    'ChargerStatusChanged',
    ['boot'],
    {
      vendor: R,
      model: R,
      chargePointSerialNumber: R,
      chargeBoxSerialNumber: R,
      firmwareVersion: R,
      iccid: R,
      imsi: R,
      meterType: R,
      meterSerialNumber: R,
      bootedAt: R,
    } satisfies Presence<ChargerBootInfo>,
  ],
  [
    'ChargerStatusChanged',
    ['connectors', '[]'],
    {
      connectorId: R,
      evseId: R,
      status: R,
      errorCode: R,
      info: R,
      vendorId: R,
      vendorErrorCode: R,
      since: R,
      sessionId: R,
    } satisfies Presence<ConnectorStatus>,
  ],
  [
    'ChargerStatusChanged',
    ['firmware'],
    { status: R, at: R } satisfies Presence<NonNullable<ChargerStatus['firmware']>>,
  ],
  [
    'ChargerStatusChanged',
    ['diagnostics'],
    { status: R, at: R } satisfies Presence<NonNullable<ChargerStatus['diagnostics']>>,
  ],
];

// Unions without a runtime array: tsc checks these lists are complete.
const AUTH_TYPES = Object.keys({ LOCAL: 1, REMOTE: 1 } satisfies Record<AuthType, 1>);
const CHARGING_STATES = Object.keys({
  Charging: 1,
  SuspendedEV: 1,
  SuspendedEVSE: 1,
  Finishing: 1,
  Faulted: 1,
} satisfies Record<ChargingState, 1>);
const SESSION_FLAGS = Object.keys({
  INFERRED_STOP: 1,
  CLOCK_SKEW: 1,
  LATE_EVENTS: 1,
  MISSING_TARIFF: 1,
  MAX_CHARGING_TIME_REACHED: 1,
  SEQ_NO_GAP: 1,
} satisfies Record<SessionFlag, 1>);
const FAIL_REASONS = Object.keys({
  START_REJECTED: 1,
  CHARGER_OFFLINE: 1,
  CHARGER_REJECTED: 1,
  START_TIMEOUT: 1,
  CONNECTOR_UNAVAILABLE: 1,
  COMMAND_ERROR: 1,
} satisfies Record<SessionFailed['reason'], 1>);
const OUTCOMES = Object.keys({ Result: 1, Error: 1, Offline: 1, Timeout: 1 } satisfies Record<
  OcppCommandOutcome,
  1
>);
const CHARGE_KINDS = Object.keys({ CHARGE: 1, REVERSAL: 1 } satisfies Record<ChargeCalculated['kind'], 1>);
const ID_TAG_STATUSES = Object.keys({ Accepted: 1, Blocked: 1, Expired: 1 } satisfies Record<IdTagStatus, 1>);
const PROTOCOLS = Object.keys({ 'ocpp1.6': 1, 'ocpp2.0.1': 1 } satisfies Record<ChargerProtocol, 1>);
const SCOPES = Object.keys({ FLEET: 1, CHARGE_POINT: 1, EVSE: 1 } satisfies Record<
  TariffAssignment['scope'],
  1
>);

// ---------------------------------------------------------------------------------------------
// Schema walking: properties and required of a schema, through $ref to common and allOf.
interface Shape {
  properties: Record<string, JsonSchema>;
  required: Set<string>;
}

function resolve(schema: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const m = /^common\.schema\.json#\/definitions\/([\w-]+)$/.exec(ref);
  if (!m) throw new Error(`unexpected $ref ${ref}`);
  const definitions = COMMON_SCHEMA.definitions as Record<string, JsonSchema>;
  if (!definitions[m[1]]) throw new Error(`$ref to a missing definition: ${ref}`);
  return resolve(definitions[m[1]]);
}

function shape(input: JsonSchema): Shape {
  const schema = resolve(input);
  const out: Shape = {
    properties: { ...((schema.properties as Record<string, JsonSchema>) ?? {}) },
    required: new Set((schema.required as string[]) ?? []),
  };
  for (const part of (schema.allOf as JsonSchema[]) ?? []) {
    const s = shape(part);
    Object.assign(out.properties, s.properties);
    s.required.forEach((r) => out.required.add(r));
  }
  return out;
}

/** The object schema inside a property that may be nullable (anyOf [x, null]) or an array. */
function objectOf(input: JsonSchema): JsonSchema {
  const schema = resolve(input);
  const anyOf = schema.anyOf as JsonSchema[] | undefined;
  if (anyOf) return objectOf(anyOf.find((s) => (resolve(s) as { type?: string }).type !== 'null')!);
  return schema;
}

function at(schema: JsonSchema, pointer: string[]): JsonSchema {
  let current = schema;
  for (const step of pointer) {
    current = objectOf(current);
    current = step === '[]' ? (current.items as JsonSchema) : shape(current).properties[step];
    if (!current) throw new Error(`no ${pointer.join('.')}`);
  }
  return objectOf(current);
}

/** A schema document's data schema. */
const dataOf = (doc: JsonSchema) => shape(doc).properties.data;
/** Every schema document of an envelope type (a 1.6 and a 2.0.1 command share theirs). */
const docsOfType = (type: string) =>
  EVENT_SCHEMA_DOCUMENTS.filter((doc) => describeEventSchema(doc).type === type);
/** The data schema of a schema id (`ocpp201.command/v1`). */
const dataSchemaIn = (schemaId: string) => dataOf(CONTRACT_SCHEMAS.get(schemaId)!);
/** The data schema of a type that has exactly one schema document. */
const dataSchemaOf = (type: string) => {
  const docs = docsOfType(type);
  if (docs.length !== 1) throw new Error(`${type} has ${docs.length} schema documents: name the schema id`);
  return dataOf(docs[0]);
};
const presenceOf = (s: Shape) =>
  Object.fromEntries(Object.keys(s.properties).map((k) => [k, s.required.has(k) ? 'required' : 'optional']));
const enumOf = (schema: JsonSchema) => (resolve(schema).enum as string[]).slice().sort();

// ---------------------------------------------------------------------------------------------
// Samples, typed with the contracts.
const T0 = '2026-11-23T18:00:00.000Z';
const T1 = '2026-11-23T18:50:00.000Z';
const tariff: TariffSnapshot = {
  tariff_id: 'tariff-a',
  version: 3,
  kwh_price: '0.88',
  session_price: '0',
  time_tariffs: [{ starting_at_minute: 45, minute_price: '0.12' }],
  vat: '0.19',
  currency: 'EUR',
  max_charging_time: 4320,
};
const amount: FinalAmount = {
  energy: '13.2000',
  session: '0.0000',
  time: '0.6000',
  net: '13.80',
  vat: '2.62',
  gross: '16.42',
  currency: 'EUR',
};
const ref: SessionRef = {
  sessionId: '0b6f4c1e-4d8e-4a59-9f3a-1f2e3d4c5b6a',
  fleetId: 'fleet-1',
  chargePointId: 'CP-1',
  connectorId: 1,
  evse: 'DE*2GO*EMCD1311*1A*2',
};
const completed: SessionCompleted = {
  ...ref,
  transactionId: 42,
  authType: 'REMOTE',
  userReference: 'driver-7',
  idTag: 'TAG-1',
  tariff,
  meterStartWh: 1000,
  meterStopWh: 16000,
  startedAt: T0,
  completedAt: T1,
  stopReason: 'Remote',
  flags: ['INFERRED_STOP'],
  signedMeterValues: ['OCMF|{...}|{...}'],
};
const charge: ChargeCalculated = {
  chargeId: 'charge-1',
  sessionId: ref.sessionId,
  fleetId: ref.fleetId,
  chargePointId: ref.chargePointId,
  evse: ref.evse,
  kind: 'CHARGE',
  finalAmount: amount,
  inputs: { tariff, meter_start: 1000, meter_stop: 16000, started_at: T0, completed_at: T1 },
  energyWh: 15000,
  durationS: 3000,
  flags: [],
  calculatedAt: T1,
};

function sessionEnvelope<K extends SessionEventType>(
  type: K,
  data: SessionEventMap[K],
): SessionEventEnvelope {
  return makeEnvelope({
    type,
    source: SESSIONS_SOURCE,
    subject: data.sessionId,
    schema: SESSION_EVENT_SCHEMAS[type],
    data,
  }) as SessionEventEnvelope;
}

const ocppSamples: OcppEventEnvelope[] = [
  makeEnvelope({
    type: 'OcppCallReceived',
    source: OCPP_EVENTS_SOURCE,
    subject: 'CP-1',
    schema: OCPP_EVENT_SCHEMAS.OcppCallReceived,
    time: T0,
    data: {
      chargePointId: 'CP-1',
      fleetId: 'fleet-1',
      messageId: '19',
      action: 'StopTransaction',
      payload: { transactionId: 42, meterStop: 16000, timestamp: T1 },
      rawFrame:
        '[2,"19","StopTransaction",{"transactionId":42,"meterStop":16000,"timestamp":"2026-11-23T18:50:00.000Z"}]',
      receivedAt: T1,
      reply: { idTagInfo: { status: 'Accepted' } },
      gatewayId: 'gw-1',
    } satisfies OcppCallReceived,
  }),
  makeEnvelope({
    type: 'ChargerConnected',
    source: OCPP_EVENTS_SOURCE,
    subject: 'CP-1',
    schema: OCPP_EVENT_SCHEMAS.ChargerConnected,
    data: {
      chargePointId: 'CP-1',
      fleetId: 'fleet-1',
      gatewayId: 'gw-1',
      connectedAt: T0,
      remoteAddress: '10.0.0.7',
      evseIds: { '1': ref.evse },
    },
  }),
  makeEnvelope({
    type: 'ChargerDisconnected',
    source: OCPP_EVENTS_SOURCE,
    subject: 'CP-1',
    schema: OCPP_EVENT_SCHEMAS.ChargerDisconnected,
    data: {
      chargePointId: 'CP-1',
      fleetId: 'fleet-1',
      gatewayId: 'gw-1',
      disconnectedAt: T1,
      code: 1001,
      reason: 'shutdown',
    },
  }),
];

const commandSamples: Envelope[] = [
  makeEnvelope<OcppCommand, 'OcppCommandRequested'>({
    type: 'OcppCommandRequested',
    source: SESSIONS_SOURCE,
    subject: 'CP-1',
    schema: OCPP_COMMAND_SCHEMA,
    data: {
      commandId: 'cmd-1',
      chargePointId: 'CP-1',
      action: 'RemoteStartTransaction',
      payload: { connectorId: 1, idTag: 'TAG-1' },
      deadline: T0,
      requestedBy: 'session-service',
      sessionId: ref.sessionId,
    },
  }),
  makeEnvelope<OcppCommandResult, 'OcppCommandCompleted'>({
    type: 'OcppCommandCompleted',
    source: OCPP_EVENTS_SOURCE,
    subject: 'cmd-1',
    schema: OCPP_COMMAND_RESULT_SCHEMA,
    data: {
      commandId: 'cmd-1',
      chargePointId: 'CP-1',
      action: 'RemoteStartTransaction',
      outcome: 'Result',
      payload: { status: 'Accepted' },
      completedAt: T0,
      gatewayId: 'gw-1',
    },
  }),
  makeEnvelope<OcppCommandResult, 'OcppCommandCompleted'>({
    type: 'OcppCommandCompleted',
    source: OCPP_EVENTS_SOURCE,
    subject: 'cmd-2',
    schema: OCPP_COMMAND_RESULT_SCHEMA,
    data: {
      commandId: 'cmd-2',
      chargePointId: 'CP-1',
      action: 'RemoteStopTransaction',
      outcome: 'Error',
      error: { code: 'NotSupported', description: '', details: {} },
      completedAt: T0,
    },
  }),
];

const sessionSamples: SessionEventEnvelope[] = [
  sessionEnvelope('SessionRequested', {
    ...ref,
    authType: 'REMOTE',
    userReference: null,
    idTag: 'TAG-1',
    requestedAt: T0,
  }),
  sessionEnvelope('SessionRequested', {
    ...ref,
    authType: 'REMOTE',
    userReference: 'driver-7',
    idTag: 'TAG-1',
    requestedAt: T0,
    actor: { kind: 'api_key', id: '5b3c1f0e-7f43-4a51-9d37-2f1f4c6f9b10' },
  }),
  sessionEnvelope('SessionStarted', {
    ...ref,
    transactionId: 42,
    authType: 'LOCAL',
    idTag: 'TAG-1',
    userReference: null,
    meterStartWh: 1000,
    startedAt: T0,
    receivedAt: T0,
    tariff: null,
  }),
  sessionEnvelope('SessionMeterUpdated', {
    ...ref,
    transactionId: 42,
    meterWh: 9000,
    measuredAt: T0,
    chargingState: 'SuspendedEV',
  }),
  sessionEnvelope('SessionStopRequested', { ...ref, requestedAt: T0, requestedBy: 'API' }),
  sessionEnvelope('SessionStopRequested', {
    ...ref,
    requestedAt: T0,
    requestedBy: 'API',
    actor: { kind: 'jwt', id: 'auth0|fleet-admin-1' },
  }),
  sessionEnvelope('SessionStopRequested', {
    ...ref,
    requestedAt: T0,
    requestedBy: 'MAX_CHARGING_TIME',
    actor: { kind: 'system', id: 'session-service' },
  }),
  sessionEnvelope('SessionCompleted', completed),
  sessionEnvelope('SessionFailed', { ...ref, reason: 'CHARGER_OFFLINE', failedAt: T0 }),
  sessionEnvelope('SessionInvalidated', {
    ...ref,
    reason: 'meterStop < meterStart',
    meterStartWh: 5000,
    meterStopWh: 4000,
    invalidatedAt: T1,
  }),
  sessionEnvelope('SessionPriced', { ...ref, chargeId: 'charge-1', finalAmount: amount, pricedAt: T1 }),
];

const billingSamples: Envelope[] = [
  makeEnvelope<ChargeCalculated, 'ChargeCalculated'>({
    type: 'ChargeCalculated',
    source: BILLING_SOURCE,
    subject: charge.sessionId,
    schema: CHARGE_CALCULATED_SCHEMA,
    data: charge,
  }),
  makeEnvelope<ChargeCalculated, 'ChargeCalculated'>({
    type: 'ChargeCalculated',
    source: BILLING_SOURCE,
    subject: charge.sessionId,
    schema: CHARGE_CALCULATED_SCHEMA,
    data: {
      ...charge,
      chargeId: 'charge-2',
      kind: 'REVERSAL',
      reversesChargeId: 'charge-1',
      reason: 'wrong tariff',
      actor: { kind: 'api_key', id: '5b3c1f0e-7f43-4a51-9d37-2f1f4c6f9b10' },
      finalAmount: {
        ...amount,
        energy: '-13.2000',
        session: '0.0000',
        time: '-0.6000',
        net: '-13.80',
        vat: '-2.62',
        gross: '-16.42',
      },
    },
  }),
  makeEnvelope<ChargeCalculated, 'ChargeCalculated'>({
    type: 'ChargeCalculated',
    source: BILLING_SOURCE,
    subject: charge.sessionId,
    schema: CHARGE_CALCULATED_SCHEMA,
    data: {
      ...charge,
      chargeId: 'charge-3',
      replacesChargeId: 'charge-1',
      reason: 'wrong tariff',
      actor: { kind: 'cli', id: 'jdoe' },
    },
  }),
  makeEnvelope<TariffPublished, 'TariffVersionPublished'>({
    type: 'TariffVersionPublished',
    source: BILLING_SOURCE,
    subject: 'tariff-a',
    schema: TARIFF_PUBLISHED_SCHEMA,
    data: {
      tariffId: 'tariff-a',
      name: 'Standard',
      versions: [
        { version: 3, effective_from: T0, tariff: { ...tariff, currency: 'JPY', time_tariffs: [] } },
        {
          version: 4,
          effective_from: T1,
          tariff,
          created_by: { kind: 'jwt', id: 'auth0|finance-1' },
        },
      ],
      assignments: [{ scope: 'FLEET', ref: 'fleet-1' }],
      publishedBy: { kind: 'api_key', id: '5b3c1f0e-7f43-4a51-9d37-2f1f4c6f9b10' },
      publishedAt: T0,
    },
  }),
];

const chargerStatus: ChargerStatus = {
  chargePointId: 'CP-1',
  fleetId: 'fleet-1',
  protocol: 'ocpp1.6',
  active: true,
  online: true,
  onlineSince: T0,
  lastMessageAt: T1,
  gatewayId: 'gw-1',
  boot: {
    vendor: 'ACME',
    model: 'Wallbox 22',
    chargePointSerialNumber: 'SN-1',
    chargeBoxSerialNumber: null,
    firmwareVersion: '1.2.3',
    iccid: '8949000000000000001',
    imsi: '262010000000001',
    meterType: null,
    meterSerialNumber: null,
    bootedAt: T0,
  },
  connectors: [
    {
      connectorId: 1,
      evseId: ref.evse,
      status: 'Charging',
      errorCode: 'NoError',
      info: null,
      vendorId: null,
      vendorErrorCode: null,
      since: T0,
      sessionId: ref.sessionId,
    },
    {
      connectorId: 2,
      evseId: null,
      status: 'Faulted',
      errorCode: 'GroundFailure',
      info: 'RCD tripped',
      vendorId: 'com.acme',
      vendorErrorCode: 'E42',
      since: T1,
      sessionId: null,
    },
  ],
  firmware: { status: 'Installed', at: T1 },
  diagnostics: null,
  updatedAt: T1,
};

const chargerSamples: Envelope[] = [
  makeEnvelope<ChargerRegistration, 'ChargerRegistered'>({
    type: 'ChargerRegistered',
    source: CHARGERS_SOURCE,
    subject: chargerRegistryKey('CP-1'),
    schema: CHARGER_REGISTRY_SCHEMAS.ChargerRegistered,
    data: {
      chargePointId: 'CP-1',
      fleetId: 'fleet-1',
      passwordHash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==',
      evseIds: { '1': ref.evse },
      active: true,
      version: 7,
      updatedAt: T0,
      updatedBy: '5b3c1f0e-7f43-4a51-9d37-2f1f4c6f9b10',
    },
  }),
  makeEnvelope<ChargerRegistration, 'ChargerRegistered'>({
    type: 'ChargerRegistered',
    source: CHARGERS_SOURCE,
    subject: chargerRegistryKey('CP-2'),
    schema: CHARGER_REGISTRY_SCHEMAS.ChargerRegistered,
    data: {
      chargePointId: 'CP-2',
      fleetId: 'fleet-1',
      passwordHash: null,
      evseIds: {},
      active: false,
      version: 8,
      updatedAt: T1,
      updatedBy: 'jdoe',
    },
  }),
  makeEnvelope<IdTagRegistration, 'IdTagRegistered'>({
    type: 'IdTagRegistered',
    source: CHARGERS_SOURCE,
    subject: idTagRegistryKey('fleet-1', 'TAG-1'),
    schema: CHARGER_REGISTRY_SCHEMAS.IdTagRegistered,
    data: {
      fleetId: 'fleet-1',
      idTag: 'TAG-1',
      status: 'Accepted',
      expiryDate: T1,
      parentIdTag: 'TAG-PARENT',
      deleted: false,
      version: 9,
      updatedAt: T0,
      updatedBy: 'jdoe',
    },
  }),
  makeEnvelope<IdTagRegistration, 'IdTagRegistered'>({
    type: 'IdTagRegistered',
    source: CHARGERS_SOURCE,
    subject: idTagRegistryKey('fleet-1', 'TAG-2'),
    schema: CHARGER_REGISTRY_SCHEMAS.IdTagRegistered,
    data: {
      fleetId: 'fleet-1',
      idTag: 'TAG-2',
      status: 'Blocked',
      expiryDate: null,
      parentIdTag: null,
      deleted: true,
      version: 10,
      updatedAt: T1,
      updatedBy: 'jdoe',
    },
  }),
  makeEnvelope<ChargerRegistryApplied, 'ChargerRegistryApplied'>({
    type: 'ChargerRegistryApplied',
    source: OCPP_EVENTS_SOURCE,
    subject: 'CP-1',
    schema: OCPP_EVENT_SCHEMAS.ChargerRegistryApplied,
    data: { chargePointId: 'CP-1', version: 7, gatewayId: 'gw-1', appliedAt: T1, closedConnection: true },
  }),
  makeEnvelope<ChargerStatus, 'ChargerStatusChanged'>({
    type: 'ChargerStatusChanged',
    source: CHARGERS_SOURCE,
    subject: 'CP-1',
    schema: CHARGER_STATUS_SCHEMA,
    data: chargerStatus,
  }),
  makeEnvelope<ChargerStatus, 'ChargerStatusChanged'>({
    type: 'ChargerStatusChanged',
    source: CHARGERS_SOURCE,
    subject: 'CP-3',
    schema: CHARGER_STATUS_SCHEMA,
    data: {
      ...chargerStatus,
      chargePointId: 'CP-3',
      online: false,
      onlineSince: null,
      lastMessageAt: null,
      gatewayId: null,
      boot: null,
      connectors: [],
      firmware: null,
    },
  }),
];

/** An OCPP 2.0.1 station's TransactionEvent (meter start in kWh with decimals). */
const transactionEvent201: Ocpp201CallReceivedOf<'TransactionEvent'> = {
  chargePointId: 'CP-201',
  fleetId: 'fleet-1',
  messageId: 'b1c1f0e2-0001',
  action: 'TransactionEvent',
  payload: {
    eventType: 'Started',
    timestamp: T0,
    triggerReason: 'Authorized',
    seqNo: 0,
    transactionInfo: { transactionId: 'f4c3a2b1-tx-0001', chargingState: 'Charging', remoteStartId: 7 },
    evse: { id: 1, connectorId: 1 },
    idToken: { idToken: 'TAG-1', type: 'ISO14443' },
    meterValue: [
      {
        timestamp: T0,
        sampledValue: [
          {
            value: 12.3456,
            context: 'Transaction.Begin',
            measurand: 'Energy.Active.Import.Register',
            unitOfMeasure: { unit: 'kWh' },
          },
        ],
      },
    ],
  },
  rawFrame:
    '[2,"b1c1f0e2-0001","TransactionEvent",{"eventType":"Started","timestamp":"2026-11-23T18:00:00.000Z","triggerReason":"Authorized","seqNo":0,"transactionInfo":{"transactionId":"f4c3a2b1-tx-0001","chargingState":"Charging","remoteStartId":7},"evse":{"id":1,"connectorId":1},"idToken":{"idToken":"TAG-1","type":"ISO14443"},"meterValue":[{"timestamp":"2026-11-23T18:00:00.000Z","sampledValue":[{"value":12.3456,"context":"Transaction.Begin","measurand":"Energy.Active.Import.Register","unitOfMeasure":{"unit":"kWh"}}]}]}]',
  receivedAt: T0,
  reply: { idTokenInfo: { status: 'Accepted' } },
  gatewayId: 'gw-1',
};

const ocpp201Samples: Envelope[] = [
  makeEnvelope<Ocpp201CallReceived, 'Ocpp201CallReceived'>({
    type: 'Ocpp201CallReceived',
    source: OCPP_EVENTS_SOURCE,
    subject: 'CP-201',
    schema: OCPP201_EVENT_SCHEMAS.Ocpp201CallReceived,
    time: T0,
    data: transactionEvent201,
  }),
  makeEnvelope<Ocpp201CallReceived, 'Ocpp201CallReceived'>({
    type: 'Ocpp201CallReceived',
    source: OCPP_EVENTS_SOURCE,
    subject: 'CP-201',
    schema: OCPP201_EVENT_SCHEMAS.Ocpp201CallReceived,
    time: T0,
    data: {
      chargePointId: 'CP-201',
      fleetId: 'fleet-1',
      messageId: 'b1c1f0e2-0000',
      action: 'Heartbeat',
      payload: {},
      rawFrame: '[2,"b1c1f0e2-0000","Heartbeat",{}]',
      receivedAt: T0,
      reply: { currentTime: T0 },
      gatewayId: 'gw-1',
    } satisfies Ocpp201CallReceivedOf<'Heartbeat'>,
  }),
  makeEnvelope<ChargerConnected, 'ChargerConnected'>({
    type: 'ChargerConnected',
    source: OCPP_EVENTS_SOURCE,
    subject: 'CP-201',
    schema: OCPP201_EVENT_SCHEMAS.ChargerConnected,
    data: {
      chargePointId: 'CP-201',
      fleetId: 'fleet-1',
      gatewayId: 'gw-1',
      connectedAt: T0,
      evseIds: {},
      protocol: 'ocpp2.0.1',
    },
  }),
  makeEnvelope<Ocpp201Command, 'OcppCommandRequested'>({
    type: 'OcppCommandRequested',
    source: SESSIONS_SOURCE,
    subject: 'CP-201',
    schema: OCPP201_COMMAND_SCHEMA,
    data: {
      commandId: 'cmd-201',
      chargePointId: 'CP-201',
      action: 'RequestStartTransaction',
      payload: { idToken: { idToken: 'TAG-1', type: 'Central' }, evseId: 1, remoteStartId: 7 },
      deadline: T0,
      requestedBy: 'session-service',
      sessionId: ref.sessionId,
    },
  }),
  makeEnvelope<Ocpp201Command, 'OcppCommandRequested'>({
    type: 'OcppCommandRequested',
    source: SESSIONS_SOURCE,
    subject: 'CP-201',
    schema: OCPP201_COMMAND_SCHEMA,
    data: {
      commandId: 'cmd-202',
      chargePointId: 'CP-201',
      action: 'CostUpdated',
      // Money on Kafka is a decimal string; the gateway writes it as this exact number text.
      payload: { totalCost: '16.42', transactionId: 'f4c3a2b1-tx-0001' },
      deadline: T1,
      requestedBy: 'billing',
      sessionId: ref.sessionId,
    },
  }),
  makeEnvelope<Ocpp201CommandResult, 'OcppCommandCompleted'>({
    type: 'OcppCommandCompleted',
    source: OCPP_EVENTS_SOURCE,
    subject: 'cmd-201',
    schema: OCPP201_COMMAND_RESULT_SCHEMA,
    data: {
      commandId: 'cmd-201',
      chargePointId: 'CP-201',
      action: 'RequestStartTransaction',
      outcome: 'Result',
      payload: { status: 'Accepted' },
      completedAt: T0,
      gatewayId: 'gw-1',
      sessionId: ref.sessionId,
    },
  }),
  makeEnvelope<Ocpp201CommandResult, 'OcppCommandCompleted'>({
    type: 'OcppCommandCompleted',
    source: OCPP_EVENTS_SOURCE,
    subject: 'cmd-203',
    schema: OCPP201_COMMAND_RESULT_SCHEMA,
    data: {
      commandId: 'cmd-203',
      chargePointId: 'CP-201',
      action: 'Reset',
      outcome: 'Error',
      error: { code: 'OccurrenceConstraintViolation', description: 'type is missing' },
      completedAt: T0,
    },
  }),
  // A 2.0.1 session: the station's string id beside the number at the top of its range.
  sessionEnvelope('SessionCompleted', {
    ...completed,
    chargePointId: 'CP-201',
    transactionId: 2 ** 53 - 1,
    chargerTransactionId: 'f4c3a2b1-tx-0001-aaaaaaaaaaaaaaaaaaa',
    flags: ['SEQ_NO_GAP'],
  }),
];

const samples: Envelope[] = [
  ...ocppSamples,
  ...ocpp201Samples,
  ...commandSamples,
  ...sessionSamples,
  ...billingSamples,
  ...chargerSamples,
];
const validate = createEnvelopeValidator();

/** Envelope type → schema id, as a TS constant names them (one type may have several schemas). */
const byTypeConstant = (constants: Record<string, string>) =>
  Object.entries(constants).map(([type, schemaId]) => [schemaId, type] as const);
/** TS constants naming a schema id → the envelope type the schema is for. */
const TS_SCHEMA_TYPES: Record<string, string> = Object.fromEntries([
  ...byTypeConstant(OCPP_EVENT_SCHEMAS),
  ...byTypeConstant(OCPP201_EVENT_SCHEMAS),
  [OCPP_COMMAND_SCHEMA, 'OcppCommandRequested'],
  [OCPP_COMMAND_RESULT_SCHEMA, 'OcppCommandCompleted'],
  [OCPP201_COMMAND_SCHEMA, 'OcppCommandRequested'],
  [OCPP201_COMMAND_RESULT_SCHEMA, 'OcppCommandCompleted'],
  ...byTypeConstant(SESSION_EVENT_SCHEMAS),
  [CHARGE_CALCULATED_SCHEMA, 'ChargeCalculated'],
  [TARIFF_PUBLISHED_SCHEMA, 'TariffVersionPublished'],
  ...byTypeConstant(CHARGER_REGISTRY_SCHEMAS),
  [CHARGER_STATUS_SCHEMA, 'ChargerStatusChanged'],
]);

// ---------------------------------------------------------------------------------------------
describe('JSON Schemas of the contracts', () => {
  it('every contract schema compiles (the edge validators compile each on its first envelope, not at start)', () => {
    const ajv = createContractAjv();
    for (const doc of CONTRACT_SCHEMAS.values())
      expect({ schema: doc.$id, compiled: typeof ajv.getSchema(String(doc.$id)) }).toEqual({
        schema: doc.$id,
        compiled: 'function',
      });
  });

  it('the schema folder holds exactly the common schema and one file per loaded event schema', () => {
    const files = fs.readdirSync(SCHEMA_DIR).sort();
    const loaded = [COMMON_SCHEMA, ...EVENT_SCHEMA_DOCUMENTS].map((d) => String(d.$id)).sort();
    expect(files).toEqual(loaded);
    for (const file of files) {
      const onDisk = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8')) as JsonSchema;
      expect(onDisk.$schema).toBe('http://json-schema.org/draft-07/schema#');
      expect(onDisk.$id).toBe(file);
    }
  });

  it('the schema ids are exactly those of the TS *_SCHEMA(S) constants, each under its type', () => {
    const described = EVENT_SCHEMA_DOCUMENTS.map(describeEventSchema);
    expect(Object.fromEntries(described.map((d) => [d.schemaId, d.type]))).toEqual(TS_SCHEMA_TYPES);
    for (const d of described) expect(d.file).toBe(schemaFileName(d.schemaId));
    expect(new Set(described.map((d) => d.schemaId)).size).toBe(described.length);
  });

  it('every envelope field of the TS Envelope is in the envelope schema, all required', () => {
    const s = shape({ $ref: 'common.schema.json#/definitions/envelope' });
    expect(presenceOf(s)).toEqual(envelope);
  });

  it.each(EVENT_SCHEMA_DOCUMENTS.map((doc) => [describeEventSchema(doc).schemaId, doc] as const))(
    '%s data: the schema has exactly the fields of the TS type',
    (_id, doc) => {
      expect(presenceOf(shape(dataOf(doc)))).toEqual(DATA_FIELDS[describeEventSchema(doc).type]);
    },
  );

  it('every field table is of an envelope type some schema document pins', () => {
    for (const type of Object.keys(DATA_FIELDS))
      expect({ type, docs: docsOfType(type).length > 0 }).toEqual({ type, docs: true });
  });

  it.each(
    NESTED_FIELDS.flatMap(([type, pointer, fields]) =>
      docsOfType(type).map(
        (doc) => [`${describeEventSchema(doc).schemaId} ${pointer.join('.')}`, doc, pointer, fields] as const,
      ),
    ),
  )('%s: the schema has exactly the fields of the TS type', (_name, doc, pointer, fields) => {
    expect(presenceOf(shape(at(dataOf(doc), pointer)))).toEqual(fields);
  });

  it('enums list exactly the values of the TS unions', () => {
    const field = (dataSchema: JsonSchema, pointer: string[]) => {
      const parent = pointer.length > 1 ? at(dataSchema, pointer.slice(0, -1)) : dataSchema;
      return shape(parent).properties[pointer[pointer.length - 1]];
    };
    const data = (type: string, ...pointer: string[]) => field(dataSchemaOf(type), pointer);
    const dataIn = (schemaId: string, ...pointer: string[]) => field(dataSchemaIn(schemaId), pointer);
    const sorted = (xs: readonly string[]) => [...xs].sort();
    expect(enumOf(data('OcppCallReceived', 'action'))).toEqual(sorted(OCPP_INBOUND_ACTIONS));
    expect(enumOf(data('Ocpp201CallReceived', 'action'))).toEqual(sorted(OCPP201_INBOUND_ACTIONS));
    expect(enumOf(dataIn(OCPP_COMMAND_SCHEMA, 'action'))).toEqual(sorted(OCPP_OUTBOUND_ACTIONS));
    expect(enumOf(dataIn(OCPP_COMMAND_RESULT_SCHEMA, 'action'))).toEqual(sorted(OCPP_OUTBOUND_ACTIONS));
    expect(enumOf(dataIn(OCPP201_COMMAND_SCHEMA, 'action'))).toEqual(sorted(OCPP201_OUTBOUND_ACTIONS));
    expect(enumOf(dataIn(OCPP201_COMMAND_RESULT_SCHEMA, 'action'))).toEqual(sorted(OCPP201_OUTBOUND_ACTIONS));
    expect(enumOf(dataIn(OCPP_COMMAND_RESULT_SCHEMA, 'outcome'))).toEqual(sorted(OUTCOMES));
    expect(enumOf(dataIn(OCPP201_COMMAND_RESULT_SCHEMA, 'outcome'))).toEqual(sorted(OUTCOMES));
    expect(enumOf(data('ChargerConnected', 'protocol'))).toEqual(sorted(PROTOCOLS));
    expect(enumOf(data('SessionStarted', 'authType'))).toEqual(sorted(AUTH_TYPES));
    expect(enumOf(data('SessionMeterUpdated', 'chargingState'))).toEqual(sorted(CHARGING_STATES));
    expect(enumOf(data('SessionCompleted', 'flags').items as JsonSchema)).toEqual(sorted(SESSION_FLAGS));
    expect(enumOf(data('SessionFailed', 'reason'))).toEqual(sorted(FAIL_REASONS));
    expect(enumOf(data('ChargeCalculated', 'kind'))).toEqual(sorted(CHARGE_KINDS));
    expect(enumOf(at(dataSchemaOf('TariffVersionPublished'), ['assignments', '[]', 'scope']))).toEqual(
      sorted(SCOPES),
    );
    expect(enumOf(data('IdTagRegistered', 'status'))).toEqual(sorted(ID_TAG_STATUSES));
    expect(enumOf(data('ChargerStatusChanged', 'protocol'))).toEqual(sorted(PROTOCOLS));
  });

  it('covers every schema with a sample', () => {
    expect(new Set(samples.map((s) => s.schema))).toEqual(new Set(CONTRACT_SCHEMAS.keys()));
  });

  it.each(samples.map((s) => [`${s.type} (${s.schema})`, s] as const))(
    'a sample %s validates',
    (_name, sample) => {
      // Through JSON, as a consumer reads it from Kafka.
      expect(validate(JSON.parse(JSON.stringify(sample)))).toEqual([]);
    },
  );

  describe('rejects what breaks the contract', () => {
    /** A parsed envelope, as loose as JSON from Kafka. */
    type Json = Record<string, unknown> & { data: Record<string, unknown> };
    const priced = () =>
      JSON.parse(JSON.stringify(sessionSamples.find((s) => s.type === 'SessionPriced'))) as Json;

    it.each([
      ['a JSON number', 16.42],
      ['exponent notation', '1.642e1'],
      ['a comma', '16,42'],
      ['a leading dot', '.42'],
      ['an empty string', ''],
    ])('money as %s', (_what, gross) => {
      const env = priced();
      (env.data.finalAmount as Record<string, unknown>).gross = gross;
      expect(validate(env).join('; ')).toMatch(/\/data\/finalAmount\/gross must/);
    });

    it('a VAT rate above 1, a lowercase currency, fractional Wh', () => {
      const env = JSON.parse(
        JSON.stringify(sessionSamples.find((s) => s.type === 'SessionCompleted')),
      ) as Json;
      (env.data.tariff as Record<string, unknown>).vat = '19';
      (env.data.tariff as Record<string, unknown>).currency = 'eur';
      env.data.meterStopWh = 16000.5;
      const problems = validate(env).join('; ');
      expect(problems).toMatch(/\/data\/tariff\/vat must match pattern/);
      expect(problems).toMatch(/\/data\/tariff\/currency must match pattern/);
      expect(problems).toMatch(/\/data\/meterStopWh must be integer/);
    });

    it('a missing required field, a wrong type or schema, a bad specversion or id', () => {
      const env = priced();
      delete env.data.chargeId;
      expect(validate(env).join('; ')).toMatch(/must have required property 'chargeId'/);
      expect(validate({ ...priced(), type: 'SessionStarted' }).join('; ')).toMatch(
        /\/type must be equal to constant/,
      );
      expect(validate({ ...priced(), specversion: '0.3' }).join('; ')).toMatch(
        /\/specversion must be equal to constant/,
      );
      expect(validate({ ...priced(), id: 'not-a-uuid' }).join('; ')).toMatch(/\/id must match format "uuid"/);
      expect(validate({ ...priced(), schema: 'charging.session-priced/v9' })).toEqual([
        'unknown envelope schema "charging.session-priced/v9"',
      ]);
      expect(validate(null)).toEqual(['unknown envelope schema undefined']);
    });

    it('a command result without what its outcome promises, a reversal without the charge it reverses', () => {
      const result = JSON.parse(JSON.stringify(commandSamples[1])) as Json;
      delete result.data.payload;
      expect(validate(result).join('; ')).toMatch(/must have required property 'payload'/);
      const reversal = JSON.parse(JSON.stringify(billingSamples[1])) as Json;
      delete reversal.data.reversesChargeId;
      expect(validate(reversal).join('; ')).toMatch(/must have required property 'reversesChargeId'/);
    });

    it('an actor without an id or of an unknown kind', () => {
      const reversal = JSON.parse(JSON.stringify(billingSamples[1])) as Json;
      reversal.data.actor = { kind: 'api_key' };
      expect(validate(reversal).join('; ')).toMatch(/\/data\/actor must have required property 'id'/);
      reversal.data.actor = { kind: 'root', id: 'x' };
      expect(validate(reversal).join('; ')).toMatch(
        /\/data\/actor\/kind must be equal to one of the allowed values/,
      );
    });

    it('a password in clear instead of its hash, a connector without its session, an unknown protocol', () => {
      const registration = JSON.parse(JSON.stringify(chargerSamples[0])) as Json;
      registration.data.passwordHash = 'hunter2hunter2hunter2';
      expect(validate(registration).join('; ')).toMatch(/\/data\/passwordHash must match pattern/);
      const status = JSON.parse(JSON.stringify(chargerSamples[5])) as Json;
      delete (status.data.connectors as Array<Record<string, unknown>>)[0].sessionId;
      status.data.protocol = 'ocpp1.5';
      const problems = validate(status).join('; ');
      expect(problems).toMatch(/\/data\/connectors\/0 must have required property 'sessionId'/);
      expect(problems).toMatch(/\/data\/protocol must be equal to one of the allowed values/);
    });

    it('a time without offset, a negative meter reading', () => {
      const env = JSON.parse(
        JSON.stringify(sessionSamples.find((s) => s.type === 'SessionMeterUpdated')),
      ) as Json;
      env.data.measuredAt = '2026-11-23 18:00';
      env.data.meterWh = -1;
      const problems = validate(env).join('; ');
      expect(problems).toMatch(/\/data\/measuredAt must match format "date-time"/);
      expect(problems).toMatch(/\/data\/meterWh must be >= 0/);
    });
  });
});

// ---------------------------------------------------------------------------------------------
describe('AsyncAPI document (libs/contracts/asyncapi.yaml)', () => {
  type Doc = {
    asyncapi: string;
    channels: Record<
      string,
      Record<string, unknown> & {
        subscribe: { message: Record<string, unknown> };
        bindings: { kafka: Record<string, unknown> };
      }
    >;
    components: {
      messages: Record<
        string,
        {
          name: string;
          messageId?: string;
          payload: { $ref?: string };
          bindings?: { kafka: { key: { description: string } } };
        }
      >;
    };
  };
  const doc = parseYaml(fs.readFileSync(ASYNCAPI_FILE, 'utf8')) as Doc;

  /**
   * The schemas (so the envelope types) each topic carries. A 1.6 and a 2.0.1 command share the
   * envelope type and differ in schema, so topics are compared by schema id.
   */
  const TOPIC_MESSAGES: Record<TopicKey, string[]> = {
    ocppEvents: Object.values(OCPP_EVENT_SCHEMAS),
    ocppCommands: [OCPP_COMMAND_SCHEMA],
    ocppCommandResults: [OCPP_COMMAND_RESULT_SCHEMA],
    chargingSessions: Object.values(SESSION_EVENT_SCHEMAS),
    sessionCharges: [CHARGE_CALCULATED_SCHEMA],
    tariffs: [TARIFF_PUBLISHED_SCHEMA],
    chargerRegistry: Object.values(CHARGER_REGISTRY_SCHEMAS),
    chargerStatus: [CHARGER_STATUS_SCHEMA],
    ocppV201Events: Object.values(OCPP201_EVENT_SCHEMAS),
    ocppV201Commands: [OCPP201_COMMAND_SCHEMA],
    ocppV201CommandResults: [OCPP201_COMMAND_RESULT_SCHEMA],
  };
  const messageNames = (channel: string): string[] => {
    const m = doc.channels[channel].subscribe.message;
    const refs = (m.oneOf as Array<{ $ref: string }> | undefined) ?? [m as { $ref: string }];
    return refs.map((r) => {
      const match = /^#\/components\/messages\/(\w+)$/.exec(r.$ref);
      expect(match).not.toBeNull();
      expect(doc.components.messages[match![1]]).toBeDefined();
      return match![1];
    });
  };
  /** The schema document a message's payload names. */
  const payloadSchemaOf = (message: { payload: { $ref?: string } }): JsonSchema =>
    JSON.parse(
      fs.readFileSync(path.resolve(path.dirname(ASYNCAPI_FILE), message.payload.$ref!), 'utf8'),
    ) as JsonSchema;

  it('is AsyncAPI 2.6 with a channel for exactly every topic of allTopicSpecs', () => {
    expect(doc.asyncapi).toBe('2.6.0');
    expect(Object.keys(doc.channels).sort()).toEqual(
      allTopicSpecs('')
        .map((t) => t.name)
        .sort(),
    );
  });

  it('documents each topic with its key, producer, partitions and settings', () => {
    for (const spec of allTopicSpecs('')) {
      const channel = doc.channels[spec.name];
      expect({
        topic: spec.name,
        key: channel['x-key'],
        partitions: channel.bindings.kafka.partitions,
        config: channel['x-config'],
      }).toEqual({
        topic: spec.name,
        key: spec.key,
        partitions: spec.partitions,
        config: spec.config,
      });
      expect(channel.bindings.kafka.topic).toBe(spec.name);
      expect(typeof channel['x-producer']).toBe('string');
      expect(typeof channel.description).toBe('string');
    }
  });

  it('each topic carries exactly the message types of the contracts, with the record key documented', () => {
    for (const key of Object.keys(TOPICS) as TopicKey[]) {
      const topic = TOPICS[key];
      const names = messageNames(topic.name);
      const schemas = names.map(
        (name) => describeEventSchema(payloadSchemaOf(doc.components.messages[name])).schemaId,
      );
      expect({ topic: topic.name, schemas: schemas.sort() }).toEqual({
        topic: topic.name,
        schemas: [...TOPIC_MESSAGES[key]].sort(),
      });
      for (const name of names)
        expect(doc.components.messages[name].bindings!.kafka.key.description).toBe(topic.key);
      expect(messageNames(`${topic.name}.dlq`)).toEqual(['DeadLetter']);
    }
  });

  it('the topic validators accept the schemas of exactly the message types each topic carries', () => {
    for (const key of Object.keys(TOPICS) as TopicKey[]) {
      expect({ key, schemas: [...TOPIC_SCHEMAS[key]].sort() }).toEqual({
        key,
        schemas: [...TOPIC_MESSAGES[key]].sort(),
      });
    }
  });

  it('every message payload $ref names an existing schema for that message type, and every schema is referenced', () => {
    const referenced = new Set<string>();
    for (const [id, message] of Object.entries(doc.components.messages)) {
      if (id === 'DeadLetter') {
        expect(message.name).toBe(id);
        continue;
      }
      expect(message.messageId).toBe(id);
      const ref = message.payload.$ref!;
      expect(ref).toMatch(/^\.\/schemas\/[\w.-]+\.schema\.json$/);
      const file = path.resolve(path.dirname(ASYNCAPI_FILE), ref);
      expect(fs.existsSync(file)).toBe(true);
      const schema = JSON.parse(fs.readFileSync(file, 'utf8')) as JsonSchema;
      // name is the envelope type; the id is unique (the 2.0.1 commands' ids say so: Ocpp201...).
      expect({ id, name: message.name }).toEqual({ id, name: describeEventSchema(schema).type });
      referenced.add(path.basename(file));
    }
    expect([...referenced].sort()).toEqual(EVENT_SCHEMA_DOCUMENTS.map((d) => String(d.$id)).sort());
  });
});

// ---------------------------------------------------------------------------------------------
describe("createTopicValidator (the consumers' edge check)", () => {
  const checks = Object.fromEntries(
    (Object.keys(TOPICS) as TopicKey[]).map((key) => [key, createTopicValidator(key)]),
  ) as Record<TopicKey, (envelope: unknown) => string | null>;
  const topicsOf = (schema: string) =>
    (Object.keys(TOPIC_SCHEMAS) as TopicKey[]).filter((key) => TOPIC_SCHEMAS[key].includes(schema));
  /**
   * Where a sample belongs: every topic carrying its schema (ChargerDisconnected: both OCPP event
   * topics), except that a ChargerConnected belongs only on its protocol's (absent = ocpp1.6).
   */
  const homeTopics = (sample: Envelope): TopicKey[] =>
    sample.type === 'ChargerConnected'
      ? [(sample.data as ChargerConnected).protocol === 'ocpp2.0.1' ? 'ocppV201Events' : 'ocppEvents']
      : topicsOf(sample.schema);

  it('accepts every sample on its own topic and refuses it, naming why, on every other', () => {
    for (const sample of samples) {
      const homes = homeTopics(sample);
      expect({ schema: sample.schema, homes: homes.length > 0 }).toEqual({
        schema: sample.schema,
        homes: true,
      });
      for (const key of Object.keys(TOPICS) as TopicKey[]) {
        const reason = checks[key](sample);
        if (homes.includes(key))
          expect({ schema: sample.schema, reason }).toEqual({ schema: sample.schema, reason: null });
        else if (topicsOf(sample.schema).includes(key)) expect(reason).toMatch(/ protocol .* belongs on /);
        else expect(reason).toContain(`is not one of ${TOPICS[key].name}'s`);
      }
    }
  });

  it("a ChargerConnected is accepted only on its protocol's topic (consumers of ocpp.v16.events never see a 2.0.1 connection)", () => {
    const connected = ocppSamples[1] as Envelope<ChargerConnected>;
    const as = (protocol: ChargerConnected['protocol']) => ({
      ...connected,
      data: { ...connected.data, protocol },
    });
    expect(checks.ocppEvents(as(undefined))).toBeNull();
    expect(checks.ocppEvents(as('ocpp1.6'))).toBeNull();
    expect(checks.ocppEvents(as('ocpp2.0.1'))).toBe(
      'ocpp.charger-connected/v1: a connection of protocol ocpp2.0.1 belongs on ocpp.v201.events',
    );
    expect(checks.ocppV201Events(as('ocpp2.0.1'))).toBeNull();
    expect(checks.ocppV201Events(as('ocpp1.6'))).toBe(
      'ocpp.charger-connected/v1: a connection of protocol ocpp1.6 belongs on ocpp.v16.events',
    );
    expect(checks.ocppV201Events(as(undefined))).toBe(
      'ocpp.charger-connected/v1: a connection of protocol ocpp1.6 (absent) belongs on ocpp.v16.events',
    );
    expect(checks.ocppV201Events({ ...connected, data: { ...connected.data, protocol: 'ocpp1.5' } })).toBe(
      'ocpp.charger-connected/v1: /data/protocol must be equal to one of the allowed values',
    );
  });

  const call = ocppSamples[0] as Envelope<OcppCallReceived>;
  const withData = (data: Record<string, unknown>) => ({ ...call, data: { ...call.data, ...data } });

  it('refuses what is not an envelope of a known schema', () => {
    for (const bad of [null, 42, 'x', {}, { ...call, schema: 'ocpp.call-received/v9' }]) {
      expect(checks.ocppEvents(bad)).toMatch(/^envelope schema .* is not one of ocpp\.v16\.events's/);
    }
  });

  it('names the contract schema and the first problems, at most three and a count', () => {
    expect(checks.ocppEvents(withData({ fleetId: '' }))).toBe(
      'ocpp.call-received/v1: /data/fleetId must NOT have fewer than 1 characters',
    );
    const reason = checks.ocppEvents(
      withData({ fleetId: 1, messageId: 2, rawFrame: 3, receivedAt: 4, gatewayId: 5 }),
    )!;
    expect(reason).toMatch(/^ocpp\.call-received\/v1: \/data\/fleetId must be string; .*; .*; and \d+ more$/);
  });

  it('checks an OcppCallReceived payload and reply against the OCPP 1.6 schemas of its action', () => {
    expect(checks.ocppEvents(withData({ payload: { ...call.data.payload, meterStop: '16000' } }))).toBe(
      'ocpp.call-received/v1: urn:StopTransaction.req: /meterStop must be integer',
    );
    expect(checks.ocppEvents(withData({ action: 'StartTransaction' }))).toBe(
      'ocpp.call-received/v1: urn:StartTransaction.req: (payload) is missing required field "connectorId"',
    );
    expect(checks.ocppEvents(withData({ reply: { idTagInfo: { status: 'Maybe' } } }))).toBe(
      'ocpp.call-received/v1: urn:StopTransaction.conf: /idTagInfo/status must be one of Accepted, Blocked, Expired, Invalid, ConcurrentTx',
    );
    // The same envelope without the OCPP check (another topic's validator would not look at it).
    expect(validate(withData({ payload: { ...call.data.payload, meterStop: '16000' } }))).toEqual([]);
  });

  const call201 = ocpp201Samples[0] as Envelope<Ocpp201CallReceived>;
  const withData201 = (data: Record<string, unknown>) => ({ ...call201, data: { ...call201.data, ...data } });
  const payload201 = transactionEvent201.payload;

  it('checks an Ocpp201CallReceived payload and reply against the OCPP 2.0.1 schemas of its action', () => {
    expect(checks.ocppV201Events(call201)).toBeNull();
    expect(checks.ocppV201Events(withData201({ payload: { ...payload201, seqNo: '0' } }))).toBe(
      'ocpp201.call-received/v1: urn:TransactionEvent.req: /seqNo must be integer',
    );
    expect(
      checks.ocppV201Events(
        withData201({ payload: { ...payload201, transactionInfo: { transactionId: 'x'.repeat(37) } } }),
      ),
    ).toMatch(
      /^ocpp201\.call-received\/v1: urn:TransactionEvent\.req: \/transactionInfo\/transactionId must NOT have more than 36 characters$/,
    );
    // 2.0.1 schemas forbid unknown fields: a 1.6 payload under a 2.0.1 action does not pass.
    expect(checks.ocppV201Events(withData201({ action: 'StatusNotification' }))).toMatch(
      /^ocpp201\.call-received\/v1: urn:StatusNotification\.req: /,
    );
    expect(checks.ocppV201Events(withData201({ reply: { idTokenInfo: { status: 'Maybe' } } }))).toMatch(
      /^ocpp201\.call-received\/v1: urn:TransactionEvent\.conf: \/idTokenInfo\/status must be one of Accepted, /,
    );
    // Only the contract schema (the envelope validator does not look into OCPP payloads).
    expect(validate(withData201({ payload: { ...payload201, seqNo: '0' } }))).toEqual([]);
  });

  it('takes an action name only from its own protocol', () => {
    expect(checks.ocppV201Events(withData201({ action: 'StartTransaction' }))).toBe(
      'ocpp201.call-received/v1: /data/action must be equal to one of the allowed values',
    );
    expect(checks.ocppEvents(withData({ action: 'TransactionEvent' }))).toBe(
      'ocpp.call-received/v1: /data/action must be equal to one of the allowed values',
    );
    // A 2.0.1 record on the 1.6 topic is misrouted whatever its content.
    expect(checks.ocppEvents(call201)).toContain("is not one of ocpp.v16.events's");
  });
});
