/**
 * Typed OCPP 1.6 payloads: the generated request/confirmation types (one per official schema)
 * and the shapes the services read from them.
 */
import type { OcppInboundAction } from '@app/contracts';
import type {
  MeterValuesRequest,
  Ocpp16Action,
  Ocpp16Confirmations,
  Ocpp16Requests,
} from './ocpp16-types.generated';

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
