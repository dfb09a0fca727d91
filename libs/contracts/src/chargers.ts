/**
 * The operator API's contracts (issue 12):
 * - `chargers.registry.v1` (compacted, producer session-service, read whole by every gateway
 *   replica): the charger registry and the id tags. session-service owns the registry tables;
 *   the gateway's `chargers` and `id_tags` tables are its copy, written only by its registry
 *   consumer (and by dev-only auto-registration and remote-start grants).
 * - `ChargerRegistryApplied` on `ocpp.v16.events`: the gateway replica that changed its copy
 *   says so, so the API can answer a password rotation or a deactivation only once the old
 *   password is refused everywhere.
 * - `chargers.status.v1` (compacted, producer session-service, key chargePointId): what each
 *   charger looks like now, protocol-neutral so OCPP 2.0.1 stations join it later.
 */
import type { Envelope } from './envelope';

export const CHARGERS_SOURCE = 'session-service';

/** Record key of a charger on `chargers.registry.v1`. */
export function chargerRegistryKey(chargePointId: string): string {
  return `charger/${chargePointId}`;
}

/** Record key of an id tag on `chargers.registry.v1` (id tags are per fleet). */
export function idTagRegistryKey(fleetId: string, idTag: string): string {
  return `id-tag/${fleetId}/${idTag}`;
}

/** type `ChargerRegistered`, schema `chargers.registration/v1`: a charger's whole registry entry. */
export interface ChargerRegistration {
  chargePointId: string;
  fleetId: string;
  /** `scrypt$N$r$p$salt$hash` (libs/ocpp charger-password); null: no password (refused in production). */
  passwordHash: string | null;
  /** connectorId (as text) → EVSE id, e.g. {"1": "DE*2GO*EMCD1311*1A*2"}. */
  evseIds: Record<string, string>;
  /** false once deactivated (DELETE): its connection is closed and handshakes are refused. */
  active: boolean;
  /** Increases with every change of this charger; a gateway applies only a newer version. */
  version: number;
  updatedAt: string;
  /** Who made the change (audit actor id). */
  updatedBy: string;
}

export type IdTagStatus = 'Accepted' | 'Blocked' | 'Expired';

/** type `IdTagRegistered`, schema `chargers.id-tag/v1`: one fleet's id tag (`deleted`: removed). */
export interface IdTagRegistration {
  fleetId: string;
  idTag: string;
  status: IdTagStatus;
  /** ISO-8601; past it the tag answers Expired. */
  expiryDate: string | null;
  parentIdTag: string | null;
  deleted: boolean;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export const CHARGER_REGISTRY_SCHEMAS = {
  ChargerRegistered: 'chargers.registration/v1',
  IdTagRegistered: 'chargers.id-tag/v1',
} as const;

export type ChargerRegistryEnvelope =
  Envelope<ChargerRegistration, 'ChargerRegistered'> | Envelope<IdTagRegistration, 'IdTagRegistered'>;

/**
 * type `ChargerRegistryApplied`, schema `ocpp.charger-registry-applied/v1`, on `ocpp.v16.events`
 * (key chargePointId): a gateway replica wrote this version of the charger's registry entry to the
 * gateway database, which every replica reads at each handshake, and closed the charger's
 * connection if it held it and the entry was deactivated or its password changed.
 */
export interface ChargerRegistryApplied {
  chargePointId: string;
  version: number;
  gatewayId: string;
  appliedAt: string;
  /** The connection this replica closed because of the change, if any. */
  closedConnection: boolean;
}
export const CHARGER_REGISTRY_APPLIED_SCHEMA = 'ocpp.charger-registry-applied/v1';

export type ChargerProtocol = 'ocpp1.6' | 'ocpp2.0.1';

/** One connector (OCPP 1.6) or EVSE connector (2.0.1) as last reported. */
export interface ConnectorStatus {
  connectorId: number;
  evseId: string | null;
  /** The protocol's status text (1.6: Available, Preparing, Charging, ..., Faulted). */
  status: string | null;
  errorCode: string | null;
  info: string | null;
  vendorId: string | null;
  vendorErrorCode: string | null;
  /** When the charger says the status began (its timestamp, else when we received it). */
  since: string | null;
  /** The session on this connector now, if any. */
  sessionId: string | null;
}

/** The BootNotification's data (1.6 field names; 2.0.1 maps its chargingStation fields onto them). */
export interface ChargerBootInfo {
  vendor: string;
  model: string;
  chargePointSerialNumber: string | null;
  chargeBoxSerialNumber: string | null;
  firmwareVersion: string | null;
  iccid: string | null;
  imsi: string | null;
  meterType: string | null;
  meterSerialNumber: string | null;
  bootedAt: string;
}

/**
 * type `ChargerStatusChanged`, schema `chargers.status/v1`, on `chargers.status.v1`: the whole
 * picture of one charger after a change. Published when anything but `lastMessageAt` changes
 * (a Heartbeat alone publishes nothing; the API shows `lastMessageAt` fresh).
 */
export interface ChargerStatus {
  chargePointId: string;
  fleetId: string;
  protocol: ChargerProtocol;
  /** Registered and not deactivated. */
  active: boolean;
  online: boolean;
  /** When `online` last changed (connected or disconnected at). */
  onlineSince: string | null;
  lastMessageAt: string | null;
  /** The gateway replica holding the connection; null when offline. */
  gatewayId: string | null;
  boot: ChargerBootInfo | null;
  connectors: ConnectorStatus[];
  firmware: { status: string; at: string } | null;
  diagnostics: { status: string; at: string } | null;
  updatedAt: string;
}
export const CHARGER_STATUS_SCHEMA = 'chargers.status/v1';
export type ChargerStatusEnvelope = Envelope<ChargerStatus, 'ChargerStatusChanged'>;
