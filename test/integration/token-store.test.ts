/**
 * The token store option (fleet mode) in one process: validation, Redis AUTH, ACL users and TLS, what is written to
 * Redis (and what never is), a store unreachable at start and joined later, and secrets kept out of every message.
 */
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { after, before, describe, test } from 'node:test';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { Authentication, NorthApiClient, NorthApiException, createNorthApiContainer, type TokenStoreOptions } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { CREDENTIAL_CHANNEL, type CredentialMessage } from '../../src/simulator/credential-channel.js';
import { redisSkipReason, startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';
import { capturingLogger, randomNodeId, sdkFor, sleep, waitUntil } from '../helpers/sdk.js';

const skip = redisSkipReason();

function expectCode(code: string, fn: () => unknown): NorthApiException {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof NorthApiException, String(error));
    assert.equal(error.errorCode, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('tokenStore option: validation', () => {
  const build = (tokenStore: unknown): NorthApiClient => new NorthApiClient({ tokenStore: tokenStore as TokenStoreOptions });

  test('bad settings are 1017 naming the option, before anything connects', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /tokenStore must be an object/],
      [{}, /redisUrl/],
      [{ redisUrl: 'http://127.0.0.1:6379' }, /redis:\/\/ or rediss:\/\//],
      [{ redisUrl: 'not a url' }, /not a valid URL/],
      [{ redisUrl: 'redis://127.0.0.1:6379/x' }, /database number/],
      [{ redisUrl: 'redis://127.0.0.1:6379?db=2' }, /no query/],
      [{ redisUrl: 'redis://127.0.0.1', leaseTtlMs: 10 }, /leaseTtlMs must be at least 300/],
      [{ redisUrl: 'redis://127.0.0.1', leaseTtlMs: 1.5 }, /leaseTtlMs must be a positive integer/],
      [{ redisUrl: 'redis://127.0.0.1', connectTimeoutMs: 0 }, /connectTimeoutMs/],
      [{ redisUrl: 'redis://127.0.0.1', tls: { ca: 'x' } }, /tls needs a rediss:\/\/ URL/],
      [{ redisUrl: 'rediss://127.0.0.1', tls: { cert: 'x' } }, /go together/],
      [{ redisUrl: 'rediss://127.0.0.1', tls: { rejectUnauthorized: false } }, /Unknown tokenStore.tls option "rejectUnauthorized"/],
      [{ redisUrl: 'redis://127.0.0.1', passwrd: 'x' }, /Unknown tokenStore option "passwrd"/],
      [{ redisUrl: 'redis://127.0.0.1', password: '' }, /password must be a non-empty string/],
      [{ redisUrl: 'redis://user:%E0%A4%A@127.0.0.1' }, /password is not validly percent-encoded/],
      [{ redisUrl: 'redis://127.0.0.1:0' }, /port 0/],
      [{ redisUrl: 'rediss://127.0.0.1', tls: { servername: '10.0.0.1' } }, /servername must be a host name/],
      [{ redisUrl: 'rediss://127.0.0.1', tls: { ca: 'not a certificate' } }, /certificates or key cannot be read/],
      [{ redisUrl: 'rediss://127.0.0.1', tls: { cert: 'x', key: 'y' } }, /certificates or key cannot be read/],
    ];
    for (const [options, message] of cases) {
      const error = expectCode('1017', () => build(options));
      assert.match(error.message, message, JSON.stringify(options));
    }
  });

  test('the password never shows: not in toString, inspect, JSON or an error', () => {
    const password = 'Pw-in-url-7f3a9c';
    const other = 'Pw-option-2b8e1d';
    const fromUrl = new NorthApiClient({ tokenStore: { redisUrl: `redis://user:${password}@127.0.0.1:6390/2` } });
    const fromOption = new NorthApiClient({ tokenStore: { redisUrl: 'rediss://cache.example:6390', password: other } });
    for (const client of [fromUrl, fromOption]) {
      for (const text of [String(client), inspect(client, { depth: Infinity, showHidden: true }), JSON.stringify(client)]) {
        assert.ok(!text.includes(password) && !text.includes(other), text);
        assert.match(text, /redis(s)?:\/\/(127\.0\.0\.1|cache\.example):6390/);
      }
    }
    const error = expectCode('1017', () => build({ redisUrl: `ftp://u:${password}@host` }));
    assert.ok(!error.message.includes(password) && !inspect(error).includes(password));
  });
});

describe('tokenStore against Redis', { skip }, () => {
  let sim: Simulator;
  let redis: RedisServerHandle;
  const credentials: string[] = [];
  const record = (message: unknown): void => {
    credentials.push((message as CredentialMessage).value);
  };

  before(async () => {
    diagnosticsChannel.subscribe(CREDENTIAL_CHANNEL, record);
    sim = await startSimulator({ tokenLifetimeSeconds: 2 });
    redis = await startRedisServer();
  });
  after(async () => {
    diagnosticsChannel.unsubscribe(CREDENTIAL_CHANNEL, record);
    await redis?.close();
    await sim?.stop();
  });

  test('Redis holds the access token in use, its expiry and version; never the secret or a refresh token', async () => {
    const app = sim.apps[0]!;
    const watcher = new Redis(redis.url, { lazyConnect: true });
    await watcher.connect();
    const monitor = await watcher.monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args.join(' ')));
    const sdk = sdkFor(sim, app, { tokenStore: { redisUrl: redis.url, keyPrefix: 'test-store:' }, logger: {} });
    try {
      await sdk.auth.startRefreshTokenTimer();
      const { deviceId } = await sdk.devices.regDirectDevice({ nodeId: randomNodeId() }, null, null);
      // Long enough for renewals (2 s tokens) to be written too.
      for (let i = 0; i < 12; i += 1) {
        await sdk.devices.queryDeviceStatus(deviceId, null, null);
        await sleep(250);
      }
      const info = await sdk.auth.getRefresherInfo();
      assert.equal(info?.status.fleet?.role, 'leader');
      assert.ok((info?.status.fleet?.storeVersion ?? 0) >= 2, 'renewals were written with increasing versions');

      const keys = (await watcher.keys('test-store:*')).sort();
      assert.deepEqual(keys.map((k) => k.replace(/\{.*\}/, '{app}')), ['test-store:{app}:lease', 'test-store:{app}:token', 'test-store:{app}:version']);
      const tokenKey = keys.find((k) => k.endsWith(':token'))!;
      // The token is renewed every 1.5 s or so: compare it with a call made while it did not change.
      let compared = false;
      for (let attempt = 0; attempt < 5 && !compared; attempt += 1) {
        const [value, ttl] = await Promise.all([watcher.get(tokenKey), watcher.pttl(tokenKey)]);
        const match = /^(\d+):(\d+):(.+)$/.exec(value ?? '');
        assert.ok(match, 'version:lifetime:accessToken');
        assert.equal(Number(match[2]), 2_000);
        assert.ok(ttl > 0 && ttl <= 2_000, `the key expires with the token (${ttl} ms left)`);
        await sdk.devices.queryDeviceStatus(deviceId, null, null);
        if ((await watcher.get(tokenKey)) !== value) continue;
        const lastBearer = sim.requests().filter((r) => r.headers.authorization).at(-1)!.headers.authorization;
        assert.equal(lastBearer, `Bearer ${match[3]}`, 'the stored token is the one calls use');
        compared = true;
      }
      assert.ok(compared, 'the stored token stayed the same for the length of one call');
    } finally {
      await sdk.auth.stopRefreshTokenTimer();
      sdk.client.close();
      await sleep(100);
      monitor.disconnect();
      await watcher.quit();
    }
    const refreshTokens = new Set<string>();
    for (const r of sim.requests()) {
      if (r.path.endsWith('/refreshToken')) refreshTokens.add((JSON.parse(r.body) as { refreshToken: string }).refreshToken);
    }
    assert.ok(refreshTokens.size > 0, 'the leader refreshed');
    const everything = commands.join('\n');
    assert.ok(commands.some((c) => c.startsWith('eval')), 'the monitor saw the SDK write');
    assert.ok(!everything.includes(app.secret), 'the app secret was sent to Redis');
    for (const token of refreshTokens) assert.ok(!everything.includes(token), 'a refresh token was sent to Redis');
    for (const c of commands.filter((c) => c.startsWith('publish'))) assert.match(c, /^publish \S+ ((token|refresh):\d+|hello)$/, 'messages carry versions only');
    // The lease was given up when the timer stopped.
    const check = new Redis(redis.url);
    assert.equal((await check.keys('test-store:*:lease')).length, 0);
    await check.quit();
  });

  test('a store unreachable at start: the instance refreshes on its own, says so loudly, and joins once Redis is up', async () => {
    const app = sim.apps[0]!;
    const late = await startRedisServer();
    await late.stop();
    const logger = capturingLogger();
    const sdk = sdkFor(sim, app, { tokenStore: { redisUrl: late.url, leaseTtlMs: 600, connectTimeoutMs: 300 }, logger });
    try {
      await sdk.auth.startRefreshTokenTimer();
      const { deviceId } = await sdk.devices.regDirectDevice({ nodeId: randomNodeId() }, null, null);
      assert.equal((await sdk.auth.getRefresherInfo())?.status.fleet?.role, 'standalone');
      assert.ok(logger.lines.some((l) => /TOKEN STORE UNREACHABLE \(redis:\/\/127\.0\.0\.1:\d+\/0/.test(l)), logger.lines.join('\n'));
      await late.start();
      await waitUntil(async () => (await sdk.auth.getRefresherInfo())?.status.fleet?.role === 'leader', 10_000, 'the instance to rejoin');
      assert.ok(logger.lines.some((l) => /reachable again: this instance leads/.test(l)));
      await sdk.devices.queryDeviceStatus(deviceId, null, null);
    } finally {
      await sdk.auth.stopRefreshTokenTimer();
      sdk.client.close();
      await late.close();
    }
  });

  test('two clients of one app in one process must agree on the store', async () => {
    const app = sim.apps[0]!;
    const a = sdkFor(sim, app, { tokenStore: { redisUrl: redis.url }, logger: {} });
    const b = sdkFor(sim, app, { logger: {} });
    try {
      await a.auth.startRefreshTokenTimer();
      await assert.rejects(b.auth.startRefreshTokenTimer(), (e: NorthApiException) => e.errorCode === '1017' && /different tokenStore/.test(e.message));
    } finally {
      await a.auth.stopRefreshTokenTimer();
      a.client.close();
      b.client.close();
    }
  });
});

describe('tokenStore: Redis AUTH, ACL users and TLS', { skip }, () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ tokenLifetimeSeconds: 60 });
  });
  after(async () => {
    await sim?.stop();
  });

  /** Starts the timer with `tokenStore`; resolves with the fleet role, or the error, and what was logged. */
  async function tryStore(tokenStore: TokenStoreOptions): Promise<{ role?: string; error?: NorthApiException; logged: string }> {
    const logger = capturingLogger();
    const container = createNorthApiContainer({
      clientInfo: { platformIp: sim.host, platformPort: sim.port, appId: sim.apps[0]!.appId, secret: sim.apps[0]!.secret },
      ssl: { ca: sim.ca },
      tokenStore: { connectTimeoutMs: 1_000, ...tokenStore },
      logger,
    });
    const sdk = { auth: container.resolve(Authentication), client: container.resolve(NorthApiClient) };
    try {
      await sdk.auth.startRefreshTokenTimer();
      const info = await sdk.auth.getRefresherInfo();
      return { role: info?.status.fleet?.role, logged: logger.lines.join('\n') };
    } catch (error) {
      return { error: error as NorthApiException, logged: logger.lines.join('\n') };
    } finally {
      await sdk.auth.stopRefreshTokenTimer();
      sdk.client.close();
    }
  }

  test('password: the right one joins the store, a wrong one is 1018 and never shown', async () => {
    const password = 'redis-pass-5c1e0b';
    const server = await startRedisServer({ password });
    try {
      assert.equal((await tryStore({ redisUrl: server.url, password })).role, 'leader');
      assert.equal((await tryStore({ redisUrl: server.url.replace('redis://', `redis://:${password}@`) })).role, 'leader');
      const wrong = 'wrong-pass-93ad7e';
      const refused = await tryStore({ redisUrl: server.url, password: wrong });
      assert.equal(refused.error?.errorCode, '1018', String(refused.error));
      assert.match(refused.error!.message, /refused the connection/);
      for (const text of [refused.error!.message, inspect(refused.error), refused.logged]) {
        assert.ok(!text.includes(wrong) && !text.includes(password), text);
      }
      const missing = await tryStore({ redisUrl: server.url });
      assert.equal(missing.error?.errorCode, '1018', String(missing.error));
    } finally {
      await server.close();
    }
  });

  test('a user without the channel or a database that does not exist: 1018 at start, naming the cause', async () => {
    const server = await startRedisServer();
    const admin = new Redis(server.url);
    try {
      // Redis 7 gives new users no channel by default (acl-pubsub-default resetchannels): fleet mode needs its channel.
      await admin.call('ACL', 'SETUSER', 'nochannel', 'on', '>nochannel-pass-1', '~*', 'resetchannels', '+@all');
      const noChannel = await tryStore({ redisUrl: server.url, username: 'nochannel', password: 'nochannel-pass-1' });
      assert.equal(noChannel.error?.errorCode, '1018', String(noChannel.error));
      assert.match(noChannel.error!.message, /NOPERM/);
      // The least a user needs, as the README lists it.
      await admin.call('ACL', 'SETUSER', 'least', 'on', '>least-pass-2', '~oceanconnect:*', '&oceanconnect:*', ...'+eval +get +set +del +incr +pexpire +pttl +publish +subscribe +select +ping +info +client +quit'.split(' '));
      const least = await tryStore({ redisUrl: server.url, username: 'least', password: 'least-pass-2' });
      assert.equal(least.role, 'leader', String(least.error));
      assert.equal((await admin.keys('oceanconnect:*:token')).length, 1, 'the leader wrote its token with those rights');
      const noDb = await tryStore({ redisUrl: `${server.url}/99` });
      assert.equal(noDb.error?.errorCode, '1018', String(noDb.error));
      assert.match(noDb.error!.message, /DB index/);
    } finally {
      await admin.quit();
      await server.close();
    }
  });

  test('a server that accepts the connection but never answers: standalone after connectTimeoutMs, said loudly', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = Date.now();
      const outcome = await tryStore({ redisUrl: `redis://127.0.0.1:${port}`, connectTimeoutMs: 500 });
      assert.equal(outcome.role, 'standalone', String(outcome.error));
      assert.ok(Date.now() - started < 5_000, `start took ${Date.now() - started} ms`);
      assert.match(outcome.logged, /TOKEN STORE UNREACHABLE \(redis:\/\/127\.0\.0\.1:\d+\/0: no answer within 500 ms\)/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('ACL user: username and password join the store', async () => {
    const server = await startRedisServer({ username: 'fleet', password: 'acl-pass-44e1aa' });
    try {
      assert.equal((await tryStore({ redisUrl: server.url, username: 'fleet', password: 'acl-pass-44e1aa' })).role, 'leader');
      assert.equal((await tryStore({ redisUrl: server.url.replace('redis://', 'redis://fleet:acl-pass-44e1aa@') })).role, 'leader');
      assert.equal((await tryStore({ redisUrl: server.url, username: 'fleet', password: 'nope-nope' })).error?.errorCode, '1018');
    } finally {
      await server.close();
    }
  });

  test('TLS: rediss:// with the CA joins the store; without it the certificate is refused (1018)', async () => {
    const server = await startRedisServer({ tls: true, password: 'tls-pass-0a9f' });
    try {
      assert.match(server.url, /^rediss:\/\//);
      assert.equal((await tryStore({ redisUrl: server.url, password: 'tls-pass-0a9f', tls: { ca: server.ca } })).role, 'leader');
      const untrusted = await tryStore({ redisUrl: server.url, password: 'tls-pass-0a9f' });
      assert.equal(untrusted.error?.errorCode, '1018', String(untrusted.error));
      assert.match(untrusted.error!.message, /certificate/i);
    } finally {
      await server.close();
    }
  });
});
