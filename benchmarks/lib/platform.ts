/** The platform side of the benchmarks: a simulator in its own process, SDK instances and raw node-fetch calls. */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import fetch from 'node-fetch';
import { Authentication, createNorthApiContainer, DataCollection, DeviceManagement, NorthApiClient } from '../../src/index.js';
import { resolveSslConfig, type TlsMaterial } from '../../src/client/ssl-config.js';
import { createAgent } from '../../src/http/agent.js';
import { startSimulatorProcess, type RemoteSimulator, type SimulatorAddress, type SimulatorApp, type SimulatorOptions } from '../../src/simulator/index.js';

/** Where a simulator listens: all the helpers below need (a child process gets it as plain data). */
export type PlatformAddress = Pick<SimulatorAddress, 'url' | 'host' | 'port' | 'ca'>;

export const LOGIN_PATH = '/iocm/app/sec/v1.1.0/login';
export const DEVICE_PATH = '/iocm/app/dm/v1.4.0/devices';

/** Apps with fresh credentials, one per name, so that different parts of a figure never void each other's tokens. */
export function benchApps(...names: string[]): SimulatorApp[] {
  return names.map((name) => ({ appId: `bench-${name}-${randomBytes(4).toString('hex')}`, secret: randomBytes(12).toString('hex') }));
}

/**
 * A simulator in a child process, so that it never shares an event loop with the client being measured. Flow control
 * stays off (the simulator's default, passed explicitly): every figure here measures the SDK, not the throttle.
 */
export function startPlatform(options: SimulatorOptions & { apps: SimulatorApp[] }): Promise<RemoteSimulator> {
  return startSimulatorProcess({ tokenLifetimeSeconds: 3600, throttle: false, ...options });
}

/** The TLS material the SDK derives from `ssl: { ca }`: the raw baselines use exactly the same. */
export function tlsFor(sim: PlatformAddress): TlsMaterial {
  return resolveSslConfig({ ca: sim.ca });
}

/** A keep-alive agent with the options the SDK transport uses (src/http/agent.ts), for raw node-fetch baselines. */
export function rawAgent(sim: PlatformAddress): http.Agent {
  return createAgent({ scheme: 'https', tls: tlsFor(sim) });
}

export interface Sdk {
  client: NorthApiClient;
  auth: Authentication;
  dc: DataCollection;
  dm: DeviceManagement;
  /** Stops the refresh timer (if running) and closes the client's connections. */
  close(): Promise<void>;
}

export function sdkFor(sim: PlatformAddress, app: SimulatorApp): Sdk {
  const container = createNorthApiContainer({
    clientInfo: { platformIp: sim.host, platformPort: sim.port, appId: app.appId, secret: app.secret },
    ssl: { ca: sim.ca },
  });
  const client = container.resolve(NorthApiClient);
  const auth = container.resolve(Authentication);
  return {
    client,
    auth,
    dc: container.resolve(DataCollection),
    dm: container.resolve(DeviceManagement),
    async close() {
      await auth.stopRefreshTokenTimer();
      client.close();
    },
  };
}

/** Registers a device (explicit token, or null while the timer runs) and returns its id. */
export async function registerDevice(sdk: Sdk, token: string | null): Promise<string> {
  const { deviceId } = await sdk.dm.regDirectDevice({ nodeId: `bench-${randomBytes(6).toString('hex')}` }, null, token);
  return deviceId;
}

/** One login with plain node-fetch, as an application without the SDK would send it. */
export async function rawLogin(sim: PlatformAddress, app: SimulatorApp, agent: http.Agent): Promise<{ accessToken: string; expiresIn: number }> {
  const response = await fetch(`${sim.url}${LOGIN_PATH}`, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ appId: app.appId, secret: app.secret }).toString(),
    agent,
  });
  const body = (await response.json()) as { accessToken?: string; expiresIn?: number };
  if (response.status !== 200 || typeof body.accessToken !== 'string') throw new Error(`raw login answered ${response.status}`);
  return { accessToken: body.accessToken, expiresIn: Number(body.expiresIn) };
}

/** The headers the SDK sends on a bodiless business GET (src/http/transport.ts), for raw calls. */
export function businessHeaders(appId: string, token: string): Record<string, string> {
  return { Accept: 'application/json', 'Content-Type': 'application/json', app_key: appId, Authorization: `Bearer ${token}` };
}

/** A short description of an error: the platform or SDK error code when there is one. */
export function errorKey(error: unknown): string {
  const code = (error as { errorCode?: unknown }).errorCode;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}
