import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { fileURLToPath } from 'node:url';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { keepChildOutput } from '../helpers/run-node.js';
import { redisSkipReason, startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';

const CHILD = fileURLToPath(new URL('../fixtures/timer-child.js', import.meta.url));

interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  killed: boolean;
  report?: { mode: string; codes: string[]; active: string[]; refreshers: number };
  stderr: string;
}

const REG = '/iocm/app/reg/v1.1.0/deviceCredentials';

function runChild(sim: Simulator, mode: 'stop' | 'never-stop', redisUrl?: string, limitMs = 30_000): Promise<ChildOutcome> {
  const app = sim.apps[0]!;
  // What the child meets: a 503 its retry rides out, a call that hangs until its signal fires, a flow-control answer.
  sim.clearFaults();
  sim.clearRecords();
  sim.addFault({ kind: 'status', status: 503, method: 'GET', path: `${REG}/*`, times: 1 });
  sim.addFault({ kind: 'hang', method: 'GET', path: '/iocm/app/shadow/v1.5.0/devices/*', times: 1 });
  sim.addFault({ kind: 'throttle', method: 'GET', path: `${REG}/throttled-device`, times: 1 });
  const child = spawn(process.execPath, [CHILD], {
    env: { ...process.env, SIM_HOST: sim.host, SIM_PORT: String(sim.port), SIM_CA: sim.ca, APP_ID: app.appId, APP_SECRET: app.secret, MODE: mode, ...(redisUrl ? { REDIS_URL: redisUrl } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, limitMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      keepChildOutput(`timer-child ${mode}${redisUrl ? ' fleet' : ''}`, stdout + stderr);
      const line = stdout.trim().split('\n').pop();
      resolve({ code, signal, killed, stderr, report: line ? JSON.parse(line) : undefined });
    });
  });
}

/** A GET answered 503 by the injected fault, then the same GET answered 200. */
function metRetry(sim: Simulator): boolean {
  const gets = sim.requests().filter((r) => r.method === 'GET' && r.path.startsWith(`${REG}/`) && !r.path.endsWith('/throttled-device'));
  const failed = gets.findIndex((r) => r.status === 503);
  return failed >= 0 && gets.slice(failed + 1).some((r) => r.path === gets[failed]!.path && r.status === 200);
}

describe('process hygiene', () => {
  let sim: Simulator;
  before(async () => {
    // Long tokens: nothing about the token's life can end the child early.
    sim = await startSimulator({ tokenLifetimeSeconds: 3600 });
  });
  after(async () => {
    await sim.stop();
  });

  test('a script that starts the timer and never stops it exits by itself', async () => {
    const outcome = await runChild(sim, 'never-stop');
    assert.equal(outcome.killed, false, 'the child had to be killed: something kept it alive');
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(outcome.report?.mode, 'never-stop');
    assert.equal(outcome.report?.refreshers, 1, 'the refresher was still running when the script ended');
    assert.deepEqual(outcome.report?.codes, ['1013', '1010009']);
    assert.ok(metRetry(sim), 'the child met a 503 and its retry succeeded');
  });

  test('after stopRefreshTokenTimer() and close() nothing is left active (after a retry, a cancelled call and a throttled one) and the process exits', async () => {
    const outcome = await runChild(sim, 'stop');
    assert.equal(outcome.killed, false);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(outcome.report?.refreshers, 0);
    assert.deepEqual(outcome.report?.codes, ['1013', '1010009']);
    assert.ok(metRetry(sim), 'the child met a 503 and its retry succeeded');
    assert.deepEqual(outcome.report?.active, []);
  });
});

describe('process hygiene in fleet mode (tokenStore on Redis)', { skip: redisSkipReason() }, () => {
  let sim: Simulator;
  let redis: RedisServerHandle;
  before(async () => {
    sim = await startSimulator({ tokenLifetimeSeconds: 3600 });
    redis = await startRedisServer();
  });
  after(async () => {
    await redis?.close();
    await sim?.stop();
  });

  test('a script that never stops the timer exits by itself, Redis connections and all', async () => {
    const outcome = await runChild(sim, 'never-stop', redis.url);
    assert.equal(outcome.killed, false, 'the child had to be killed: something kept it alive');
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(outcome.report?.refreshers, 1);
    assert.deepEqual(outcome.report?.codes, ['1013', '1010009']);
  });

  test('after stopRefreshTokenTimer() and close() nothing is left active, and the lease is given up', async () => {
    const check = new Redis(redis.url);
    try {
      // The lease of the child above (which never stopped its timer) lasts until it runs out: start from nothing.
      await check.flushall();
      const outcome = await runChild(sim, 'stop', redis.url);
      assert.equal(outcome.killed, false);
      assert.equal(outcome.code, 0, outcome.stderr);
      assert.equal(outcome.report?.refreshers, 0);
      assert.deepEqual(outcome.report?.active, []);
      assert.deepEqual(await check.keys('oceanconnect:*:lease'), [], 'the stopped leader left its lease behind');
      assert.equal((await check.keys('oceanconnect:*:token')).length, 1, 'the token it wrote is there for the next instance');
    } finally {
      await check.quit();
    }
  });
});
