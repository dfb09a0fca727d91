import type {
  AnyOcppCommandResult,
  ChargerConnected,
  ChargerDisconnected,
  ChargerProtocol,
  ChargerRegistryApplied,
  Ocpp201CallReceived,
  OcppCallReceived,
} from '@app/contracts';
import type { IdTagRecord } from '../domain/id-tag-info';

export interface RegisteredCharger {
  id: string;
  fleetId: string;
  /** Null for chargers auto-registered by the dev stack (no password). */
  passwordHash: string | null;
  /** connectorId → EVSE id. */
  evseIds: Record<string, string>;
  /** false once deactivated in the registry: handshakes are refused. */
  active: boolean;
  /** The registry version the row was written from (0: written by the gateway itself). */
  registryVersion: number;
}

export interface ChargerRepository {
  find(id: string): Promise<RegisteredCharger | null>;
  /** Registers `id` to `fleetId` without a password unless it exists; returns the stored charger. */
  registerIfAbsent(id: string, fleetId: string): Promise<RegisteredCharger>;
  /**
   * The fleet's record of `idTag`; else, if the CSMS granted this charger the tag with a
   * RemoteStartTransaction that has not expired, an Accepted record; else null.
   */
  findIdTag(fleetId: string, idTag: string, chargePointId: string): Promise<IdTagRecord | null>;
  /** Lets `chargePointId` use `idTag` (sent to it in a RemoteStartTransaction) until `expiresAt`. */
  grantRemoteStartIdTag(chargePointId: string, idTag: string, expiresAt: Date): Promise<void>;
}

/** What makes two StartTransaction.req the same one (a retry after a lost confirmation). */
export interface StartTransactionKey {
  chargePointId: string;
  connectorId: number;
  idTag: string;
  /** The timestamp exactly as the charger sent it. */
  timestamp: string;
  meterStart: number;
}

export interface TransactionRepository {
  /** Reserves a block of transactionIds; returns its first id. */
  reserveBlock(): Promise<number>;
  /**
   * Records the start with `candidateId` unless the same start was recorded before; returns the
   * transactionId the start has (the earlier one for a retry).
   */
  recordStart(key: StartTransactionKey, candidateId: number): Promise<number>;
}

/**
 * Publishes to Kafka; each promise resolves once the broker acknowledged the record. A 1.6
 * connection's records go to the 1.6 topics, a 2.0.1 connection's to the 2.0.1 ones: a consumer of
 * `ocpp.v16.events` never sees a 2.0.1 record.
 */
export interface OcppEventSink {
  callReceived(event: OcppCallReceived): Promise<void>;
  ocpp201CallReceived(event: Ocpp201CallReceived): Promise<void>;
  /** To the events topic of `event.protocol` (absent: 1.6). */
  chargerConnected(event: ChargerConnected): Promise<void>;
  chargerDisconnected(event: ChargerDisconnected, protocol: ChargerProtocol): Promise<void>;
  /** To the results topic of the protocol whose commands topic the command came from. */
  commandResult(result: AnyOcppCommandResult, protocol: ChargerProtocol): Promise<void>;
  /** Protocol-neutral: always on `ocpp.v16.events`. */
  chargerRegistryApplied(event: ChargerRegistryApplied): Promise<void>;
}

export interface ConnectionDirectory {
  /** This replica now holds the charger. */
  claim(chargePointId: string, gatewayId: string, connectedAt: Date): Promise<void>;
  /** This replica let go of the charger (only if the row is still ours, from that connection). */
  release(chargePointId: string, gatewayId: string, connectedAt: Date): Promise<void>;
  /** The replica holding the charger, if a live one does. */
  holderOf(chargePointId: string): Promise<string | null>;
  /** Live replicas (seen recently), sorted by id. */
  liveReplicas(): Promise<string[]>;
  heartbeat(gatewayId: string): Promise<void>;
  /** Removes this replica and its rows (start after a crash, clean shutdown). */
  forgetReplica(gatewayId: string): Promise<void>;
}
