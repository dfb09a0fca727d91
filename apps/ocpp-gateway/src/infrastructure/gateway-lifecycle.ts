import { Logger as NestLogger } from '@nestjs/common';
import type { Server } from 'node:http';
import type { ConnectionDirectory } from '../application/ports';
import type { CommandConsumer } from './kafka/command-consumer';
import type { RegistryConsumer } from './kafka/registry-consumer';
import type { Logger } from './websocket/ocpp-websocket.server';
import type { OcppWebSocketServer } from './websocket/ocpp-websocket.server';

/** Replicas write their liveness row this often (see REPLICA_LIVENESS_MS). */
export const REPLICA_HEARTBEAT_MS = 5_000;

export function nestLogger(context: string): Logger {
  const logger = new NestLogger(context);
  const fmt = (msg: string, extra?: Record<string, unknown>) =>
    extra ? `${msg} ${JSON.stringify(extra)}` : msg;
  return {
    info: (msg, extra) => logger.log(fmt(msg, extra)),
    warn: (msg, extra) => logger.warn(fmt(msg, extra)),
    error: (msg, extra) => logger.error(fmt(msg, extra)),
  };
}

/**
 * Start: forget what a previous run of this replica left in the connections table, announce the
 * replica, attach the WebSocket endpoint, start the command and registry consumers.
 * Stop (SIGTERM): refuse new chargers, answer the CALLs in progress, close connections, stop
 * consuming commands and the registry, remove this replica's rows. The Kafka publisher flushes after this.
 */
export class GatewayLifecycle {
  private heartbeatTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: {
      gatewayId: string;
      server: OcppWebSocketServer;
      directory: ConnectionDirectory;
      commands: CommandConsumer | null;
      registry: RegistryConsumer | null;
      logger: Logger;
      drainMs: number;
    },
  ) {}

  async start(httpServer: Server): Promise<void> {
    const { directory, gatewayId } = this.deps;
    await directory.forgetReplica(gatewayId);
    await directory.heartbeat(gatewayId);
    this.heartbeatTimer = setInterval(() => {
      directory
        .heartbeat(gatewayId)
        .catch((e) => this.deps.logger.warn('replica heartbeat failed', { error: (e as Error).message }));
    }, REPLICA_HEARTBEAT_MS);
    this.heartbeatTimer.unref();
    await this.deps.server.attach(httpServer);
    // In the background: chargers connect while the commands group is still joining.
    this.deps.commands?.start();
    // Also in the background: handshakes read the shared database, which the other replicas (or
    // this one's earlier runs) keep current; this one catches up on the topic meanwhile.
    this.deps.registry?.start();
  }

  async stop(): Promise<void> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.deps.server.close(this.deps.drainMs);
    await Promise.all([this.deps.commands?.stop(), this.deps.registry?.stop()]);
    await this.deps.directory.forgetReplica(this.deps.gatewayId).catch(() => undefined);
  }
}
