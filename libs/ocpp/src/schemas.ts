/**
 * The official OCPP JSON schemas, as shipped by the `ocpp-rpc` package: 1.6 (Core and the other
 * profiles, plus the Security whitepaper messages) and 2.0.1. Ids are `urn:<Action>.req` /
 * `urn:<Action>.conf` in both (the 2.0.1 files name them `<Action>Request`/`<Action>Response`).
 */
export interface OcppSchema {
  $id: string;
  [keyword: string]: unknown;
}

const schemas16 = require('ocpp-rpc/lib/schemas/ocpp1_6.json') as OcppSchema[];
const schemas201 = require('ocpp-rpc/lib/schemas/ocpp2_0_1.json') as OcppSchema[];

export const OCPP16_SCHEMAS: readonly OcppSchema[] = schemas16;
export const OCPP201_SCHEMAS: readonly OcppSchema[] = schemas201;

export function requestSchemaId(action: string): string {
  return `urn:${action}.req`;
}

export function responseSchemaId(action: string): string {
  return `urn:${action}.conf`;
}
