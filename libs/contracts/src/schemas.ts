/**
 * The JSON Schemas (draft-07) of every event and command of the contracts, as published for
 * downstream consumers (libs/contracts/schemas/*.schema.json, referenced by libs/contracts/asyncapi.yaml).
 * Imported statically so they travel with the build (dist/) and need no file lookup at runtime.
 *   import { createEnvelopeValidator, createTopicValidator } from '@app/contracts/schemas';
 *   const validate = createEnvelopeValidator();
 *   const errors = validate(envelope); // [] when valid
 *   const check = createTopicValidator('ocppEvents'); // at a consumer's edge
 *   const reason = check(envelope); // null when valid, else why not (one line)
 * Not re-exported from index.ts: loading ajv is only for those who validate.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Ocpp16Validator } from '@app/ocpp/validator';
import { Ocpp201Validator } from '@app/ocpp/validator201';
import common from '../schemas/common.schema.json';
import ocppCallReceived from '../schemas/ocpp.call-received.v1.schema.json';
import chargerConnected from '../schemas/ocpp.charger-connected.v1.schema.json';
import chargerDisconnected from '../schemas/ocpp.charger-disconnected.v1.schema.json';
import ocppCommand from '../schemas/ocpp.command.v1.schema.json';
import ocppCommandResult from '../schemas/ocpp.command-result.v1.schema.json';
import sessionRequested from '../schemas/charging.session-requested.v1.schema.json';
import sessionStarted from '../schemas/charging.session-started.v1.schema.json';
import sessionMeterUpdated from '../schemas/charging.session-meter-updated.v1.schema.json';
import sessionStopRequested from '../schemas/charging.session-stop-requested.v1.schema.json';
import sessionCompleted from '../schemas/charging.session-completed.v1.schema.json';
import sessionFailed from '../schemas/charging.session-failed.v1.schema.json';
import sessionInvalidated from '../schemas/charging.session-invalidated.v1.schema.json';
import sessionPriced from '../schemas/charging.session-priced.v1.schema.json';
import chargeCalculated from '../schemas/billing.charge-calculated.v1.schema.json';
import tariffPublished from '../schemas/billing.tariff.v1.schema.json';
import chargerRegistration from '../schemas/chargers.registration.v1.schema.json';
import idTagRegistration from '../schemas/chargers.id-tag.v1.schema.json';
import chargerRegistryApplied from '../schemas/ocpp.charger-registry-applied.v1.schema.json';
import chargerStatus from '../schemas/chargers.status.v1.schema.json';
import ocpp201CallReceived from '../schemas/ocpp201.call-received.v1.schema.json';
import ocpp201Command from '../schemas/ocpp201.command.v1.schema.json';
import ocpp201CommandResult from '../schemas/ocpp201.command-result.v1.schema.json';

import { CHARGE_CALCULATED_SCHEMA, TARIFF_PUBLISHED_SCHEMA } from './billing';
import { OCPP_COMMAND_RESULT_SCHEMA, OCPP_COMMAND_SCHEMA } from './ocpp-commands';
import { OCPP_EVENT_SCHEMAS, type ChargerConnected, type OcppCallReceived } from './ocpp-events';
import { CHARGER_REGISTRY_SCHEMAS, CHARGER_STATUS_SCHEMA, type ChargerProtocol } from './chargers';
import { SESSION_EVENT_SCHEMAS } from './sessions';
import {
  OCPP201_COMMAND_RESULT_SCHEMA,
  OCPP201_COMMAND_SCHEMA,
  OCPP201_EVENT_SCHEMAS,
  type Ocpp201CallReceived,
} from './ocpp201';
import { TOPICS, type TopicKey } from './topics';

export type JsonSchema = Record<string, unknown>;

/** The shared definitions (envelope, money, tariff snapshot, session reference...). */
export const COMMON_SCHEMA: JsonSchema = common;

/** One schema per event/command type, in file form (`$id` is the file name). */
export const EVENT_SCHEMA_DOCUMENTS: readonly JsonSchema[] = [
  ocppCallReceived,
  chargerConnected,
  chargerDisconnected,
  chargerRegistryApplied,
  ocppCommand,
  ocppCommandResult,
  sessionRequested,
  sessionStarted,
  sessionMeterUpdated,
  sessionStopRequested,
  sessionCompleted,
  sessionFailed,
  sessionInvalidated,
  sessionPriced,
  chargeCalculated,
  tariffPublished,
  chargerRegistration,
  idTagRegistration,
  chargerStatus,
  ocpp201CallReceived,
  ocpp201Command,
  ocpp201CommandResult,
];

/** `ocpp.call-received/v1` → `ocpp.call-received.v1.schema.json`. */
export function schemaFileName(schemaId: string): string {
  return `${schemaId.replace(/\//g, '.')}.schema.json`;
}

interface EventSchemaShape {
  allOf: [unknown, { properties: { type: { const: string }; schema: { const: string } } }];
}

/** The envelope `type` and `schema` an event schema document pins. */
export function describeEventSchema(doc: JsonSchema): { type: string; schemaId: string; file: string } {
  const props = (doc as unknown as EventSchemaShape).allOf?.[1]?.properties;
  const type = props?.type?.const;
  const schemaId = props?.schema?.const;
  if (typeof type !== 'string' || typeof schemaId !== 'string') {
    throw new Error(`schema ${String(doc.$id)} does not pin the envelope type and schema`);
  }
  return { type, schemaId, file: String(doc.$id) };
}

/** Envelope `schema` id (`ocpp.call-received/v1`) → its JSON Schema document. */
export const CONTRACT_SCHEMAS: ReadonlyMap<string, JsonSchema> = new Map(
  EVENT_SCHEMA_DOCUMENTS.map((doc) => [describeEventSchema(doc).schemaId, doc]),
);

/** An ajv instance (draft-07, formats) holding the common and every event schema. */
export function createContractAjv(): Ajv {
  // ajv's default strict mode: unknown keywords and formats are errors.
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv);
  ajv.addSchema(COMMON_SCHEMA);
  for (const doc of EVENT_SCHEMA_DOCUMENTS) ajv.addSchema(doc);
  return ajv;
}

/**
 * Validates a parsed envelope against the schema its `schema` field names. Returns the problems
 * ("/data/finalAmount/net must match pattern ..."), empty when valid. An unknown schema id is a problem.
 */
export function createEnvelopeValidator(): (envelope: unknown) => string[] {
  const validators = new Map([...CONTRACT_SCHEMAS.keys()].map((id) => [id, compiledOnFirstUse(id)]));
  return (envelope) => {
    const schemaId = (envelope as { schema?: unknown } | null)?.schema;
    const validate = typeof schemaId === 'string' ? validators.get(schemaId)?.() : undefined;
    if (!validate) return [`unknown envelope schema ${JSON.stringify(schemaId)}`];
    if (validate(envelope)) return [];
    return (validate.errors ?? []).map(describeError);
  };
}

/** One ajv instance for every edge validator of the process, so each schema is compiled once. */
let sharedAjv: Ajv | null = null;

/**
 * The schema's validator, compiled when the first envelope of it arrives: compiling every contract
 * schema takes 1-2 s on a busy two-core machine, and an app must listen within seconds of its start
 * (the consumers, and so the first envelope, come after). A broken schema is caught by the contract
 * unit tests, which compile all of them.
 */
function compiledOnFirstUse(id: string): () => ValidateFunction {
  let compiled: ValidateFunction | null = null;
  return () =>
    (compiled ??= (sharedAjv ??= createContractAjv()).getSchema(String(CONTRACT_SCHEMAS.get(id)!.$id))!);
}

function describeError(e: ErrorObject): string {
  return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`;
}

/** The envelope schemas each topic carries (ARCHITECTURE.md): anything else on it is misrouted. */
export const TOPIC_SCHEMAS: Readonly<Record<TopicKey, readonly string[]>> = {
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

/**
 * The OCPP event topic of each protocol: every record of a connection goes to its protocol's
 * topic, so a ChargerConnected (the one record that names its protocol) on the other is misrouted.
 */
const OCPP_EVENTS_TOPIC_OF: Record<ChargerProtocol, TopicKey> = {
  'ocpp1.6': 'ocppEvents',
  'ocpp2.0.1': 'ocppV201Events',
};

/** Why a ChargerConnected does not belong on `topic`, or null. */
function misroutedConnection(topic: TopicKey, data: ChargerConnected): string | null {
  const protocol = data.protocol ?? 'ocpp1.6';
  const home = OCPP_EVENTS_TOPIC_OF[protocol];
  if (home === topic) return null;
  const named = data.protocol === undefined ? `${protocol} (absent)` : protocol;
  return `a connection of protocol ${named} belongs on ${TOPICS[home].name}`;
}

/** At most this many schema problems go into a reason (a Kafka header, a log line). */
const MAX_REASONS = 3;

/**
 * The edge check of one topic's consumer: `null` when the envelope is one of the topic's schemas and
 * valid against it, else one line saying why not (for the dead-letter reason header or an anomaly).
 * Every schema is compiled once, here. On `ocpp.v16.events`, an OcppCallReceived's `payload` and
 * `reply` are also checked against the OCPP 1.6 `<action>.req` / `<action>.conf` schemas, so a
 * consumer can rely on the typed payloads (`OcppCallReceivedOf<A>`) instead of parsing by hand;
 * on `ocpp.v201.events`, an Ocpp201CallReceived's against the OCPP 2.0.1 ones. A ChargerConnected
 * is accepted only on the events topic of its protocol.
 */
export function createTopicValidator(topic: TopicKey): (envelope: unknown) => string | null {
  const validators = new Map(TOPIC_SCHEMAS[topic].map((id) => [id, compiledOnFirstUse(id)]));
  const ocpp = ocppPayloadCheck(topic);
  return (envelope) => {
    const schemaId = (envelope as { schema?: unknown } | null)?.schema;
    const validate = typeof schemaId === 'string' ? validators.get(schemaId)?.() : undefined;
    if (!validate) {
      return `envelope schema ${JSON.stringify(schemaId)} is not one of ${TOPICS[topic].name}'s (${TOPIC_SCHEMAS[topic].join(', ')})`;
    }
    if (!validate(envelope)) {
      const errors = validate.errors ?? [];
      const shown = errors.slice(0, MAX_REASONS).map(describeError);
      if (errors.length > MAX_REASONS) shown.push(`and ${errors.length - MAX_REASONS} more`);
      return `${schemaId}: ${shown.join('; ')}`;
    }
    if (schemaId === OCPP_EVENT_SCHEMAS.ChargerConnected) {
      const problem = misroutedConnection(topic, (envelope as { data: ChargerConnected }).data);
      if (problem) return `${schemaId}: ${problem}`;
    }
    if (ocpp && schemaId === ocpp.schemaId) {
      const { action, payload, reply } = (envelope as { data: OcppCallReceived | Ocpp201CallReceived }).data;
      const validator = ocpp.validator();
      const problem = validator.validateRequest(action, payload) ?? validator.validateResponse(action, reply);
      if (problem) return `${schemaId}: ${problem.description}`;
    }
    return null;
  };
}

/** The CALL record of an OCPP events topic and its protocol's validator (built on first use), or null. */
function ocppPayloadCheck(
  topic: TopicKey,
): { schemaId: string; validator: () => Ocpp16Validator | Ocpp201Validator } | null {
  if (topic === 'ocppEvents') {
    let validator: Ocpp16Validator | null = null;
    return {
      schemaId: OCPP_EVENT_SCHEMAS.OcppCallReceived,
      validator: () => (validator ??= new Ocpp16Validator()),
    };
  }
  if (topic === 'ocppV201Events') {
    let validator: Ocpp201Validator | null = null;
    return {
      schemaId: OCPP201_EVENT_SCHEMAS.Ocpp201CallReceived,
      validator: () => (validator ??= new Ocpp201Validator()),
    };
  }
  return null;
}
