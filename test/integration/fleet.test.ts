/**
 * Fleet mode end to end: separate processes of one application, each with its refresh timer and null-token callers,
 * one simulator with 2 s tokens, one real redis-server. Token cycles are counted at the simulator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { redisSkipReason, startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';
import { COMPARISON, compareFleet, cyclesBetween, describeRun, runFleet, type FleetRunResult } from '../fleet/scenario.js';

const skip = redisSkipReason();
const { leaseTtlMs, connectTimeoutMs } = COMPARISON;

function failureSummary(result: FleetRunResult): string {
  return `${describeRun('run', result)}\nroles: ${JSON.stringify(result.roles)}\ntimeline: ${JSON.stringify(result.timeline)}\n${result.logs.join('\n')}`;
}

describe('fleet mode: several processes, one Redis', { skip }, () => {
  let redis: RedisServerHandle;
  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis?.close();
  });

  test('3 processes x 10 null-token callers share one refresher: token cycles as for one process, no failed call', async () => {
    const { single, withStore, withoutStore } = await compareFleet(redis.url);
    // Printed beside each other: the store against the fight without it.
    console.log(`fleet comparison: ${describeRun('one process', single)}`);
    console.log(`fleet comparison: ${describeRun('three processes, one Redis', withStore)}`);
    console.log(`fleet comparison: ${describeRun('three processes, no store', withoutStore)}`);
    const details = failureSummary(withStore);
    assert.equal(withStore.failures.length, 0, details);
    assert.equal(single.failures.length, 0, failureSummary(single));
    assert.ok(withStore.calls > 1_000 && single.calls > 500, details);
    assert.ok(single.tokenCycles >= 5, `one process renews every 1.5 s or so: ${single.tokenCycles}`);
    assert.ok(withStore.tokenCycles <= 1.5 * single.tokenCycles, `token cycles ${withStore.tokenCycles} with the store, ${single.tokenCycles} for one process\n${details}`);
    assert.deepEqual([...withStore.finalRoles].sort(), ['follower', 'follower', 'leader'], details);
    // The leader refreshes and the followers take its tokens. With a 1 s lease on a loaded machine, a late lease renewal
    // can hand the lead to another instance, whose first renewal is a login: one at most.
    assert.ok(withStore.logins <= 1, `${withStore.logins} logins during the run\n${details}`);
    assert.ok(!withStore.logs.some((line) => line.includes('UNREACHABLE')), `an instance fell back with Redis up\n${details}`);
    // The fight the store prevents.
    assert.ok(withoutStore.tokenCycles > 3 * withStore.tokenCycles, describeRun('without a store', withoutStore));
  });

  test('the leader killed with SIGKILL mid-run: a survivor takes over within the lease and its callers see no failure', async () => {
    let killedAt = 0;
    const result = await runFleet({
      processes: 3,
      callersPerProcess: 10,
      durationMs: 12_000,
      tokenLifetimeSeconds: 2,
      redisUrl: redis.url,
      leaseTtlMs,
      connectTimeoutMs,
      actions: [
        {
          atMs: 4_000,
          what: 'SIGKILL the leader',
          act: (run) => {
            const leader = run.leader();
            assert.ok(leader, 'one leader before the kill');
            killedAt = run.elapsed();
            run.kill(leader);
          },
        },
      ],
    });
    console.log(`fleet leader kill: ${describeRun('leader killed at 4 s', result)}; roles ${JSON.stringify(result.roles)}`);
    const details = failureSummary(result);
    assert.equal(result.killed.length, 1, details);
    const victim = result.killed[0]!;
    assert.equal(result.failures.length, 0, details);
    const takeover = result.roles.find(([at, instance, role]) => at >= killedAt && instance !== victim && role === 'leader');
    assert.ok(takeover, `a survivor became leader\n${details}`);
    const delay = takeover[0] - killedAt;
    console.log(`fleet leader kill: instance ${takeover[1]} leads ${delay} ms after the kill (lease ${leaseTtlMs} ms)`);
    // The lease runs out at most leaseTtlMs after the kill and a follower tries right after; the children report their
    // role every 100 ms, and a loaded machine adds some delay.
    assert.ok(delay <= leaseTtlMs + 500, `takeover after ${delay} ms\n${details}`);
    assert.deepEqual(result.finalRoles.filter((r) => r !== 'killed').sort(), ['follower', 'leader'], details);
    // Survivors' calls all went through, and one refresher went on: about one cycle per 1.5 s.
    assert.ok(result.calls > 1_000, details);
    assert.ok(result.tokenCycles <= 12, `token cycles ${result.tokenCycles}\n${details}`);
  });

  test('Redis stopped mid-run and started again: no crash, only platform rejections, then one refresher again', async () => {
    const stopAt = 3_000;
    const startAt = 7_000;
    const durationMs = 15_000;
    const result = await runFleet({
      processes: 3,
      callersPerProcess: 10,
      durationMs,
      tokenLifetimeSeconds: 2,
      redisUrl: redis.url,
      leaseTtlMs,
      connectTimeoutMs,
      actions: [
        { atMs: stopAt, what: 'stop redis-server', act: () => redis.stop() },
        { atMs: startAt, what: 'start redis-server', act: () => redis.start() },
      ],
    });
    const details = failureSummary(result);
    const outage = [stopAt, startAt];
    const restarted = result.timeline.find(([, what]) => what === 'start redis-server')![0];
    const rejoined = Math.max(...result.roles.filter(([at]) => at >= restarted).map(([at]) => at), restarted);
    const lastWindow = [durationMs - 4_000, durationMs] as const;
    const cyclesAtEnd = cyclesBetween(result, lastWindow[0], lastWindow[1]);
    console.log(
      `fleet redis outage: ${describeRun(`redis down from ${outage[0] / 1000} s to ${outage[1] / 1000} s`, result)}; ` +
        `fleet rejoined at ${(rejoined / 1000).toFixed(1)} s; ${cyclesAtEnd} token cycles in the last 4 s; roles ${JSON.stringify(result.roles)}`,
    );
    // No crash: every process ran to the end and reported.
    assert.equal(result.killed.length, 0);
    assert.ok(result.calls > 1_000, details);
    // Failures only where the platform refused a token another instance had voided while each refreshed on its own.
    for (const failure of result.failures) {
      assert.equal(failure.code, '1010005', `a failure the platform did not cause: ${JSON.stringify(failure)}\n${details}`);
      assert.equal(failure.status, 403);
      assert.ok(failure.at >= stopAt && failure.at <= rejoined + 2_000, `a failure outside the outage: ${JSON.stringify(failure)}\n${details}`);
    }
    // Rule 8 keeps the instances from chasing each other while they refresh on their own: few rejections end a call.
    assert.ok(result.failures.length <= result.calls * 0.005, `${result.failures.length} failed calls of ${result.calls}\n${details}`);
    // Every instance said loudly that it fell back, and that it rejoined.
    for (let instance = 0; instance < 3; instance += 1) {
      assert.ok(result.logs.some((l) => l.startsWith(`#${instance} error`) && l.includes('TOKEN STORE UNREACHABLE')), details);
      assert.ok(result.logs.some((l) => l.startsWith(`#${instance} warn`) && l.includes('reachable again')), details);
    }
    // Converged: one leader, two followers, and one refresher's pace (a renewal every 1.5 s or so) at the end.
    assert.deepEqual([...result.finalRoles].sort(), ['follower', 'follower', 'leader'], details);
    assert.ok(rejoined <= startAt + 5_000, `rejoined at ${rejoined} ms\n${details}`);
    assert.ok(cyclesAtEnd <= 4, `${cyclesAtEnd} token cycles in the last 4 s\n${details}`);
  });
});
