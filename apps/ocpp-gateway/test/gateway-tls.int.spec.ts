import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createTestDatabase,
  createTestKafka,
  freePort,
  migrateApp,
  type TestDatabase,
  type TestKafka,
} from '@app/testing';
import { HandshakeRefusedError, OcppClient } from '@app/testing/simulator';
import { hashChargerPassword } from '@app/ocpp/charger-password';
import { startGateway, type RunningGateway } from './harness';

/** Security profile 2: Basic auth over TLS when TLS_CERT_FILE/TLS_KEY_FILE are set, for 1.6 and 2.0.1. */
describe('ocpp-gateway over TLS (security profile 2)', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let gw: RunningGateway;
  let dir: string;
  let tlsPort: number;
  let ca: Buffer;
  const clients: OcppClient[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    ca = fs.readFileSync(path.join(dir, 'cert.pem'));
    [db, tk] = await Promise.all([createTestDatabase('gwtls'), createTestKafka('gwtls')]);
    await migrateApp('ocpp-gateway', db.url);
    tlsPort = await freePort();
    gw = await startGateway({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: tk.brokers.join(','),
      KAFKA_TOPIC_PREFIX: tk.prefix,
      GATEWAY_ID: 'gw-tls',
      OCPP_COMMANDS_ENABLED: 'false',
      TLS_CERT_FILE: path.join(dir, 'cert.pem'),
      TLS_KEY_FILE: path.join(dir, 'key.pem'),
      TLS_PORT: String(tlsPort),
    });
    await gw.gateway.chargers.upsert({
      id: 'CP-TLS',
      fleetId: 'f',
      passwordHash: await hashChargerPassword('tls-password-000001'),
      evseIds: {},
    });
  });

  afterAll(async () => {
    for (const c of clients) c.terminate();
    await gw?.stop();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a registered charger over wss with its password, and refuses a wrong one', async () => {
    const url = `wss://127.0.0.1:${tlsPort}/ocpp`;
    const c = await OcppClient.connect({ url, chargePointId: 'CP-TLS', password: 'tls-password-000001', ca });
    clients.push(c);
    expect(await c.confirm('Heartbeat', {})).toHaveProperty('currentTime');
    await expect(
      OcppClient.connect({ url, chargePointId: 'CP-TLS', password: 'tls-password-000002', ca }),
    ).rejects.toEqual(new HandshakeRefusedError(401));
  });

  it('accepts a 2.0.1 station over wss the same way (profile 2 is protocol-neutral)', async () => {
    const url = `wss://127.0.0.1:${tlsPort}/ocpp`;
    const protocols = ['ocpp2.0.1'];
    const c = await OcppClient.connect({
      url,
      chargePointId: 'CP-TLS',
      password: 'tls-password-000001',
      ca,
      protocols,
    });
    clients.push(c);
    expect(c.ws.protocol).toBe('ocpp2.0.1');
    expect(await c.confirm('Heartbeat', {})).toEqual({ currentTime: expect.any(String) });
    await expect(
      OcppClient.connect({ url, chargePointId: 'CP-TLS', password: 'tls-password-000002', ca, protocols }),
    ).rejects.toEqual(new HandshakeRefusedError(401));
  });

  it('refuses OCPP over the plain port while TLS is configured, but keeps /health there', async () => {
    await expect(
      OcppClient.connect({ url: gw.url, chargePointId: 'CP-TLS', password: 'tls-password-000001' }),
    ).rejects.toEqual(new HandshakeRefusedError(403));
    expect((await fetch(`http://127.0.0.1:${gw.port}/health/live`)).status).toBe(200);
  });
});
