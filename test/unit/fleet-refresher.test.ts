import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NorthApiException } from '../../src/errors.js';
import type { LogLevel } from '../../src/logger.js';
import { FleetRefresher, type FleetRole, type FleetStore, type FleetStoreListener, type StoredToken } from '../../src/auth/fleet-refresher.js';
import type { RefresherEvent, Scheduler, TokenEndpoints } from '../../src/auth/refresh-policy.js';
import type { TokenGrant, TokenState } from '../../src/auth/token-grant.js';
import { FakeScheduler, settle } from '../helpers/fake-scheduler.js';

// ---- an in-memory Redis ---------------------------------------------------------------------------------------

type Op = 'connect' | 'acquire' | 'renew' | 'release' | 'leaseRemaining' | 'write' | 'read' | 'requestRefresh' | 'ping';

/** The shared state of one app's fleet, as Redis holds it: lease, token, version counter and the pub/sub channel. */
class MemoryRedis {
  lease: { holder: string; until: number } | undefined;
  token: { accessToken: string; version: number; lifetimeMs: number; until: number } | undefined;
  counter = 0;
  isUp = true;
  refusedWrites = 0;
  readonly connections = new Set<MemoryStore>();

  constructor(readonly clock: FakeScheduler) {}

  connection(): MemoryStore {
    const store = new MemoryStore(this);
    this.connections.add(store);
    return store;
  }

  /** The lease holder now (an expired lease is nobody's). */
  leaseHolder(): string | undefined {
    return this.lease && this.lease.until > this.clock.now() ? this.lease.holder : undefined;
  }

  stored(): StoredToken | undefined {
    const t = this.token;
    if (!t || t.until <= this.clock.now()) return undefined;
    return { accessToken: t.accessToken, version: t.version, lifetimeMs: t.lifetimeMs, remainingMs: t.until - this.clock.now() };
  }

  /** Unreachable: every command fails, every connection reports `down`. */
  down(): void {
    this.isUp = false;
    for (const c of this.connections) if (!c.dead) c.listener?.down('connect ECONNREFUSED 127.0.0.1:6379');
  }

  /** Reachable again: every connection reports `up` (in the order they connected). */
  up(): void {
    this.isUp = true;
    for (const c of this.connections) if (!c.dead) c.listener?.up();
  }

  publish(message: { kind: 'token' | 'refresh'; version: number }): void {
    for (const c of this.connections) {
      queueMicrotask(() => {
        if (c.dead || c.closed || c.muted || !this.isUp || !c.listener) return;
        if (message.kind === 'token') c.listener.tokenWritten(message.version);
        else c.listener.refreshRequested(message.version);
      });
    }
  }
}

/** One instance's connection to the MemoryRedis (what RedisTokenStore is to Redis). */
class MemoryStore implements FleetStore {
  listener: FleetStoreListener | undefined;
  closed = false;
  /** The process is gone: commands never answer, messages are not delivered. */
  dead = false;
  /** Messages on the channel are lost for this connection (a subscriber that missed them). */
  muted = false;
  /** Commands the server refuses although connected (as Redis answers NOPERM). */
  readonly refused = new Set<Op>();
  readonly #holds = new Map<Op, Promise<void>>();

  constructor(readonly redis: MemoryRedis) {}

  get connected(): boolean {
    return this.redis.isUp && !this.closed;
  }

  describe(): string {
    return 'memory://fleet/0';
  }

  /** The next `op` command is answered only once the returned function is called (a command in flight). */
  hold(op: Op): () => void {
    let release!: () => void;
    this.#holds.set(op, new Promise<void>((resolve) => (release = resolve)));
    return () => release();
  }

  async connect(listener: FleetStoreListener): Promise<boolean> {
    this.listener = listener;
    try {
      await this.#run('connect', () => undefined);
      return true;
    } catch {
      return false;
    }
  }

  acquire(holder: string, ttlMs: number): Promise<boolean> {
    return this.#run('acquire', () => {
      const current = this.redis.leaseHolder();
      if (current !== undefined && current !== holder) return false;
      this.redis.lease = { holder, until: this.redis.clock.now() + ttlMs };
      return true;
    });
  }

  renew(holder: string, ttlMs: number): Promise<boolean> {
    return this.#run('renew', () => {
      if (this.redis.leaseHolder() !== holder) return false;
      this.redis.lease = { holder, until: this.redis.clock.now() + ttlMs };
      return true;
    });
  }

  release(holder: string): Promise<void> {
    return this.#run('release', () => {
      if (this.redis.leaseHolder() === holder) this.redis.lease = undefined;
    });
  }

  leaseRemaining(): Promise<number> {
    return this.#run('leaseRemaining', () => (this.redis.leaseHolder() === undefined ? 0 : Math.max(0, this.redis.lease!.until - this.redis.clock.now())));
  }

  write(holder: string, token: { accessToken: string; lifetimeMs: number; remainingMs: number }): Promise<number | undefined> {
    return this.#run('write', () => {
      if (this.redis.leaseHolder() !== holder) {
        this.redis.refusedWrites += 1;
        return undefined;
      }
      const version = ++this.redis.counter;
      const until = this.redis.clock.now() + Math.max(1, Math.floor(token.remainingMs));
      this.redis.token = { accessToken: token.accessToken, version, lifetimeMs: Math.round(token.lifetimeMs), until };
      this.redis.publish({ kind: 'token', version });
      return version;
    });
  }

  read(): Promise<StoredToken | undefined> {
    return this.#run('read', () => this.redis.stored());
  }

  requestRefresh(staleVersion: number): Promise<boolean> {
    return this.#run('requestRefresh', () => {
      const stored = this.redis.stored();
      if (stored && stored.version !== staleVersion) return false;
      this.redis.publish({ kind: 'refresh', version: staleVersion });
      return true;
    });
  }

  ping(): Promise<void> {
    return this.#run('ping', () => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.redis.connections.delete(this);
  }

  /** A command: sent now (refused on a closed connection), answered a round trip later (or when its hold ends). */
  async #run<T>(op: Op, command: () => T): Promise<T> {
    if (this.dead) return new Promise<never>(() => undefined);
    if (this.closed) throw new Error('Connection is closed.');
    const hold = this.#holds.get(op);
    if (hold) {
      this.#holds.delete(op);
      await hold;
    }
    await Promise.resolve();
    if (!this.redis.isUp) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    if (this.refused.has(op)) throw new Error(`NOPERM this user has no permissions to run the '${op}' command`);
    return command();
  }
}

// ---- the platform and the instances ---------------------------------------------------------------------------

function platformError(status: number, code: string): NorthApiException {
  return new NorthApiException({ errorCode: code, errorDesc: 'scripted', httpStatusCode: status });
}

/** The token endpoints of one app: every login or refresh voids the token (and refresh token) issued before. */
class Platform {
  readonly calls = new Map<string, { logins: number; refreshes: number }>();
  newest: { accessToken: string; refreshToken: string; expiresAt: number } | undefined;
  /** Every access and refresh token issued, to check that none reaches a log line. */
  readonly secrets: string[] = [];
  /** When set, every login and refresh fails with it. */
  failure: NorthApiException | undefined;
  #gate: Promise<void> | undefined;
  #serial = 0;

  constructor(
    readonly clock: FakeScheduler,
    readonly expiresIn: number,
  ) {}

  get total(): number {
    let total = 0;
    for (const c of this.calls.values()) total += c.logins + c.refreshes;
    return total;
  }

  get logins(): number {
    let total = 0;
    for (const c of this.calls.values()) total += c.logins;
    return total;
  }

  /** Whether the platform takes `token` now. */
  accepts(token: string): boolean {
    return this.newest?.accessToken === token && this.clock.now() < this.newest.expiresAt;
  }

  /** Answers to logins and refreshes wait until the returned function is called (requests in flight). */
  holdAnswers(): () => void {
    let release!: () => void;
    this.#gate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.#gate = undefined;
      release();
    };
  }

  endpointsFor(instance: string): TokenEndpoints {
    const count = { logins: 0, refreshes: 0 };
    this.calls.set(instance, count);
    return {
      login: async () => {
        count.logins += 1;
        return this.#answer(undefined);
      },
      refresh: async (refreshToken: string) => {
        count.refreshes += 1;
        return this.#answer(refreshToken);
      },
    };
  }

  async #answer(refreshToken: string | undefined): Promise<TokenGrant> {
    if (this.#gate) await this.#gate;
    if (this.failure) throw this.failure;
    if (refreshToken !== undefined && refreshToken !== this.newest?.refreshToken) throw platformError(401, '100208');
    this.#serial += 1;
    const grant: TokenGrant = { accessToken: `access-${this.#serial}`, refreshToken: `refresh-${this.#serial}`, expiresIn: this.expiresIn, tokenType: 'bearer', scope: 'default' };
    this.newest = { accessToken: grant.accessToken, refreshToken: grant.refreshToken, expiresAt: this.clock.now() + this.expiresIn * 1000 };
    this.secrets.push(grant.accessToken, grant.refreshToken);
    return grant;
  }
}

/** One instance's view of the shared fake clock; kill() is a process that dies: none of its timers fires again. */
class InstanceClock implements Scheduler {
  readonly #handles = new Set<unknown>();
  #dead = false;

  constructor(readonly clock: FakeScheduler) {}

  now(): number {
    return this.clock.now();
  }

  random(): number {
    return this.clock.random();
  }

  setTimeout(fn: () => void, ms: number): unknown {
    if (this.#dead) return undefined;
    const handle = this.clock.setTimeout(() => {
      this.#handles.delete(handle);
      if (!this.#dead) fn();
    }, ms);
    this.#handles.add(handle);
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.#handles.delete(handle);
    this.clock.clearTimeout(handle);
  }

  /** Timers of this instance still pending. */
  get pending(): number {
    return this.#handles.size;
  }

  kill(): void {
    this.#dead = true;
    for (const handle of this.#handles) this.clock.clearTimeout(handle);
    this.#handles.clear();
  }
}

interface Member {
  name: string;
  refresher: FleetRefresher;
  store: MemoryStore;
  clock: InstanceClock;
  tokens: TokenState[];
  events: RefresherEvent[];
  role(): FleetRole;
  calls(): { logins: number; refreshes: number };
  /** The process dies: no timer fires, its connection goes silent, the lease is not given up. */
  kill(): void;
  killed: boolean;
}

interface Setup {
  members?: number;
  expiresIn?: number;
  leaseTtlMs?: number;
  maxWaitMs?: number;
}

function setup({ members = 3, expiresIn = 2, leaseTtlMs = 600, maxWaitMs = 5_000 }: Setup = {}) {
  const clock = new FakeScheduler();
  const redis = new MemoryRedis(clock);
  const platform = new Platform(clock, expiresIn);
  const logs: Array<{ level: LogLevel; message: string }> = [];
  const all: Member[] = [];
  const make = (name: string): Member => {
    const store = redis.connection();
    const view = new InstanceClock(clock);
    const tokens: TokenState[] = [];
    const events: RefresherEvent[] = [];
    const endpoints = platform.endpointsFor(name);
    const refresher = new FleetRefresher(store, endpoints, view, { onToken: (s) => tokens.push(s), onEvent: (e) => events.push(e) }, {
      leaseTtlMs,
      maxWaitMs,
      instance: name,
      log: (level, message) => logs.push({ level, message }),
    });
    const member: Member = {
      name,
      refresher,
      store,
      clock: view,
      tokens,
      events,
      killed: false,
      role: () => refresher.status().fleet!.role,
      calls: () => ({ ...platform.calls.get(name)! }),
      kill: () => {
        member.killed = true;
        view.kill();
        store.dead = true;
      },
    };
    all.push(member);
    return member;
  };
  for (let i = 0; i < members; i++) make(String.fromCharCode(65 + i));
  return {
    clock,
    redis,
    platform,
    logs,
    members: all,
    add: make,
    async startAll(): Promise<void> {
      for (const m of all) await m.refresher.start();
    },
    /** Stops every instance still alive (a killed one would wait for its dead connection forever). */
    async stopAll(): Promise<void> {
      for (const m of all) if (!m.killed) await m.refresher.stop();
    },
    roles: (of: Member[] = all) => of.filter((m) => !m.killed).map((m) => m.role()),
  };
}

/** Advances the clock in steps until `done()` holds; the time it took, or Infinity after `limitMs`. */
async function advanceUntil(clock: FakeScheduler, done: () => boolean, limitMs: number, stepMs = 10): Promise<number> {
  let elapsed = 0;
  while (!done()) {
    if (elapsed >= limitMs) return Infinity;
    await clock.advance(stepMs);
    elapsed += stepMs;
  }
  return elapsed;
}

/** Whether a promise has settled yet (without waiting for it). */
function tracked<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { promise, settled: () => settled };
}

/** What a call comes to, advancing the clock while it waits: 'valid token', 'void token' or 'rejected <code>'. */
async function outcomeOf(clock: FakeScheduler, platform: Platform, call: Promise<TokenState>, limitMs = 10_000): Promise<string> {
  const t = tracked(call);
  await advanceUntil(clock, t.settled, limitMs, 50);
  if (!t.settled()) return 'still waiting';
  return call.then(
    (s) => (platform.accepts(s.accessToken) ? 'valid token' : 'void token'),
    (e: unknown) => `rejected ${e instanceof NorthApiException ? e.errorCode : String(e)}`,
  );
}

const isCode = (code: string) => (error: unknown) => error instanceof NorthApiException && error.errorCode === code;

// ---- the rules --------------------------------------------------------------------------------------------------

describe('fleet refresher', () => {
  test('rules 1 and 3: three instances, one leader, the renewals of one instance alone, followers serve the newest token', async () => {
    const alone = setup({ members: 1 });
    await alone.startAll();
    await alone.clock.advance(12_000);
    const baseline = alone.platform.total;
    await alone.stopAll();
    assert.ok(baseline >= 8, `one instance alone renews about every 1.5 s (${baseline} calls)`);

    const { clock, platform, members, startAll, stopAll, roles, logs } = setup({ members: 3 });
    await startAll();
    assert.deepEqual(roles(), ['leader', 'follower', 'follower']);
    for (let t = 250; t <= 12_000; t += 250) {
      await clock.advance(250);
      assert.equal(roles().filter((r) => r === 'leader').length, 1, `one leader at ${t} ms`);
      for (const m of members) {
        const token = await m.refresher.getToken();
        assert.equal(token.accessToken, platform.newest!.accessToken, `${m.name} serves the newest token at ${t} ms`);
      }
    }
    assert.ok(Math.abs(platform.total - baseline) <= 1, `fleet: ${platform.total} logins+refreshes, one instance alone: ${baseline}`);
    for (const follower of members.slice(1)) assert.deepEqual(follower.calls(), { logins: 0, refreshes: 0 }, `${follower.name} called the platform`);
    assert.equal(members[1]!.refresher.status().fleet!.storeVersion > 1, true, 'followers serve tokens through the store');
    for (const { message } of logs) for (const secret of platform.secrets) assert.ok(!message.includes(secret), `a token in the log: ${message}`);
    await stopAll();
  });

  test('rule 1: a leader whose lease someone else holds has its write refused, steps down and stops renewing', async () => {
    // A long lease: the leader's own check does not ask the store before the token's renewal at 1.5 s.
    const { clock, redis, platform, members, startAll, stopAll, logs } = setup({ members: 2, leaseTtlMs: 30_000 });
    const [leader] = members as [Member, Member];
    await startAll();
    const written = redis.stored()!;
    redis.lease = { holder: 'intruder', until: clock.now() + 120_000 };
    await clock.advance(1_600);
    assert.equal(leader.calls().refreshes, 1, 'the renewal was made');
    assert.equal(redis.refusedWrites, 1, 'and its write refused');
    assert.equal(redis.stored()?.version, written.version, 'the store still holds the token written before');
    assert.equal(leader.refresher.status().fleet?.role, 'follower');
    assert.ok(logs.some((l) => l.level === 'warn' && /no longer the leader/.test(l.message)));
    const before = platform.total;
    await clock.advance(20_000);
    assert.equal(platform.total, before, 'the local refresher of the former leader stopped');
    await stopAll();
  });

  test('rule 4: compare-and-refresh: three followers rejecting the stored token cause one renewal; an older token none', async () => {
    const { clock, platform, members, startAll, stopAll } = setup({ members: 4, expiresIn: 60 });
    const [leader, ...followers] = members as [Member, Member, Member, Member];
    await startAll();
    await clock.advance(100);
    const first = platform.newest!.accessToken;
    assert.equal(platform.total, 1);

    const asks = followers.map((f) => f.refresher.forceRefresh(first));
    await clock.advance(50);
    const renewed = await Promise.all(asks);
    const second = platform.newest!.accessToken;
    assert.notEqual(second, first);
    assert.deepEqual(
      renewed.map((s) => s.accessToken),
      [second, second, second],
    );
    assert.equal(platform.total, 2, 'one renewal for the three asks');
    assert.equal(leader.calls().refreshes, 1);
    assert.equal((await leader.refresher.getToken()).accessToken, second);

    // A token older than the one stored: no renewal, the stored token.
    assert.equal((await followers[0].refresher.forceRefresh(first)).accessToken, second);
    assert.equal((await leader.refresher.forceRefresh(first)).accessToken, second);
    assert.equal(platform.total, 2);

    // The same through the store: a follower that missed the message of the next token asks with the one it has.
    followers[2].store.muted = true;
    const asked = followers[0].refresher.forceRefresh(second);
    await clock.advance(50);
    const third = (await asked).accessToken;
    assert.equal(platform.total, 3);
    followers[2].store.muted = false;
    assert.equal((await followers[2].refresher.getToken()).accessToken, second, 'it missed the message');
    assert.equal((await followers[2].refresher.forceRefresh(second)).accessToken, third);
    await clock.advance(50);
    assert.equal(platform.total, 3, 'no renewal for a token older than the stored one');
    await stopAll();
  });

  test('rule 5: the leader dies: a follower leads within the lease lifetime, seeded (no login then), then renews by login', async () => {
    const { clock, platform, members, startAll, stopAll, roles } = setup({ members: 3, leaseTtlMs: 600 });
    const [dead, ...rest] = members as [Member, Member, Member];
    const startedAt = clock.now();
    await startAll();
    await clock.advance(100);
    const first = platform.newest!.accessToken;
    const callsBefore = platform.total;

    dead.kill();
    const took = await advanceUntil(clock, () => rest.some((m) => m.role() === 'leader'), 2_000);
    // The lease had at most 600 ms left when the leader died; the follower tries 5 ms after it runs out.
    assert.ok(took <= 600 + 20, `took over after ${took} ms`);
    assert.deepEqual(roles().sort(), ['follower', 'leader']);
    const heir = rest.find((m) => m.role() === 'leader')!;
    const other = rest.find((m) => m !== heir)!;
    assert.equal(platform.total, callsBefore, 'the takeover sent no request: the stored token was still usable');
    assert.equal((await heir.refresher.getToken()).accessToken, first);
    assert.ok(platform.accepts(first), 'the token in use was not voided');

    // The seed has no refresh token: the renewal at issuedAt + 1.5 s is a login.
    await clock.advance(startedAt + 1_510 - clock.now());
    assert.deepEqual(heir.calls(), { logins: 1, refreshes: 0 });
    assert.equal((await other.refresher.getToken()).accessToken, platform.newest!.accessToken);
    assert.deepEqual(other.calls(), { logins: 0, refreshes: 0 });
    await stopAll();
  });

  test('rule 6: store down: standalone, tokens still served, a loud error; store up: one leader again', async () => {
    const { clock, redis, platform, members, startAll, stopAll, roles, logs } = setup({ members: 3 });
    await startAll();
    await clock.advance(100);

    redis.down();
    await settle();
    assert.deepEqual(roles(), ['standalone', 'standalone', 'standalone']);
    assert.ok(logs.some((l) => l.level === 'error' && /TOKEN STORE UNREACHABLE \(memory:\/\/fleet\/0/.test(l.message)));
    for (const m of members) assert.ok((await m.refresher.getToken()).expiresAt > clock.now());
    await clock.advance(3_000);
    for (const m of members) {
      const token = await m.refresher.getToken();
      assert.ok(token.expiresAt - clock.now() > 100, `${m.name} serves a usable token of its own`);
      assert.ok(m.calls().logins + m.calls().refreshes >= 1, `${m.name} renewed on its own`);
    }

    redis.up();
    await clock.advance(50);
    assert.deepEqual(roles().sort(), ['follower', 'follower', 'leader']);
    const leader = members.find((m) => m.role() === 'leader')!;
    const followers = members.filter((m) => m !== leader);
    const followerCalls = followers.map((f) => f.calls());
    await clock.advance(3_000);
    assert.deepEqual(roles().sort(), ['follower', 'follower', 'leader']);
    for (const m of members) assert.equal((await m.refresher.getToken()).accessToken, platform.newest!.accessToken, `${m.name} after the rejoin`);
    assert.deepEqual(
      followers.map((f) => f.calls()),
      followerCalls,
      'followers no longer call the platform',
    );
    for (const { message } of logs) for (const secret of platform.secrets) assert.ok(!message.includes(secret), `a token in the log: ${message}`);
    await stopAll();
  });

  test('rule 8: standalone, a token rejected young waits a doubling backoff shared by its callers; an old one renews at once', async () => {
    const { clock, redis, platform, members, stopAll } = setup({ members: 1, expiresIn: 60 });
    const [a] = members as [Member];
    await a.refresher.start();
    redis.down();
    await settle();
    assert.equal(a.role(), 'standalone');
    const renewals = (): number => a.calls().logins + a.calls().refreshes;

    // A token voided moments after it came (another instance renewed): three callers, one renewal, after 50-100 ms.
    const young = (await a.refresher.getToken()).accessToken;
    const before = renewals();
    const asks = [1, 2, 3].map(() => a.refresher.forceRefresh(young));
    await clock.advance(49);
    assert.equal(renewals(), before, 'no renewal before the backoff');
    const waited = await advanceUntil(clock, () => renewals() > before, 200, 1);
    assert.ok(waited <= 52, `renewed ${49 + waited} ms after the rejection`);
    const renewed = await Promise.all(asks);
    assert.equal(new Set(renewed.map((t) => t.accessToken)).size, 1);
    assert.notEqual(renewed[0]!.accessToken, young);
    assert.equal(renewals(), before + 1);

    // Voided young again: the backoff doubles (100-200 ms).
    const second = a.refresher.forceRefresh(renewed[0]!.accessToken);
    await clock.advance(99);
    assert.equal(renewals(), before + 1, 'the second backoff is longer');
    await clock.advance(101);
    await second;
    assert.equal(renewals(), before + 2);

    // A token that lived longer than a second was not voided by a renewal race: renewed at once.
    await clock.advance(1_500);
    const old = (await a.refresher.getToken()).accessToken;
    const prompt = a.refresher.forceRefresh(old);
    await clock.advance(1);
    await prompt;
    assert.equal(renewals(), before + 3);
    assert.ok(platform.accepts((await a.refresher.getToken()).accessToken));
    await stopAll();
  });

  test('a store that is connected but refuses writes: standalone, and rejoins back off instead of renewing every tick', async () => {
    const { clock, platform, members, logs, stopAll } = setup({ members: 1, expiresIn: 60, leaseTtlMs: 600 });
    const [a] = members as [Member];
    await a.refresher.start();
    const before = platform.total;
    a.store.refused.add('write');
    await a.refresher.forceRefresh((await a.refresher.getToken()).accessToken); // a renewal whose write is refused
    await settle();
    assert.equal(a.role(), 'standalone');
    // Each rejoin renews first (its token may be void) and the write is refused again: 1 s, 2 s, 4 s apart, not 200 ms.
    await clock.advance(10_000);
    const renewals = platform.total - before;
    assert.ok(renewals >= 2 && renewals <= 5, `${renewals} renewals in 10 s`);
    const refusedLines = logs.filter((l) => l.level === 'error' && l.message.includes('NOPERM')).length;
    assert.ok(refusedLines <= 5, `${refusedLines} error lines in 10 s`);
    a.store.refused.clear();
    await clock.advance(20_000);
    assert.equal(a.role(), 'leader', 'back once the store takes writes again');
    await stopAll();
  });

  test('stop(): the leader gives the lease up, waiters get 1016, no timer is left', async () => {
    const { clock, redis, platform, members, stopAll, startAll } = setup({ members: 3, leaseTtlMs: 600 });
    const [leader, follower, third] = members as [Member, Member, Member];
    await startAll();
    const first = platform.newest!.accessToken;
    const release = platform.holdAnswers(); // renewals hang at the platform
    const onLeader = tracked(leader.refresher.forceRefresh(first));
    const onFollower = tracked(follower.refresher.forceRefresh(first));
    await clock.advance(10);
    assert.equal(onLeader.settled() || onFollower.settled(), false, 'both wait for the renewal');

    await leader.refresher.stop();
    await follower.refresher.stop();
    await assert.rejects(onLeader.promise, isCode('1016'));
    await assert.rejects(onFollower.promise, isCode('1016'));
    assert.equal(redis.leaseHolder(), undefined, 'the lease was given up');
    assert.equal(leader.clock.pending, 0, 'no timer left on the leader');
    assert.equal(follower.clock.pending, 0, 'no timer left on the follower');
    await assert.rejects(follower.refresher.getToken(), isCode('1016'));

    // The remaining instance takes the vacant lease at its next tick, not a lease lifetime later.
    await clock.advance(200);
    assert.equal(third.role(), 'leader');
    release();
    await stopAll();
    assert.equal(third.clock.pending, 0);
  });
});

// ---- races and failures: role changes under calls, lost messages, a store that forgets ---------------------------

describe('fleet refresher: races and failures', () => {
  test('the store goes down while a new leader reads it: the instance still serves tokens and, back, leads with a refresher', async () => {
    const { clock, redis, platform, members, stopAll } = setup({ members: 2, leaseTtlMs: 600 });
    const [dead, heir] = members as [Member, Member];
    await dead.refresher.start();
    await heir.refresher.start();
    await clock.advance(100);
    dead.kill();
    // The heir's takeover reads the store (#lead) and the store goes down during that read.
    const releaseRead = heir.store.hold('read');
    await advanceUntil(clock, () => heir.role() === 'leader', 2_000);
    redis.down();
    releaseRead();
    await settle();
    assert.equal(heir.role(), 'standalone');
    await clock.advance(2_500); // the token taken from the store has expired
    const standalone = await outcomeOf(clock, platform, heir.refresher.getToken());

    redis.up();
    await clock.advance(1_000);
    const led = await outcomeOf(clock, platform, heir.refresher.getToken());
    assert.deepEqual(
      { standalone, afterRejoin: { role: heir.role(), token: led } },
      { standalone: 'valid token', afterRejoin: { role: 'leader', token: 'valid token' } },
      `a standalone instance must renew on its own, and a leader for the fleet (logins by the heir: ${heir.calls().logins})`,
    );
    await stopAll();
  });

  test('a follower falling back while the platform fails: its refresher recovers when the platform does', async () => {
    const { clock, redis, platform, members, stopAll } = setup({ members: 2, leaseTtlMs: 600 });
    const [leader, follower] = members as [Member, Member];
    await leader.refresher.start();
    await follower.refresher.start();
    platform.failure = platformError(503, '50252');
    await clock.advance(2_100); // the leader cannot renew: the follower's token has expired
    redis.down(); // the follower starts its own refresher with nothing to seed it, and the platform still fails
    await clock.advance(10_000); // three failed logins (backoff 2.5 s, 5 s): its refresher gives up as at start()
    platform.failure = undefined;
    await clock.advance(2_000);
    const outcome = await outcomeOf(clock, platform, follower.refresher.getToken());
    assert.equal(follower.refresher.status().running, true);
    assert.equal(outcome, 'valid token', 'the platform is back: the standalone instance should get a token');
    await stopAll();
  });

  test('rule 5 of refresh-policy: a terminal login error is not retried by every takeover', async () => {
    const { clock, platform, members, stopAll } = setup({ members: 3, leaseTtlMs: 600 });
    const [leader] = members as [Member, Member, Member];
    for (const m of members) await m.refresher.start();
    platform.failure = platformError(401, '100208'); // the app secret was changed
    await clock.advance(2_500); // the leader's renewal failed for good; the token expired
    leader.kill(); // its process is restarted by the operator, say
    const before = platform.logins;
    await clock.advance(10_000);
    const logins = platform.logins - before;
    assert.ok(logins <= 2, `${logins} logins with the refused credentials in 10 s (one per instance would do)`);
    await stopAll();
  });

  test('stop() while a compare-and-refresh request is in flight: the caller gets 1016 at once and no timer is left', async () => {
    const { clock, platform, members, stopAll } = setup({ members: 2 });
    const [, follower] = members as [Member, Member];
    for (const m of members) await m.refresher.start();
    const first = platform.newest!.accessToken;
    const releaseRequest = follower.store.hold('requestRefresh');
    const asked = tracked(follower.refresher.forceRefresh(first));
    await settle();
    await follower.refresher.stop();
    releaseRequest();
    await clock.advance(10);
    const settledAtOnce = asked.settled();
    const timersLeft = follower.clock.pending;
    const outcome = await outcomeOf(clock, platform, asked.promise);
    assert.deepEqual({ settledAtOnce, timersLeft, outcome }, { settledAtOnce: true, timersLeft: 0, outcome: 'rejected 1016' });
    await stopAll();
  });

  test('stop() while a takeover is in flight: the lease is not left held by the stopped instance', async () => {
    const { clock, redis, members, stopAll } = setup({ members: 2, leaseTtlMs: 600 });
    const [dead, follower] = members as [Member, Member];
    for (const m of members) await m.refresher.start();
    dead.kill();
    const releaseAcquire = follower.store.hold('acquire');
    await clock.advance(800); // the tick's acquire is in flight; the dead leader's lease has expired meanwhile
    // stop() waits for the lease request in flight (bounded by the store's command timeout), then gives it up.
    const stopping = follower.refresher.stop();
    releaseAcquire();
    await stopping;
    await settle();
    assert.equal(redis.leaseHolder(), undefined, `the lease is held by the stopped instance ${redis.leaseHolder()}`);
    assert.notEqual(follower.refresher.status().fleet?.role, 'leader', 'a stopped instance reports itself leader');
    await stopAll();
  });

  test('a refresh request made while the leader was gone is served by the next leader', async () => {
    const { clock, platform, members, stopAll } = setup({ members: 3, expiresIn: 60, leaseTtlMs: 600, maxWaitMs: 5_000 });
    const [dead, , asker] = members as [Member, Member, Member];
    for (const m of members) await m.refresher.start();
    await clock.advance(100);
    const first = platform.newest!.accessToken;
    dead.kill(); // e.g. it renewed at the platform and died before writing the token: the stored one is void
    platform.newest = undefined;
    const asked = tracked(asker.refresher.forceRefresh(first));
    await clock.advance(2_000); // another instance took over meanwhile (within 0.8 s)
    const servedWithin2s = asked.settled();
    const outcome = await outcomeOf(clock, platform, asked.promise);
    assert.deepEqual({ servedWithin2s, outcome }, { servedWithin2s: true, outcome: 'valid token' });
    await stopAll();
  });

  test('the store is back: the token the fleet then serves is one the platform still takes', async () => {
    const { clock, redis, platform, members, startAll, stopAll } = setup({ members: 3 });
    await startAll();
    await clock.advance(100);
    redis.down();
    await clock.advance(3_200); // each instance renewed on its own: only the last one's token is valid
    redis.up();
    await clock.advance(50);
    for (const m of members) {
      const token = await m.refresher.getToken();
      assert.ok(platform.accepts(token.accessToken), `${m.name} (${m.role()}) serves ${token.accessToken}, voided by ${platform.newest?.accessToken}`);
    }
    await stopAll();
  });

  test('versions start again (the version key was evicted or flushed): followers still take the new tokens', async () => {
    const { clock, redis, platform, members, startAll, stopAll } = setup({ members: 2 });
    const [, follower] = members as [Member, Member];
    await startAll();
    await clock.advance(1_600); // the leader renewed: version 2
    assert.equal(follower.refresher.status().fleet?.storeVersion, 2);
    redis.counter = 0;
    await clock.advance(1_500); // the next renewal is written as version 1
    assert.equal(redis.stored()?.version, 1);
    const token = await follower.refresher.getToken();
    assert.equal(token.accessToken, platform.newest!.accessToken, 'the follower serves a token the platform voided');
    await stopAll();
  });
});
