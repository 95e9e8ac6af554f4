import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SubscriptionManagement } from '../../src/index.js';
import type { SubscriptionDTO } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { SimulatorState } from '../../src/simulator/state.js';
import { subscribersOf } from '../../src/simulator/subscriptions.js';
import { sdkFor } from '../helpers/sdk.js';
import { jsonBody, onlyRequest, rawBusinessCall, rejectsBadInput, rejectsWith } from '../helpers/wire.js';

const OWNER = { appId: 'subOwnerApp', secret: 'ownerSecret1', grants: ['subPartnerApp'] };
const PARTNER = { appId: 'subPartnerApp', secret: 'partnerSecret2' };
const STRANGER = { appId: 'subStrangerApp', secret: 'strangerSecret3' };
const SUBS = '/iocm/app/sub/v1.2.0/subscriptions';
const MANAGEMENT = '/iodm/app/sub/v1.1.0/subscribe';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('SubscriptionManagement through the public API, null token, against the simulator', () => {
  let sim: Simulator;
  let sdk: ReturnType<typeof sdkFor>;
  let subs: SubscriptionManagement;
  const api = SubscriptionManagement.api;
  before(async () => {
    sim = await startSimulator({ tokenLifetimeSeconds: 30, apps: [OWNER, PARTNER, STRANGER] });
    sdk = sdkFor(sim, PARTNER);
    subs = sdk.container.resolve(SubscriptionManagement);
    await sdk.auth.startRefreshTokenTimer();
  });
  after(async () => {
    await sdk.auth.stopRefreshTokenTimer();
    sdk.client.close();
    await sim.stop();
  });

  /** The simulator's app state, for the helpers other simulator modules call. */
  function appState(appId: string) {
    return (sim as unknown as { state: SimulatorState }).state.requireApp(appId);
  }

  test('service-data subscription of the own app: created with 201, queried, deleted, every request checked', async () => {
    sim.clearRecords();
    const url = 'https://app.example.com:8443/v1.0.0/messageReceiver';
    const created = await subs.subDeviceData({ notifyType: 'deviceAdded', callbackUrl: url }, null, null);
    let request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.subDeviceData.method);
    assert.equal(request.path, SUBS);
    assert.deepEqual(request.query, {});
    assert.match(request.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(jsonBody(request), { notifyType: 'deviceAdded', callbackUrl: url });
    assert.equal(request.status, api.subDeviceData.status);
    assert.equal(request.status, 201);
    assert.match(created.subscriptionId, UUID);
    assert.deepEqual(created, { subscriptionId: created.subscriptionId, notifyType: 'deviceAdded', callbackUrl: url });

    // The same type and URL again: the existing subscription comes back, nothing is added.
    const again = await subs.subDeviceData({ notifyType: 'deviceAdded', callbackUrl: url }, null, null);
    assert.equal(again.subscriptionId, created.subscriptionId);
    sim.clearRecords();

    const one = await subs.querySingleSubscription(created.subscriptionId, null, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.querySingleSubscription.method);
    assert.equal(request.path, `${SUBS}/${created.subscriptionId}`);
    assert.deepEqual(request.query, {});
    assert.equal(request.body, '');
    assert.equal(request.status, api.querySingleSubscription.status);
    assert.deepEqual(one, created);

    // The push sender finds the subscription of the app.
    assert.deepEqual(subscribersOf(appState(PARTNER.appId), 'deviceAdded').map((s) => [s.subscriptionId, s.callbackUrl]), [[created.subscriptionId, url]]);
    assert.deepEqual(subscribersOf(appState(OWNER.appId), 'deviceAdded'), []);

    const result = await subs.deleteSingleSubscription(created.subscriptionId, null, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(result, undefined);
    assert.equal(request.method, api.deleteSingleSubscription.method);
    assert.equal(request.path, `${SUBS}/${created.subscriptionId}`);
    assert.deepEqual(request.query, {});
    assert.equal(request.status, api.deleteSingleSubscription.status);
    assert.equal(request.status, 204);
    await rejectsWith(subs.querySingleSubscription(created.subscriptionId, null, null), '100225', 404);
    await rejectsWith(subs.deleteSingleSubscription(created.subscriptionId, null, null), '100225', 404);
  });

  test('the authorised app: body appId, ownerFlag and ?appId= are sent when given and select the owner app', async () => {
    sim.clearRecords();
    const url = 'http://10.1.2.3:9000/push';
    const created = await subs.subDeviceData({ notifyType: 'deviceDataChanged', callbackUrl: url, appId: OWNER.appId }, true, null);
    let request = onlyRequest(sim, PARTNER.appId);
    assert.deepEqual(request.query, { ownerFlag: 'true' });
    assert.deepEqual(jsonBody(request), { notifyType: 'deviceDataChanged', callbackUrl: url, appId: OWNER.appId });
    assert.equal(request.status, api.subDeviceData.status);
    assert.equal(created.notifyType, 'deviceDataChanged');

    const other = await subs.subDeviceData({ notifyType: 'deviceDeleted', callbackUrl: url, appId: OWNER.appId }, 'false', null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.deepEqual(request.query, { ownerFlag: 'false' });

    // The subscriptions belong to the owner app: found with ?appId=, not without.
    const one = await subs.querySingleSubscription(created.subscriptionId, OWNER.appId, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.deepEqual(one, created);
    await rejectsWith(subs.querySingleSubscription(created.subscriptionId, null, null), '100225', 404);
    assert.deepEqual(subscribersOf(appState(OWNER.appId), 'deviceDataChanged').map((s) => s.subscriptionId), [created.subscriptionId]);
    sim.clearRecords();

    const page = await subs.queryBatchSubscriptions({ appId: OWNER.appId }, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.equal(page.totalCount, 2);
    assert.deepEqual(page.subscriptions.map((s) => s.subscriptionId), [created.subscriptionId, other.subscriptionId]);

    await subs.deleteSingleSubscription(other.subscriptionId, OWNER.appId, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.equal(request.status, 204);

    await subs.deleteBatchSubscriptions({ appId: OWNER.appId }, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.deleteBatchSubscriptions.method);
    assert.equal(request.path, SUBS);
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.equal(request.status, api.deleteBatchSubscriptions.status);
    assert.equal((await subs.queryBatchSubscriptions({ appId: OWNER.appId }, null)).totalCount, 0);

    // An app that does not exist, and one that has not authorised the caller.
    await rejectsWith(subs.querySingleSubscription(created.subscriptionId, 'nobodyApp', null), '100203', 403);
    await rejectsWith(subs.subDeviceData({ notifyType: 'deviceAdded', callbackUrl: url, appId: STRANGER.appId }, null, null), '100217', 403);
    await rejectsWith(subs.queryBatchSubscriptions({ appId: STRANGER.appId }, null), '100217', 403);
  });

  test('batch query pages and filters; batch delete by type, by URL, then everything', async () => {
    const urls = ['https://a.example.com:8443/p', 'https://b.example.com:8443/p', 'https://c.example.com:8443/p'];
    const data: SubscriptionDTO[] = [];
    for (const url of urls) data.push(await subs.subDeviceData({ notifyType: 'deviceInfoChanged', callbackUrl: url }, null, null));
    const added = await subs.subDeviceData({ notifyType: 'commandRsp', callbackUrl: urls[0]! }, null, null);
    sim.clearRecords();

    const page = await subs.queryBatchSubscriptions({ notifyType: 'deviceInfoChanged', pageNo: 1, pageSize: 2 }, null);
    let request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.queryBatchSubscriptions.method);
    assert.equal(request.path, SUBS);
    assert.deepEqual(request.query, { notifyType: 'deviceInfoChanged', pageNo: '1', pageSize: '2' });
    assert.equal(request.status, api.queryBatchSubscriptions.status);
    assert.deepEqual(page, { totalCount: 3, pageNo: 1, pageSize: 2, subscriptions: [data[2]] });

    const all = await subs.queryBatchSubscriptions({}, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.deepEqual(request.query, {});
    assert.deepEqual({ totalCount: all.totalCount, pageNo: all.pageNo, pageSize: all.pageSize }, { totalCount: 4, pageNo: 0, pageSize: 10 });
    assert.deepEqual(all.subscriptions, [...data, added]);

    await subs.deleteBatchSubscriptions({ notifyType: 'deviceInfoChanged', callbackUrl: urls[1] }, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.deepEqual(request.query, { notifyType: 'deviceInfoChanged', callbackUrl: urls[1] });
    assert.equal(request.status, 204);
    let left = await subs.queryBatchSubscriptions({}, null);
    assert.deepEqual(left.subscriptions.map((s) => s.subscriptionId), [data[0]!.subscriptionId, data[2]!.subscriptionId, added.subscriptionId]);

    await subs.deleteBatchSubscriptions({ callbackUrl: urls[0] }, null);
    left = await subs.queryBatchSubscriptions({}, null);
    assert.deepEqual(left.subscriptions.map((s) => s.subscriptionId), [data[2]!.subscriptionId]);

    await subs.deleteBatchSubscriptions({}, null);
    assert.equal((await subs.queryBatchSubscriptions({}, null)).totalCount, 0);
    // Nothing left to delete: error 200001, as the Java SDK sample expects.
    await rejectsWith(subs.deleteBatchSubscriptions({}, null), '200001', 404);
  });

  test('management data: both entry points send callbackurl and get 200 without a body', async () => {
    sim.clearRecords();
    const url = 'https://app.example.com:8443/v1.0.0/messageReceiver';
    const viaOverload = await subs.subDeviceData({ notifyType: 'swUpgradeResultNotify', callbackurl: url }, null);
    let request = onlyRequest(sim, PARTNER.appId);
    assert.equal(viaOverload, undefined);
    assert.equal(request.method, api.subDeviceManagementData.method);
    assert.equal(request.path, MANAGEMENT);
    assert.deepEqual(request.query, {});
    assert.deepEqual(jsonBody(request), { notifyType: 'swUpgradeResultNotify', callbackurl: url });
    assert.equal(request.status, api.subDeviceManagementData.status);
    assert.equal(request.status, 200);

    // With one argument the management form is taken too (the token defaults to null).
    const oneArgument = await subs.subDeviceData({ notifyType: 'swUpgradeStateChangeNotify', callbackurl: url });
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(oneArgument, undefined);
    assert.equal(request.path, MANAGEMENT);
    assert.deepEqual(jsonBody(request), { notifyType: 'swUpgradeStateChangeNotify', callbackurl: url });

    const viaName = await subs.subDeviceManagementData({ notifyType: 'fwUpgradeStateChangeNotify', callbackUrl: url }, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(viaName, undefined);
    assert.equal(request.path, MANAGEMENT);
    assert.deepEqual(jsonBody(request), { notifyType: 'fwUpgradeStateChangeNotify', callbackurl: url });
    assert.equal(request.status, api.subDeviceManagementData.status);

    // Stored for the push sender, but not listed with the service-data subscriptions.
    assert.deepEqual(subscribersOf(appState(PARTNER.appId), 'swUpgradeResultNotify').map((s) => [s.kind, s.callbackUrl]), [['management', url]]);
    assert.deepEqual(subscribersOf(appState(PARTNER.appId), 'fwUpgradeStateChangeNotify').map((s) => s.callbackUrl), [url]);
    assert.equal((await subs.queryBatchSubscriptions({}, null)).totalCount, 0);

    await rejectsWith(subs.subDeviceManagementData({ notifyType: 'swUpgradeStateChangeNotify', callbackurl: 'https://app.example.com/no-port' }, null), '100222', 400);
  });

  test('the simulator refuses unknown notification types, bad callback URLs and bad paging', async () => {
    await rejectsWith(subs.subDeviceData({ notifyType: 'deviceExploded' as never, callbackUrl: 'https://a.example.com:8443/p' }, null, null), '100228', 400);
    await rejectsWith(subs.subDeviceData({ notifyType: 'deviceAdded', callbackUrl: 'https://a.example.com/p' }, null, null), '100222', 400);
    await rejectsWith(subs.subDeviceData({ notifyType: 'deviceAdded', callbackUrl: 'ftp://a.example.com:21/p' }, null, null), '100222', 400);
    await rejectsWith(subs.subDeviceData({ notifyType: 'deviceAdded', callbackUrl: 'not a url' }, null, null), '100222', 400);
    await rejectsWith(subs.queryBatchSubscriptions({ pageSize: 5000 }, null), '100228', 400);
    await rejectsWith(subs.queryBatchSubscriptions({ notifyType: 'deviceExploded' }, null), '100228', 400);
    await rejectsWith(subs.deleteBatchSubscriptions({ notifyType: 'deviceExploded' }, null), '100228', 400);
    const sub = await subs.subDeviceData({ notifyType: 'ruleEvent', callbackUrl: 'https://[::1]:8443/rules' }, null, null);
    assert.equal(sub.callbackUrl, 'https://[::1]:8443/rules');
    await subs.deleteSingleSubscription(sub.subscriptionId, null, null);
  });

  /** A request the SDK would never send, with the partner's current token. */
  const raw = (method: string, pathAndQuery: string, body?: unknown) => rawBusinessCall(sim, PARTNER.appId, method, pathAndQuery, body);

  test('the simulator: bad ownerFlag, channel and paging give 400 / 100228; the REST spelling callbackUrl is accepted', async () => {
    const invalid = { status: 400, body: { error_code: '100228', error_desc: 'The application input is invalid.' } };
    const url = 'https://a.example.com:8443/p';
    assert.deepEqual(await raw('POST', `${SUBS}?ownerFlag=yes`, { notifyType: 'deviceAdded', callbackUrl: url }), invalid);
    assert.deepEqual(await raw('POST', SUBS, { notifyType: 'deviceAdded', callbackUrl: url, channel: 'MQTT' }), invalid);
    assert.deepEqual(await raw('POST', SUBS, { callbackUrl: url }), invalid);
    assert.deepEqual(await raw('GET', `${SUBS}?pageNo=abc`), invalid);
    assert.deepEqual(await raw('GET', `${SUBS}?pageNo=-1`), invalid);
    assert.deepEqual(await raw('GET', `${SUBS}?pageSize=0`), invalid);
    assert.deepEqual(await raw('POST', SUBS, { notifyType: 'deviceAdded', callbackUrl: `https://a.example.com:8443/${'x'.repeat(1024)}` }), {
      status: 400,
      body: { error_code: '100222', error_desc: 'The callbackurl is illegal.' },
    });
    assert.deepEqual(await raw('POST', MANAGEMENT, { notifyType: 'fwUpgradeResultNotify', callbackUrl: url }), { status: 200, body: undefined });
    assert.deepEqual(subscribersOf(appState(PARTNER.appId), 'fwUpgradeResultNotify').map((s) => s.callbackUrl), [url]);
    assert.deepEqual(await raw('POST', MANAGEMENT, { notifyType: 'deviceAdded', callbackurl: url }), invalid);
  });

  test('bad input gives 1007 naming the field, and nothing is sent', async () => {
    const url = 'https://a.example.com:8443/p';
    const cases: [string, () => Promise<unknown>][] = [
      ['sddInDTO', () => subs.subDeviceData(null as never, null, null)],
      ['sddInDTO.notifyType', () => subs.subDeviceData({ callbackUrl: url } as never, null, null)],
      ['sddInDTO.notifyType', () => subs.subDeviceData({ notifyType: 5, callbackUrl: url } as never, null, null)],
      ['sddInDTO.callbackUrl', () => subs.subDeviceData({ notifyType: 'deviceAdded' } as never, null, null)],
      ['sddInDTO.callbackUrl', () => subs.subDeviceData({ notifyType: 'deviceAdded', callbackUrl: `https://a.example.com:8443/${'x'.repeat(1024)}` }, null, null)],
      ['sddInDTO.appId', () => subs.subDeviceData({ notifyType: 'deviceAdded', callbackUrl: url, appId: 7 as never }, null, null)],
      ['ownerFlag', () => subs.subDeviceData({ notifyType: 'deviceAdded', callbackUrl: url }, 'yes' as never, null)],
      ['sdmdInDTO', () => subs.subDeviceManagementData(undefined as never, null)],
      ['sdmdInDTO.callbackurl', () => subs.subDeviceManagementData({ notifyType: 'swUpgradeResultNotify' }, null)],
      ['sdmdInDTO.callbackurl', () => subs.subDeviceData({ notifyType: 'swUpgradeResultNotify', callbackurl: 42 as never }, null)],
      ['sdmdInDTO.callbackUrl', () => subs.subDeviceManagementData({ notifyType: 'fwUpgradeResultNotify', callbackUrl: '' }, null)],
      ['sdmdInDTO.notifyType', () => subs.subDeviceManagementData({ notifyType: 'deviceAdded' as never, callbackurl: url }, null)],
      // A management type with an ownerFlag argument: the ownerFlag must not be taken for the token.
      ['sddInDTO.notifyType', () => subs.subDeviceData({ notifyType: 'fwUpgradeResultNotify' as never, callbackUrl: url }, 'true', 'some-token')],
      ['sddInDTO.notifyType', () => subs.subDeviceData({ notifyType: 'swUpgradeStateChangeNotify' as never, callbackUrl: url }, null, null)],
      ['subDeviceManagementData', () => subs.subDeviceData({ notifyType: 'fwUpgradeStateChangeNotify' as never, callbackUrl: url }, false, null)],
      ['qbsInDTO.appId', () => subs.queryBatchSubscriptions({ appId: ' ' }, null)],
      ['sddInDTO.appId', () => subs.subDeviceData({ notifyType: 'deviceAdded', callbackUrl: url, appId: '\t' }, null, null)],
      ['subscriptionId', () => subs.querySingleSubscription('', null, null)],
      ['appId', () => subs.querySingleSubscription('s1', 3 as never, null)],
      ['qbsInDTO', () => subs.queryBatchSubscriptions(null as never, null)],
      ['qbsInDTO.pageNo', () => subs.queryBatchSubscriptions({ pageNo: -1 }, null)],
      ['qbsInDTO.pageSize', () => subs.queryBatchSubscriptions({ pageSize: 0 }, null)],
      ['qbsInDTO.pageSize', () => subs.queryBatchSubscriptions({ pageSize: '10' as never }, null)],
      ['qbsInDTO.notifyType', () => subs.queryBatchSubscriptions({ notifyType: 1 as never }, null)],
      ['qbsInDTO.appId', () => subs.queryBatchSubscriptions({ appId: {} as never }, null)],
      ['subscriptionId', () => subs.deleteSingleSubscription(undefined as never, null, null)],
      ['appId', () => subs.deleteSingleSubscription('s1', false as never, null)],
      ['dbsInDTO', () => subs.deleteBatchSubscriptions('all' as never, null)],
      ['dbsInDTO.callbackUrl', () => subs.deleteBatchSubscriptions({ callbackUrl: 5 as never }, null)],
      ['dbsInDTO.notifyType', () => subs.deleteBatchSubscriptions({ notifyType: [] as never }, null)],
      ['dbsInDTO.appId', () => subs.deleteBatchSubscriptions({ appId: 9 as never }, null)],
    ];
    for (const [field, call] of cases) await rejectsBadInput(sim, call, field);
  });
});
