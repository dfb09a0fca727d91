/**
 * The official OCPP 1.6 JSON schemas (Core and the other profiles, plus the Security whitepaper
 * messages), as shipped by the `ocpp-rpc` package. Ids are `urn:<Action>.req` / `urn:<Action>.conf`.
 */
export interface Ocpp16Schema {
  $id: string;
  [keyword: string]: unknown;
}

const schemas = require('ocpp-rpc/lib/schemas/ocpp1_6.json') as Ocpp16Schema[];

export const OCPP16_SCHEMAS: readonly Ocpp16Schema[] = schemas;

export function requestSchemaId(action: string): string {
  return `urn:${action}.req`;
}

export function responseSchemaId(action: string): string {
  return `urn:${action}.conf`;
}
