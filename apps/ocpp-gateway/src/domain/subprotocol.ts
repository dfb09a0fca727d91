import type { ChargerProtocol } from '@app/contracts';

/** The OCPP-J subprotocols the endpoint speaks, as the WebSocket handshake names them. */
export const CHARGER_PROTOCOLS = ['ocpp1.6', 'ocpp2.0.1'] as const satisfies readonly ChargerProtocol[];

export function isChargerProtocol(value: unknown): value is ChargerProtocol {
  return (CHARGER_PROTOCOLS as readonly unknown[]).includes(value);
}

/**
 * The subprotocol a connection gets from what the charger offered (Sec-WebSocket-Protocol):
 * the operator's preferred one when both are offered, the one offered otherwise, null when it
 * offered neither (the handshake is then refused). The charger's own order is not a preference
 * we follow: the operator decides which protocol a dual-stack station speaks here.
 */
export function chooseSubprotocol(
  offered: Iterable<string>,
  preferred: ChargerProtocol,
): ChargerProtocol | null {
  const ours = new Set<ChargerProtocol>();
  for (const p of offered) if (isChargerProtocol(p)) ours.add(p);
  if (ours.has(preferred)) return preferred;
  return ours.values().next().value ?? null;
}

/** The Sec-WebSocket-Protocol header as the list it is (comma-separated, spaces allowed). */
export function offeredSubprotocols(header: string | string[] | undefined): string[] {
  return (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}
