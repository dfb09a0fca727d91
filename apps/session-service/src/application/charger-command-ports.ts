import type { ChargerProtocol } from '@app/contracts';
import type { Tx } from './ports';

/** A charger an operator may send commands to: registered (charger_registry) or seen (chargers projection). */
export interface CommandTarget {
  chargePointId: string;
  fleetId: string;
  /** False once deactivated (DELETE /v1/chargers/:id): it gets no commands. */
  active: boolean;
  /** What it spoke when it last connected (chargers projection); null: it never connected. */
  protocol: ChargerProtocol | null;
}

/** A charger's connection as the chargers projection last saw it. */
export interface ChargerConnection {
  connected: boolean;
  protocol: ChargerProtocol;
}

/** One id tag of a fleet as the registry holds it (registry_id_tags). */
export interface FleetIdTag {
  idTag: string;
  status: 'Accepted' | 'Blocked' | 'Expired';
  expiryDate: string | null;
  parentIdTag: string | null;
  version: string;
}

/** Port: what the charger commands read (the registry's own tables and the chargers projection). */
export interface ChargerCommandTargets {
  /** The registry's record wins over the projection (its fleet is the one registered); null when neither knows it. */
  find(tx: Tx, chargePointId: string): Promise<CommandTarget | null>;
  /** The projection's connection of each of these chargers it knows. */
  connections(tx: Tx, chargePointIds: string[]): Promise<Map<string, ChargerConnection>>;
  /** Every id tag of the fleet, by id tag. */
  fleetIdTags(tx: Tx, fleetId: string): Promise<FleetIdTag[]>;
}
