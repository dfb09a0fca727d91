import fs from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '@app/observability';
import type { AuthFailureLimiter } from '@app/http';
import type { AuthenticateCharger } from '../../application/authenticate-charger';
import type { StationCallHandler } from '../../application/answer-call';
import type { CommandTarget, LocalConnections } from '../../application/dispatch-command';
import type { LocalRegistryEnforcement } from '../../application/apply-registry-records';
import type { ConnectionDirectory, OcppEventSink, RegisteredCharger } from '../../application/ports';
import type { ChargerProtocol, ChargerRegistration } from '@app/contracts';
import { chargePointIdFromPath } from '../../domain/charge-point-id';
import { chooseSubprotocol, isChargerProtocol, offeredSubprotocols } from '../../domain/subprotocol';
import { registryDisconnectReason, type RegistryEntry } from '../../domain/registry-change';
import { ChargerConnection } from './charger-connection';

/**
 * How long the registry entries this replica applied are remembered for handshakes in progress:
 * one that read the charger's row just before the change and finishes after it (scrypt, a slow
 * database) is refused instead of slipping through with the old password. Far above any handshake.
 */
export const RECENT_REGISTRATION_MS = 60_000;

export interface OcppWebSocketServerOptions {
  gatewayId: string;
  maxMessageBytes: number;
  pingIntervalMs: number;
  /** The subprotocol of a charger that offers both (OCPP_PREFERRED_PROTOCOL). */
  preferredProtocol: ChargerProtocol;
  tls?: { certFile: string; keyFile: string; port: number; host?: string };
}

export interface Logger {
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}

const metrics = {
  connections: new Gauge({
    name: 'ocpp_connections',
    help: 'Open charger connections on this replica',
    registers: [metricsRegistry],
  }),
  handshakes: new Counter({
    name: 'ocpp_handshakes_total',
    help: 'WebSocket handshakes by result',
    labelNames: ['result'],
    registers: [metricsRegistry],
  }),
  calls: new Counter({
    name: 'ocpp_calls_total',
    help: 'CALLs from chargers by protocol, action and outcome (result or CALLERROR code)',
    labelNames: ['protocol', 'action', 'outcome'],
    registers: [metricsRegistry],
  }),
  callSeconds: new Histogram({
    name: 'ocpp_call_duration_seconds',
    help: 'CALL received to CALLRESULT sent (includes the Kafka acknowledgement)',
    labelNames: ['protocol', 'action'],
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [metricsRegistry],
  }),
};

/**
 * The OCPP-J endpoint `/ocpp/{chargePointId}` on the service's HTTP server (so /health shares
 * the port; /metrics and /docs are on the management port, never here), and on a TLS server when a certificate is configured (security
 * profile 2). The handshake refuses a wrong path (404), a charger offering neither `ocpp1.6` nor
 * `ocpp2.0.1` (400), bad or missing credentials (401) and new connections while draining (503).
 * A charger offering both gets the preferred one; each connection speaks the protocol it got.
 */
export class OcppWebSocketServer implements LocalConnections, LocalRegistryEnforcement {
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<string, ChargerConnection>();
  /** chargePointId → the newest registry entry applied in the last RECENT_REGISTRATION_MS, oldest first. */
  private readonly recentRegistrations = new Map<string, { entry: RegistryEntry; at: number }>();
  private tlsServer: https.Server | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private draining = false;
  private readonly attached: Server[] = [];

  constructor(
    private readonly deps: {
      authenticate: AuthenticateCharger;
      /** Each subprotocol's CALL handler. */
      handlers: Record<ChargerProtocol, StationCallHandler>;
      sink: OcppEventSink;
      directory: ConnectionDirectory;
      logger: Logger;
      options: OcppWebSocketServerOptions;
      /** Blocks an address that failed the Basic-auth check too often (RATE_LIMIT_AUTH_*). */
      authFailures?: AuthFailureLimiter;
    },
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: deps.options.maxMessageBytes,
      handleProtocols: (protocols) => chooseSubprotocol(protocols, deps.options.preferredProtocol) ?? false,
    });
  }

  get size(): number {
    return this.connections.size;
  }

  get(chargePointId: string): CommandTarget | undefined {
    return this.connections.get(chargePointId);
  }

  /** Listens for upgrades on `server`, and starts the TLS endpoint if configured. */
  async attach(server: Server): Promise<void> {
    const tls = this.deps.options.tls;
    // With a certificate configured (security profile 2) chargers must use TLS: the plain port
    // keeps /health but refuses OCPP upgrades.
    server.on('upgrade', tls ? this.onPlainUpgradeWhileTls : this.onUpgrade);
    this.attached.push(server);
    if (tls && !this.tlsServer) {
      const tlsServer = https.createServer(
        { cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) },
        (_req, res) => {
          res
            .writeHead(426, { 'content-type': 'text/plain' })
            .end('OCPP-J endpoint: connect with WebSocket to /ocpp/{chargePointId}\n');
        },
      );
      tlsServer.on('upgrade', this.onUpgrade);
      await new Promise<void>((resolve, reject) => {
        tlsServer.once('error', reject);
        tlsServer.listen(tls.port, tls.host ?? '0.0.0.0', () => resolve());
      });
      this.tlsServer = tlsServer;
      this.deps.logger.info(`OCPP over TLS (security profile 2) on :${tls.port}`);
    }
    if (this.deps.options.pingIntervalMs > 0) {
      this.pingTimer = setInterval(() => this.pingSweep(), this.deps.options.pingIntervalMs);
      this.pingTimer.unref();
    }
  }

  private readonly onPlainUpgradeWhileTls = (_req: IncomingMessage, socket: Duplex): void => {
    socket.on('error', () => undefined);
    this.refuse(socket, 403, 'Forbidden', 'plain-while-tls');
  };

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => undefined);
    void this.upgrade(req, socket, head).catch((e) => {
      this.deps.logger.error('handshake failed', { error: (e as Error).message });
      refuse(socket, 500, 'Internal Server Error');
    });
  };

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const chargePointId = chargePointIdFromPath(req.url ?? '');
    if (!chargePointId) return this.refuse(socket, 404, 'Not Found', 'path');
    if (this.draining) return this.refuse(socket, 503, 'Service Unavailable', 'draining');
    const offered = offeredSubprotocols(req.headers['sec-websocket-protocol']);
    if (!chooseSubprotocol(offered, this.deps.options.preferredProtocol))
      return this.refuse(socket, 400, 'Bad Request', 'subprotocol');
    // Guessing charger passwords costs a database look-up each; a guessing address stops getting them.
    const address = req.socket.remoteAddress ?? 'unknown';
    const retryAfter = (await this.deps.authFailures?.blockedFor(address)) ?? 0;
    if (retryAfter > 0)
      return this.refuse(socket, 429, 'Too Many Requests', 'rate-limited', {
        'Retry-After': String(retryAfter),
      });
    const auth = await this.deps.authenticate.execute(chargePointId, req.headers.authorization);
    if (!auth.ok) {
      this.deps.authFailures?.recordFailure(address);
      this.deps.logger.warn('charger refused', { chargePointId, reason: auth.reason });
      return this.refuse(socket, 401, 'Unauthorized', 'auth', {
        'WWW-Authenticate': 'Basic realm="ocpp", charset="UTF-8"',
      });
    }
    if (socket.destroyed) return;
    // The registry changed while this handshake ran (after it read the row): refused like a wrong
    // password. handleUpgrade calls accept synchronously, so no change slips in between.
    const recent = this.recentRegistrations.get(chargePointId);
    if (recent && registryDisconnectReason(authenticatedWith(auth.charger), recent.entry)) {
      this.deps.authFailures?.recordFailure(address);
      this.deps.logger.warn('charger refused', {
        chargePointId,
        reason: 'registry changed during handshake',
      });
      return this.refuse(socket, 401, 'Unauthorized', 'auth', {
        'WWW-Authenticate': 'Basic realm="ocpp", charset="UTF-8"',
      });
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, auth.charger, req));
  }

  /**
   * A registry entry this replica's consumer read (LocalRegistryEnforcement): closes the local
   * connection (1008, ChargerDisconnected reason "deactivated" / "password-changed") if the entry
   * is newer than what it was authenticated with and deactivates the charger or changes its
   * password; otherwise the connection takes the entry's fleet (id tags are looked up in it).
   */
  enforceRegistration(registration: ChargerRegistration): boolean {
    const entry: RegistryEntry = {
      active: registration.active,
      passwordHash: registration.passwordHash,
      version: registration.version,
    };
    this.rememberRegistration(registration.chargePointId, entry);
    const connection = this.connections.get(registration.chargePointId);
    if (!connection) return false;
    const reason = registryDisconnectReason(connection.registration, entry);
    if (!reason) {
      if (entry.version > connection.registration.registryVersion) {
        connection.registration = { passwordHash: entry.passwordHash, registryVersion: entry.version };
        connection.ctx.fleetId = registration.fleetId;
      }
      return false;
    }
    this.deps.logger.info('closing charger connection: registry changed', {
      chargePointId: registration.chargePointId,
      reason,
      version: entry.version,
    });
    this.connections.delete(registration.chargePointId);
    metrics.connections.set(this.connections.size);
    connection.close(1008, reason);
    this.reportDisconnected(connection, 1008);
    return true;
  }

  private rememberRegistration(chargePointId: string, entry: RegistryEntry): void {
    const now = Date.now();
    for (const [id, r] of this.recentRegistrations) {
      if (now - r.at < RECENT_REGISTRATION_MS) break;
      this.recentRegistrations.delete(id);
    }
    const known = this.recentRegistrations.get(chargePointId);
    if (known && known.entry.version > entry.version) return;
    this.recentRegistrations.delete(chargePointId); // re-inserted last: the map stays oldest first
    this.recentRegistrations.set(chargePointId, { entry, at: now });
  }

  private refuse(
    socket: Duplex,
    status: number,
    text: string,
    metric: string,
    headers: Record<string, string> = {},
  ): void {
    metrics.handshakes.inc({ result: `refused-${metric}` });
    refuse(socket, status, text, headers);
  }

  private accept(ws: WebSocket, charger: RegisteredCharger, req: IncomingMessage): void {
    metrics.handshakes.inc({ result: 'accepted' });
    // handleProtocols chose it from what upgrade() already checked: one of ours.
    const protocol = isChargerProtocol(ws.protocol) ? ws.protocol : this.deps.options.preferredProtocol;
    const connection = new ChargerConnection(
      ws,
      { chargePointId: charger.id, fleetId: charger.fleetId, lastHeartbeatPublishedAt: 0 },
      protocol,
      this.deps.handlers[protocol],
      {
        onCallHandled: (action, outcome, seconds) => {
          metrics.calls.inc({ protocol, action, outcome });
          if (outcome === 'result') metrics.callSeconds.observe({ protocol, action }, seconds);
        },
      },
    );
    connection.registration = authenticatedWith(charger);
    const previous = this.connections.get(charger.id);
    if (previous) {
      // Report the old connection gone before the new one is announced, so consumers never see
      // "connected" followed by a late "disconnected" of the replaced socket.
      previous.close(1000, 'replaced');
      this.reportDisconnected(previous, 1000);
    }
    this.connections.set(charger.id, connection);
    metrics.connections.set(this.connections.size);
    ws.on('error', () => undefined);
    ws.once('close', (code) => this.onClose(connection, code));
    const gatewayId = this.deps.options.gatewayId;
    this.background(this.deps.directory.claim(charger.id, gatewayId, connection.connectedAt), 'claim');
    this.background(
      this.deps.sink.chargerConnected({
        chargePointId: charger.id,
        fleetId: charger.fleetId,
        gatewayId,
        connectedAt: connection.connectedAt.toISOString(),
        remoteAddress: req.socket.remoteAddress,
        evseIds: charger.evseIds,
        protocol,
      }),
      'ChargerConnected',
    );
  }

  private onClose(connection: ChargerConnection, code: number): void {
    connection.onClosed();
    if (this.connections.get(connection.chargePointId) === connection) {
      this.connections.delete(connection.chargePointId);
      metrics.connections.set(this.connections.size);
    }
    this.reportDisconnected(connection, code);
  }

  private reportDisconnected(connection: ChargerConnection, code: number): void {
    if (connection.disconnectReported) return;
    connection.disconnectReported = true;
    const gatewayId = this.deps.options.gatewayId;
    this.background(
      this.deps.directory.release(connection.chargePointId, gatewayId, connection.connectedAt),
      'release',
    );
    this.background(
      this.deps.sink.chargerDisconnected(
        {
          chargePointId: connection.chargePointId,
          fleetId: connection.ctx.fleetId,
          gatewayId,
          disconnectedAt: new Date().toISOString(),
          code,
          reason: connection.closeReason ?? 'closed-by-charger',
        },
        connection.protocol,
      ),
      'ChargerDisconnected',
    );
  }

  private pingSweep(): void {
    for (const connection of this.connections.values()) {
      if (connection.awaitingPong) {
        connection.terminate('ping-timeout');
        continue;
      }
      connection.awaitingPong = true;
      connection.ws.ping();
    }
  }

  private background(p: Promise<unknown>, what: string): void {
    p.catch((e) => this.deps.logger.warn(`${what} failed`, { error: (e as Error).message }));
  }

  /**
   * Graceful stop: refuse new handshakes, let every CALL already received be answered (up to
   * `drainMs`), then close each connection (1001, reason "shutdown") and report it.
   */
  async close(drainMs: number): Promise<void> {
    this.draining = true;
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const server of this.attached) {
      server.off('upgrade', this.onUpgrade);
      server.off('upgrade', this.onPlainUpgradeWhileTls);
    }
    const open = [...this.connections.values()];
    await Promise.all(open.map((c) => c.drain(drainMs)));
    for (const c of open) {
      c.close(1001, 'shutdown');
      this.reportDisconnected(c, 1001);
    }
    this.connections.clear();
    metrics.connections.set(0);
    if (this.tlsServer) {
      const tls = this.tlsServer;
      this.tlsServer = null;
      tls.closeAllConnections();
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function authenticatedWith(charger: RegisteredCharger): {
  passwordHash: string | null;
  registryVersion: number;
} {
  return { passwordHash: charger.passwordHash, registryVersion: charger.registryVersion };
}

function refuse(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const lines = [
    `HTTP/1.1 ${status} ${text}`,
    'Connection: close',
    'Content-Length: 0',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(lines.join('\r\n') + '\r\n\r\n');
}
