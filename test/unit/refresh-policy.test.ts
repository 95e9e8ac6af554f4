import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NorthApiException } from '../../src/errors.js';
import { TokenRefresher, backoffMs, readSafetyMs, refreshMarginMs, type RefresherEvent, type TokenEndpoints } from '../../src/auth/refresh-policy.js';
import type { TokenGrant, TokenState } from '../../src/auth/token-grant.js';
import { FakeScheduler, settle } from '../helpers/fake-scheduler.js';

type Answer = TokenGrant | NorthApiException | Promise<TokenGrant>;

/** Token endpoints that answer from a script and count their calls. */
class ScriptedEndpoints implements TokenEndpoints {
  logins = 0;
  refreshes = 0;
  refreshTokensSeen: string[] = [];
  loginAnswers: Answer[] = [];
  refreshAnswers: Answer[] = [];
  #serial = 0;
  constructor(private readonly expiresIn: number) {}

  grant(): TokenGrant {
    this.#serial += 1;
    return { accessToken: `access-${this.#serial}`, refreshToken: `refresh-${this.#serial}`, expiresIn: this.expiresIn, tokenType: 'bearer', scope: 'default' };
  }

  async login(): Promise<TokenGrant> {
    this.logins += 1;
    return this.#answer(this.loginAnswers.shift());
  }

  async refresh(refreshToken: string): Promise<TokenGrant> {
    this.refreshes += 1;
    this.refreshTokensSeen.push(refreshToken);
    return this.#answer(this.refreshAnswers.shift());
  }

  async #answer(answer: Answer | undefined): Promise<TokenGrant> {
    if (answer === undefined) return this.grant();
    if (answer instanceof NorthApiException) throw answer;
    return answer;
  }
}

function platformError(status: number, code: string, retryAfterMs?: number): NorthApiException {
  return new NorthApiException({ errorCode: code, errorDesc: 'scripted', httpStatusCode: status, retryAfterMs });
}

function setup(expiresIn = 2) {
  const clock = new FakeScheduler();
  const endpoints = new ScriptedEndpoints(expiresIn);
  const tokens: TokenState[] = [];
  const events: RefresherEvent[] = [];
  const refresher = new TokenRefresher(endpoints, clock, { onToken: (s) => tokens.push(s), onEvent: (e) => events.push(e) });
  return { clock, endpoints, tokens, events, refresher };
}

describe('refresh timing', () => {
  test('margin scales with the lifetime: 300 s for 3600 s tokens, 0.5 s for 2 s tokens', () => {
    assert.equal(refreshMarginMs(3_600_000), 300_000);
    assert.equal(refreshMarginMs(2_000), 500);
    assert.ok(readSafetyMs(2_000) < refreshMarginMs(2_000));
    assert.ok(readSafetyMs(3_600_000) < refreshMarginMs(3_600_000));
  });

  test('backoff grows, stays under half the margin and never reaches zero', () => {
    const delays = [0, 1, 2, 3, 10].map((attempt) => backoffMs(2_000, attempt, 1));
    assert.deepEqual(delays, [20, 40, 80, 160, 250]);
    assert.ok(backoffMs(3_600_000, 30, 1) <= 60_000);
    assert.ok(backoffMs(2_000, 0, 0) > 0);
  });

  test('rule 1: refreshes at sentAt + expiresIn - margin - jitter, through the refresh endpoint', async () => {
    const { clock, endpoints, refresher, tokens } = setup(2);
    clock.randomValue = 0.5; // jitter = 0.5 * margin / 4 = 62.5 ms
    const first = await refresher.start();
    assert.equal(endpoints.logins, 1);
    assert.equal(first.expiresAt - first.issuedAt, 2000);
    await clock.advance(2000 - 500 - 62.5 - 1);
    assert.equal(endpoints.refreshes, 0);
    await clock.advance(1);
    assert.equal(endpoints.refreshes, 1);
    assert.deepEqual(endpoints.refreshTokensSeen, ['refresh-1']);
    assert.equal(tokens.length, 2);
    assert.equal(tokens[1]!.version, 2);
    refresher.stop();
  });

  test('a 3600 s token is refreshed about 5 minutes early, never more than 6.25 minutes early', async () => {
    const { clock, endpoints, refresher } = setup(3600);
    clock.randomValue = 0.999;
    await refresher.start();
    await clock.advance(3_600_000 - 375_000 - 1);
    assert.equal(endpoints.refreshes, 0);
    await clock.advance(3_600_000);
    assert.ok(endpoints.refreshes >= 1);
    refresher.stop();
  });
});

describe('refresh rules', () => {
  test('rule 2: a refresh answered with 100208 falls back to login', async () => {
    const { clock, endpoints, refresher, events } = setup(2);
    await refresher.start();
    endpoints.refreshAnswers.push(platformError(401, '100208'));
    await clock.advance(1500);
    assert.equal(endpoints.refreshes, 1);
    assert.equal(endpoints.logins, 2);
    const last = events.at(-1);
    assert.equal(last?.type, 'refreshed');
    assert.equal(last?.type === 'refreshed' && last.via, 'login');
    refresher.stop();
  });

  test('rule 3: concurrent asks share one renewal', async () => {
    const { clock, endpoints, refresher } = setup(2);
    const first = await refresher.start();
    let release!: (g: TokenGrant) => void;
    endpoints.refreshAnswers.push(new Promise<TokenGrant>((resolve) => (release = resolve)));
    clock.jump(1000);
    const asks = Array.from({ length: 20 }, () => refresher.forceRefresh(first.accessToken));
    clock.jump(990); // the cached token is now inside the safety window: reads join the renewal too
    const reads = Array.from({ length: 20 }, () => refresher.getToken());
    await settle();
    assert.equal(endpoints.refreshes, 1);
    release(endpoints.grant());
    const results = await Promise.all([...asks, ...reads]);
    assert.equal(new Set(results.map((s) => s.accessToken)).size, 1);
    assert.equal(endpoints.refreshes + endpoints.logins, 2);
    refresher.stop();
  });

  test('compare-and-refresh: a stale token that is no longer current gets the current one without a request', async () => {
    const { clock, endpoints, refresher } = setup(2);
    const first = await refresher.start();
    await clock.advance(1500);
    assert.equal(endpoints.refreshes, 1);
    const current = await refresher.forceRefresh(first.accessToken);
    assert.notEqual(current.accessToken, first.accessToken);
    assert.equal(endpoints.refreshes, 1);
    const renewed = await refresher.forceRefresh(current.accessToken);
    assert.equal(endpoints.refreshes, 2);
    assert.notEqual(renewed.accessToken, current.accessToken);
    refresher.stop();
  });

  test('rule 4: failures while the token is valid keep it served and retry with growing backoff', async () => {
    const { clock, endpoints, refresher, events } = setup(2);
    const first = await refresher.start();
    endpoints.refreshAnswers.push(platformError(503, '50252'), platformError(503, '50252'), platformError(503, '50252'));
    await clock.advance(1500);
    assert.equal(endpoints.refreshes, 1);
    assert.equal((await refresher.getToken()).accessToken, first.accessToken);
    await clock.advance(300);
    assert.equal(endpoints.refreshes, 4);
    const failures = events.filter((e) => e.type === 'refresh-failed');
    assert.equal(failures.length, 3);
    const delays = failures.map((e) => (e.type === 'refresh-failed' ? e.retryInMs ?? 0 : 0));
    assert.ok(delays[0]! < delays[1]! && delays[1]! < delays[2]!, `delays grow: ${delays}`);
    assert.notEqual((await refresher.getToken()).accessToken, first.accessToken);
    refresher.stop();
  });

  test('rule 4: Retry-After is honoured', async () => {
    const { clock, endpoints, refresher } = setup(3600);
    await refresher.start();
    endpoints.refreshAnswers.push(platformError(503, '50252', 120_000));
    await clock.advance(3_300_000);
    assert.equal(endpoints.refreshes, 1);
    await clock.advance(119_000);
    assert.equal(endpoints.refreshes, 1);
    await clock.advance(1_000);
    assert.equal(endpoints.refreshes, 2);
    refresher.stop();
  });

  test('rule 4 and 7: past expiry a reader waits for a renewal, then gets 1015, never the expired token', async () => {
    const { clock, endpoints, refresher } = setup(2);
    await refresher.start();
    for (let i = 0; i < 200; i++) endpoints.refreshAnswers.push(platformError(503, '50252'));
    await clock.advance(2100);
    const read = refresher.getToken();
    let settled = false;
    read.then(
      () => (settled = true),
      () => (settled = true),
    );
    await clock.advance(1_900);
    assert.equal(settled, false, 'still waiting within the 2 s limit');
    await clock.advance(100);
    await assert.rejects(read, (error: NorthApiException) => error.errorCode === '1015' && error.errorDesc.includes('50252'));
    refresher.stop();
  });

  test('rule 7: a token rejected during a failed renewal: callers wait across the backoff and get the next token', async () => {
    const { clock, endpoints, refresher } = setup(2);
    const first = await refresher.start();
    endpoints.refreshAnswers.push(platformError(503, '50252'), platformError(503, '50252'));
    await clock.advance(1_550); // the scheduled refresh failed; a retry is pending
    assert.equal(endpoints.refreshes >= 1, true);
    const asks = Array.from({ length: 10 }, () => refresher.forceRefresh(first.accessToken));
    const reads = Array.from({ length: 5 }, () => refresher.getToken());
    await clock.advance(400);
    const tokens = await Promise.all([...asks, ...reads]);
    assert.equal(new Set(tokens.map((t) => t.accessToken)).size, 1);
    assert.notEqual(tokens[0]!.accessToken, first.accessToken);
    assert.equal(endpoints.refreshes, 3, 'the waiting callers made no renewal of their own');
    refresher.stop();
  });

  test('rule 4: a Retry-After beyond 5 minutes is cut to 5 minutes (a 30-day one would overflow the timer)', async () => {
    const { clock, endpoints, refresher } = setup(3600);
    await refresher.start();
    endpoints.refreshAnswers.push(platformError(503, '50252', 30 * 86_400_000));
    await clock.advance(3_300_000);
    assert.equal(endpoints.refreshes, 1);
    await clock.advance(299_000);
    assert.equal(endpoints.refreshes, 1);
    await clock.advance(1_000);
    assert.equal(endpoints.refreshes, 2);
    refresher.stop();
  });

  test('rule 7: a token that arrives already too old to use goes to no waiter; the next one does', async () => {
    const { clock, endpoints, refresher } = setup(2);
    const first = await refresher.start();
    let late!: (grant: TokenGrant) => void;
    endpoints.refreshAnswers.push(new Promise<TokenGrant>((resolve) => (late = resolve)));
    await clock.advance(1_550); // the scheduled refresh is sent and hangs
    const waiting = refresher.forceRefresh(first.accessToken);
    // 3.45 s: the hanging refresh (sent by 1.5 s, 2 s life) answers with a token past its use; the waiter, there since
    // 1.55 s, may wait until 3.55 s.
    await clock.advance(1_900);
    late(endpoints.grant());
    await clock.advance(10);
    const token = await waiting;
    assert.ok(token.expiresAt - clock.now() > 1_500, 'the waiter got the fresh token, not the stale one');
    assert.equal(endpoints.refreshes, 2);
    refresher.stop();
  });

  test('rule 7: a terminal error or stop() ends the wait at once', async () => {
    const { clock, endpoints, refresher } = setup(2);
    const first = await refresher.start();
    endpoints.refreshAnswers.push(platformError(503, '50252'), platformError(401, '100208'));
    endpoints.loginAnswers.push(platformError(401, '100208'));
    await clock.advance(1_550);
    const waiting = refresher.forceRefresh(first.accessToken).catch((error: unknown) => error);
    await clock.advance(300);
    assert.equal(((await waiting) as NorthApiException).errorCode, '100208');
    const { clock: clock2, endpoints: endpoints2, refresher: refresher2 } = setup(2);
    const first2 = await refresher2.start();
    for (let i = 0; i < 50; i++) endpoints2.refreshAnswers.push(platformError(503, '50252'));
    await clock2.advance(1_550);
    const stopped = refresher2.forceRefresh(first2.accessToken);
    refresher2.stop();
    await assert.rejects(stopped, (error: NorthApiException) => error.errorCode === '1016');
    assert.equal(clock2.pendingTimers, 0);
    refresher.stop();
  });

  test('rule 5: wrong credentials at start reject with 100208 after one login and leave no timer', async () => {
    const { clock, endpoints, refresher } = setup(2);
    endpoints.loginAnswers.push(platformError(401, '100208'));
    await assert.rejects(refresher.start(), (error: NorthApiException) => error.errorCode === '100208');
    await clock.advance(60_000);
    assert.equal(endpoints.logins, 1);
    assert.equal(clock.pendingTimers, 0);
    assert.equal(refresher.status().running, false);
  });

  test('rule 5: credentials revoked later: no retries, the valid token is served, then the terminal error', async () => {
    const { clock, endpoints, refresher } = setup(2);
    const first = await refresher.start();
    endpoints.refreshAnswers.push(platformError(401, '100208'));
    endpoints.loginAnswers.push(platformError(401, '100208'));
    await clock.advance(1500);
    assert.equal((await refresher.getToken()).accessToken, first.accessToken);
    await clock.advance(60_000);
    assert.equal(endpoints.logins, 2);
    assert.equal(endpoints.refreshes, 1);
    await assert.rejects(refresher.getToken(), (error: NorthApiException) => error.errorCode === '100208');
    assert.equal(refresher.status().terminal, true);
    refresher.stop();
  });

  test('start gives up after three transient failures', async () => {
    const { clock, endpoints, refresher } = setup(2);
    endpoints.loginAnswers.push(platformError(503, '50252'), platformError(503, '50252'), platformError(503, '50252'));
    const started = refresher.start();
    const outcome = assert.rejects(started, (error: NorthApiException) => error.errorCode === '50252');
    await clock.advance(10_000);
    await outcome;
    assert.equal(endpoints.logins, 3);
    assert.equal(clock.pendingTimers, 0);
  });

  test('rule 6: a read that finds the refresh overdue (timer late) starts it', async () => {
    const { clock, endpoints, refresher } = setup(3600);
    await refresher.start();
    clock.jump(3_400_000); // past refreshAt, timers did not fire
    const token = await refresher.getToken();
    await settle();
    assert.equal(endpoints.refreshes, 1);
    assert.equal(token.version, 1); // the still-valid token is served meanwhile
    assert.equal((await refresher.getToken()).version, 2);
    refresher.stop();
  });

  test('rule 6: an expired token is never served after a long stall', async () => {
    const { clock, endpoints, refresher } = setup(2);
    const first = await refresher.start();
    clock.jump(5_000);
    const token = await refresher.getToken();
    assert.notEqual(token.accessToken, first.accessToken);
    assert.equal(endpoints.refreshes, 1);
    refresher.stop();
  });

  test('stop drops a renewal in flight and rejects readers with 1016', async () => {
    const { endpoints, refresher, tokens } = setup(2);
    const first = await refresher.start();
    let release!: (g: TokenGrant) => void;
    endpoints.refreshAnswers.push(new Promise<TokenGrant>((resolve) => (release = resolve)));
    const pending = refresher.forceRefresh(first.accessToken);
    refresher.stop();
    release(endpoints.grant());
    await assert.rejects(pending, (error: NorthApiException) => error.errorCode === '1016');
    assert.equal(tokens.length, 1);
    await assert.rejects(refresher.getToken(), (error: NorthApiException) => error.errorCode === '1016');
  });
});
