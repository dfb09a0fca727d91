import { OCPP_INBOUND_ACTIONS, type OcppInboundAction } from '@app/contracts';
import { OCPP16_ACTIONS } from './ocpp16-types.generated';

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
