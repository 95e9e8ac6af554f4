import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RuleEngine } from '../../src/index.js';
import type { RuleDTO2 } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { sdkFor } from '../helpers/sdk.js';
import { jsonBody, onlyRequest, rawBusinessCall, rejectsBadInput, rejectsWith } from '../helpers/wire.js';

const OWNER = { appId: 'ruleOwnerApp', secret: 'ownerSecret1', grants: ['rulePartnerApp'] };
const PARTNER = { appId: 'rulePartnerApp', secret: 'partnerSecret2' };
const RULES = '/iocm/app/rule/v1.2.0/rules';

/** A rule in the shape of the platform's sample: brightness of device A above a value sends a command to device B. */
function sampleRule(name: string, threshold: string): RuleDTO2 {
  return {
    name,
    author: OWNER.appId,
    description: undefined,
    conditions: [
      {
        type: 'DEVICE_DATA',
        id: 'c1',
        deviceInfo: { deviceId: 'device-a', path: 'Brightness/brightness' },
        operator: '>',
        value: threshold,
        strategy: { trigger: 'pulse', eValidTime: 60 },
      },
    ],
    actions: [{ type: 'DEVICE_CMD', deviceId: 'device-b', cmd: { serviceId: 'Brightness', messageType: 'PUT', messageBody: { brightness: 50 } } }],
    groupExpress: { operator: 'and', groupElements: [{ operator: 'and', elements: ['c1'] }] },
    triggerSources: [{ type: 'DEVICE', deviceId: 'device-a', serviceId: 'Brightness' }],
    timeRange: { startTime: '08:00', endTime: '20:00', daysOfWeek: '1,2,3,4,5' },
    refreshId: false,
  };
}

/** The rule as JSON, without the undefined fields. */
function wire(rule: RuleDTO2): unknown {
  return JSON.parse(JSON.stringify(rule));
}

describe('RuleEngine through the public API, null token, against the simulator', () => {
  let sim: Simulator;
  let sdk: ReturnType<typeof sdkFor>;
  let rules: RuleEngine;
  before(async () => {
    sim = await startSimulator({ tokenLifetimeSeconds: 30, apps: [OWNER, PARTNER] });
    sdk = sdkFor(sim, PARTNER);
    rules = sdk.container.resolve(RuleEngine);
    await sdk.auth.startRefreshTokenTimer();
  });
  after(async () => {
    await sdk.auth.stopRefreshTokenTimer();
    sdk.client.close();
    await sim.stop();
  });

  test('the rule life cycle on the authorising app, every request checked on the wire', async () => {
    const api = RuleEngine.api;
    const rule = sampleRule('bright-a', '80');
    sim.clearRecords();

    const created = await rules.createRule(rule, OWNER.appId, null);
    let request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.createRule.method);
    assert.equal(request.path, RULES);
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.match(request.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(jsonBody(request), wire(rule));
    assert.equal(request.status, api.createRule.status);
    assert.match(created.ruleId, /^[0-9a-f]{32}$/);
    const { ruleId } = created;

    const listed = await rules.queryRules({ name: 'bright-a', appId: OWNER.appId }, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, 'GET');
    assert.equal(request.path, RULES);
    assert.deepEqual(request.query, { name: 'bright-a', appId: OWNER.appId });
    assert.equal(request.body, '');
    assert.equal(request.status, api.queryRules.status);
    assert.ok(Array.isArray(listed));
    assert.equal(listed.length, 1);
    assert.deepEqual(listed[0], { ...(wire(rule) as object), ruleId, appKey: OWNER.appId, status: 'active' });

    const changed = { ...sampleRule('bright-a-90', '90'), ruleId };
    const updated = await rules.updateRule(changed, OWNER.appId, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, 'PUT');
    assert.equal(request.path, RULES);
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.deepEqual(jsonBody(request), wire(changed));
    assert.equal(request.status, api.updateRule.status);
    assert.deepEqual(updated, { ruleId });
    const afterUpdate = await rules.queryRules({ appId: OWNER.appId }, null);
    assert.deepEqual(afterUpdate.map((r) => [r.ruleId, r.name, r.conditions[0] && 'value' in r.conditions[0] ? r.conditions[0].value : undefined]), [[ruleId, 'bright-a-90', '90']]);
    sim.clearRecords();

    const statusResult = await rules.updateRuleStatus({ ruleId, status: 'inactive' }, OWNER.appId, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, 'PUT');
    assert.equal(request.path, `${RULES}/${ruleId}/status/inactive`);
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.deepEqual(jsonBody(request), {});
    assert.equal(request.status, api.updateRuleStatus.status);
    assert.equal(statusResult, undefined);
    assert.equal((await rules.queryRules({ appId: OWNER.appId }, null))[0]?.status, 'inactive');
    sim.clearRecords();

    const batch = await rules.updateBatchRuleStatus({ requests: [{ ruleId, status: 'active' }, { ruleId: 'no-such-rule', status: 'inactive' }] }, OWNER.appId, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, 'PUT');
    assert.equal(request.path, `${RULES}/status`);
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.deepEqual(jsonBody(request), { requests: [{ ruleId, status: 'active' }, { ruleId: 'no-such-rule', status: 'inactive' }] });
    assert.equal(request.status, api.updateBatchRuleStatus.status);
    assert.deepEqual(batch.responses, [{ ruleId }, { ruleId: 'no-such-rule', response: { error_code: '100225', error_desc: 'The resource is not found' } }]);
    assert.equal(batch.result.result_code, '1');
    assert.equal((await rules.queryRules({ appId: OWNER.appId }, null))[0]?.status, 'active');
    sim.clearRecords();

    const allGood = await rules.updateBatchRuleStatus({ requests: [{ ruleId, status: 'inactive' }] }, OWNER.appId, null);
    assert.deepEqual(allGood, { result: { result_code: '0', result_desc: 'success' }, responses: [{ ruleId }] });
    sim.clearRecords();

    const deleted = await rules.deleteRule(ruleId, OWNER.appId, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, 'DELETE');
    assert.equal(request.path, `${RULES}/${ruleId}`);
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.equal(request.body, '');
    assert.equal(request.status, api.deleteRule.status);
    assert.equal(deleted, undefined);
    assert.deepEqual(await rules.queryRules({ appId: OWNER.appId }, null), []);
  });

  test('appId left out when null: own rules, filtered by name and author; other apps see their own', async () => {
    sim.clearRecords();
    const mine = await rules.createRule({ ...sampleRule('own-1', '10'), author: 'alice' }, null, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, {});
    const other = await rules.createRule({ ...sampleRule('own-2', '20'), author: 'bob', status: 'inactive' }, null, null);
    sim.clearRecords();

    const byAuthor = await rules.queryRules({ author: 'alice' }, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, { author: 'alice' });
    assert.deepEqual(byAuthor.map((r) => [r.ruleId, r.appKey, r.status]), [[mine.ruleId, PARTNER.appId, 'active']]);
    const all = await rules.queryRules({}, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, {});
    assert.deepEqual(all.map((r) => [r.name, r.status]).sort(), [['own-1', 'active'], ['own-2', 'inactive']]);
    assert.deepEqual(await rules.queryRules({ name: 'own-2', author: 'alice' }, null), []);
    assert.deepEqual(await rules.queryRules({ appId: OWNER.appId }, null), [], 'the owner app has no rules now');

    await rules.deleteRule(mine.ruleId, null, null);
    await rules.deleteRule(other.ruleId, null, null);
    assert.deepEqual(await rules.queryRules({}, null), []);
  });

  test('bad input gives 1007 naming the field, and nothing is sent', async () => {
    const good = sampleRule('r', '1');
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['rule', () => rules.createRule(null as never, null, null)],
      ['rule.name', () => rules.createRule({ ...good, name: undefined } as never, null, null)],
      ['rule.name', () => rules.createRule({ ...good, name: 7 } as never, null, null)],
      ['rule.conditions', () => rules.createRule({ ...good, conditions: [] }, null, null)],
      ['rule.conditions[0].type', () => rules.createRule({ ...good, conditions: [{ id: 'c1' } as never] }, null, null)],
      ['rule.conditions[0].deviceInfo.path', () => rules.createRule({ ...good, conditions: [{ type: 'DEVICE_DATA', deviceInfo: { path: 5 } } as never] }, null, null)],
      ['rule.conditions[0].strategy.eValidTime', () => rules.createRule({ ...good, conditions: [{ type: 'DEVICE_DATA', strategy: { eValidTime: 'soon' } } as never] }, null, null)],
      ['rule.actions', () => rules.createRule({ ...good, actions: undefined } as never, null, null)],
      ['rule.actions[0]', () => rules.createRule({ ...good, actions: ['x'] } as never, null, null)],
      ['rule.actions[0].cmd', () => rules.createRule({ ...good, actions: [{ type: 'DEVICE_CMD', cmd: 5 } as never] }, null, null)],
      ['rule.actions[0].time', () => rules.createRule({ ...good, actions: [{ type: 'DELAY', time: -1 }] }, null, null)],
      ['rule.refreshId', () => rules.createRule({ ...good, refreshId: 'yes' } as never, null, null)],
      ['rule.triggerSources[0].type', () => rules.createRule({ ...good, triggerSources: [{ deviceId: 'd' } as never] }, null, null)],
      ['rule.groupExpress.groupElements[0].elements', () => rules.createRule({ ...good, groupExpress: { groupElements: [{ elements: 'c1' } as never] } }, null, null)],
      ['rule.timeRange.startTime', () => rules.createRule({ ...good, timeRange: { startTime: 800 } as never }, null, null)],
      ['appId', () => rules.createRule(good, 42 as never, null)],
      ['rule.ruleId', () => rules.updateRule(good, null, null)],
      ['rule.ruleId', () => rules.updateRule({ ...good, ruleId: '' }, null, null)],
      ['rule.actions[0].type', () => rules.updateRule({ ...good, ruleId: 'r1', actions: [{ type: '' }] }, null, null)],
      ['ruleId', () => rules.deleteRule('', null, null)],
      ['ruleId', () => rules.deleteRule(undefined as never, null, null)],
      ['appId', () => rules.deleteRule('r1', {} as never, null)],
      ['qrInDTO', () => rules.queryRules(undefined as never, null)],
      ['qrInDTO.name', () => rules.queryRules({ name: 3 } as never, null)],
      ['qrInDTO.appId', () => rules.queryRules({ appId: true } as never, null)],
      ['ursInDTO', () => rules.updateRuleStatus(null as never, null, null)],
      ['ursInDTO.ruleId', () => rules.updateRuleStatus({ ruleId: '', status: 'active' }, null, null)],
      ['ursInDTO.status', () => rules.updateRuleStatus({ ruleId: 'r1' } as never, null, null)],
      ['ursInDTO.status', () => rules.updateRuleStatus({ ruleId: 'r1', status: 'paused' }, null, null)],
      ['ursInDTO.status', () => rules.updateRuleStatus({ ruleId: 'r1', status: 'ACTIVE' }, null, null)],
      ['ubrsInDTO.requests[0].status', () => rules.updateBatchRuleStatus({ requests: [{ ruleId: 'a', status: 'paused' }] }, null, null)],
      ['rule.ruleId', () => rules.createRule({ ...good, ruleId: '' }, null, null)],
      ['rule.conditions[0].deviceInfo.deviceId', () => rules.createRule({ ...good, conditions: [{ type: 'DEVICE_DATA', deviceInfo: { deviceId: '', path: 'S/p' } }] }, null, null)],
      ['rule.conditions[0].deviceGroupInfo.groupId', () => rules.createRule({ ...good, conditions: [{ type: 'DEVICE_GROUP_DATA', deviceGroupInfo: { groupId: '' } } as never] }, null, null)],
      ['rule.actions[0].deviceId', () => rules.createRule({ ...good, actions: [{ type: 'DEVICE_CMD', deviceId: '' }] }, null, null)],
      ['rule.actions[0].ruleId', () => rules.createRule({ ...good, actions: [{ type: 'RULE', ruleId: '' } as never] }, null, null)],
      ['rule.triggerSources[0].deviceId', () => rules.createRule({ ...good, triggerSources: [{ type: 'DEVICE', deviceId: '' }] }, null, null)],
      ['qrInDTO.appId', () => rules.queryRules({ appId: '  ' }, null)],
      ['ubrsInDTO.requests', () => rules.updateBatchRuleStatus({ requests: [] }, null, null)],
      ['ubrsInDTO.requests', () => rules.updateBatchRuleStatus({} as never, null, null)],
      ['ubrsInDTO.requests[1].status', () => rules.updateBatchRuleStatus({ requests: [{ ruleId: 'a', status: 'active' }, { ruleId: 'b', status: 1 } as never] }, null, null)],
    ];
    for (const [field, call] of cases) await rejectsBadInput(sim, call, field);
  });

  test('simulator errors come back as NorthApiException with the platform code and status', async () => {
    const good = sampleRule('errors', '1');
    await rejectsWith(rules.updateRule({ ...good, ruleId: 'no-such-rule' }, null, null), '100225', 404);
    await rejectsWith(rules.deleteRule('no-such-rule', null, null), '100225', 404);
    await rejectsWith(rules.updateRuleStatus({ ruleId: 'no-such-rule', status: 'active' }, null, null), '100225', 404);
    const { ruleId } = await rules.createRule(good, null, null);
    await rejectsWith(rules.createRule({ ...good, status: 'paused' }, null, null), '100022', 400);
    // A status other than active / inactive is refused by the SDK before sending (see the bad-input cases); the
    // simulator, asked directly, refuses it too.
    const single = await rawBusinessCall(sim, PARTNER.appId, 'PUT', `${RULES}/${ruleId}/status/paused`, {});
    assert.equal(single.status, 400);
    assert.equal((single.body as { error_code?: string }).error_code, '100022');
    const batch = await rawBusinessCall(sim, PARTNER.appId, 'PUT', `${RULES}/status`, { requests: [{ ruleId, status: 'paused' }] });
    assert.equal(batch.status, 200);
    assert.deepEqual((batch.body as { responses?: unknown }).responses, [{ ruleId, response: { error_code: '100022', error_desc: 'The input is invalid.' } }]);
    // The partner has not authorised the owner: the owner may not touch the partner's rules.
    const ownerSdk = sdkFor(sim, OWNER);
    try {
      const ownerRules = ownerSdk.container.resolve(RuleEngine);
      const token = (await ownerSdk.auth.getAuthToken()).accessToken;
      await rejectsWith(ownerRules.queryRules({ appId: PARTNER.appId }, token), '100217', 403);
      await rejectsWith(ownerRules.deleteRule(ruleId, 'unknownApp', token), '100203', 403);
    } finally {
      ownerSdk.client.close();
    }
    await rules.deleteRule(ruleId, null, null);
  });
});
