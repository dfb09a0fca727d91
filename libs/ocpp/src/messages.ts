/**
 * Typed OCPP payloads: the generated request/confirmation types (one per official schema) and the
 * shapes the services read from them. 1.6's names are exported flat (as always); 2.0.1's only as
 * the `Ocpp201` namespace (index.ts) and the aliases below, their names collide with 1.6's.
 */
import type { Ocpp201InboundAction, OcppInboundAction } from '@app/contracts';
import type {
  MeterValuesRequest,
  Ocpp16Action,
  Ocpp16Confirmations,
  Ocpp16Requests,
} from './ocpp16-types.generated';
import type * as Ocpp201Types from './ocpp201-types.generated';
import type { Ocpp201Action, Ocpp201Confirmations, Ocpp201Requests } from './ocpp201-types.generated';

export * from './ocpp16-types.generated';

/** The `<A>.req` payload. */
export type Ocpp16Request<A extends Ocpp16Action> = Ocpp16Requests[A];
/** The `<A>.conf` payload. */
export type Ocpp16Confirmation<A extends Ocpp16Action> = Ocpp16Confirmations[A];

/** A schema-valid CALL from a charger, discriminated by action: `switch (call.action)` narrows the payload. */
export type InboundCall = {
  [A in OcppInboundAction]: { action: A; payload: Ocpp16Requests[A] };
}[OcppInboundAction];

export type MeterValue = MeterValuesRequest['meterValue'][number];
export type SampledValue = MeterValue['sampledValue'][number];
export type IdTagInfo = Ocpp16Confirmations['Authorize']['idTagInfo'];

/** The 2.0.1 `<A>Request` payload (`urn:<A>.req`). */
export type Ocpp201Request<A extends Ocpp201Action> = Ocpp201Requests[A];
/** The 2.0.1 `<A>Response` payload (`urn:<A>.conf`). */
export type Ocpp201Confirmation<A extends Ocpp201Action> = Ocpp201Confirmations[A];

/** A schema-valid 2.0.1 CALL from a station, discriminated by action (as `InboundCall` for 1.6). */
export type Inbound201Call = {
  [A in Ocpp201InboundAction]: { action: A; payload: Ocpp201Requests[A] };
}[Ocpp201InboundAction];

export type Ocpp201MeterValue = Ocpp201Types.MeterValueType;
export type Ocpp201SampledValue = Ocpp201Types.SampledValueType;
export type Ocpp201IdToken = Ocpp201Types.IdTokenType;
export type Ocpp201IdTokenInfo = Ocpp201Types.IdTokenInfoType;
