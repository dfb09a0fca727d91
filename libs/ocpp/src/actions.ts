import {
  OCPP201_INBOUND_ACTIONS,
  OCPP_INBOUND_ACTIONS,
  type Ocpp201InboundAction,
  type OcppInboundAction,
} from '@app/contracts';
import { OCPP16_ACTIONS } from './ocpp16-types.generated';
import { OCPP201_ACTIONS } from './ocpp201-types.generated';

/**
 * Every action name OCPP 1.6 (with the Security whitepaper extension) defines: one per schema pair.
 * A CALL naming one of these that we do not accept from a charger (e.g. RemoteStartTransaction sent
 * by the charger, or SecurityEventNotification) is answered NotSupported; any other name is
 * NotImplemented.
 */
export const KNOWN_OCPP16_ACTIONS: ReadonlySet<string> = new Set(OCPP16_ACTIONS);

/** Charger → Central System actions we accept (Core profile plus the status notifications). */
export function isSupportedInboundAction(action: string): action is OcppInboundAction {
  return (OCPP_INBOUND_ACTIONS as readonly string[]).includes(action);
}

/**
 * Every action name OCPP 2.0.1 defines. As for 1.6: a defined action we do not accept from a
 * station is NotSupported, any other name NotImplemented.
 */
export const KNOWN_OCPP201_ACTIONS: ReadonlySet<string> = new Set(OCPP201_ACTIONS);

/** Station → CSMS 2.0.1 actions we accept (OCPP201_INBOUND_ACTIONS). */
export function isSupported201InboundAction(action: string): action is Ocpp201InboundAction {
  return (OCPP201_INBOUND_ACTIONS as readonly string[]).includes(action);
}
