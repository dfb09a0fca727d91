import type { Tx } from './ports';

/** A charger an operator may send commands to: registered (charger_registry) or seen (chargers projection). */
export interface CommandTarget {
  chargePointId: string;
  fleetId: string;
  /** False once deactivated (DELETE /v1/chargers/:id): it gets no commands. */
  active: boolean;
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
  /** Every id tag of the fleet, by id tag. */
  fleetIdTags(tx: Tx, fleetId: string): Promise<FleetIdTag[]>;
}
