import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeviceGroupManagement } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { groupMembers, groupMembersByName, MAX_GROUPS_PER_APP } from '../../src/simulator/groups.js';
import type { SimulatorState } from '../../src/simulator/state.js';
import { randomNodeId, sdkFor } from '../helpers/sdk.js';
import { jsonBody, onlyRequest, rawBusinessCall, rejectsBadInput, rejectsWith } from '../helpers/wire.js';

const OWNER = { appId: 'groupOwnerApp', secret: 'ownerSecret1', grants: ['groupPartnerApp'] };
const PARTNER = { appId: 'groupPartnerApp', secret: 'partnerSecret2' };
const STRANGER = { appId: 'groupStrangerApp', secret: 'strangerSecret3' };
const GROUPS = '/iocm/app/devgroup/v1.3.0/devGroups';
const MEMBERS = '/iocm/app/dm/v1.2.0/devices/ids';
const ADD = '/iocm/app/dm/v1.1.0/devices/addDevGroupTagToDevices';
const REMOVE = '/iocm/app/dm/v1.1.0/devices/deleteDevGroupTagFromDevices';

describe('DeviceGroupManagement through the public API, null token, against the simulator', () => {
  let sim: Simulator;
  let sdk: ReturnType<typeof sdkFor>;
  let groups: DeviceGroupManagement;
  const api = DeviceGroupManagement.api;
  before(async () => {
    sim = await startSimulator({ tokenLifetimeSeconds: 30, apps: [OWNER, PARTNER, STRANGER] });
    sdk = sdkFor(sim, PARTNER);
    groups = sdk.container.resolve(DeviceGroupManagement);
    await sdk.auth.startRefreshTokenTimer();
  });
  after(async () => {
    await sdk.auth.stopRefreshTokenTimer();
    sdk.client.close();
    await sim.stop();
  });

  /** Registers `count` devices in the app (null: the partner's own) and returns their ids. */
  async function devicesOf(appId: string | null, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await sdk.devices.regDirectDevice({ nodeId: randomNodeId() }, appId, null)).deviceId);
    sim.clearRecords();
    return ids;
  }

  function appState(appId: string) {
    return (sim as unknown as { state: SimulatorState }).state.requireApp(appId);
  }

  test('the group life cycle in the authorising app, accessAppId sent every time, each request checked', async () => {
    const [d1, d2, d3] = (await devicesOf(OWNER.appId, 3)) as [string, string, string];

    const created = await groups.createDeviceGroup({ name: 'meters1', description: 'first floor', appId: OWNER.appId, maxDevNum: 3, deviceIds: [d1, d2] }, null);
    let request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.createDeviceGroup.method);
    assert.equal(request.path, GROUPS);
    assert.deepEqual(request.query, {});
    assert.match(request.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(jsonBody(request), { name: 'meters1', description: 'first floor', appId: OWNER.appId, maxDevNum: 3, deviceIds: [d1, d2] });
    assert.equal(request.status, api.createDeviceGroup.status);
    assert.equal(typeof created.id, 'string');
    const id = created.id;
    assert.deepEqual(created, { name: 'meters1', description: 'first floor', id, appId: OWNER.appId, maxDevNum: 3, curDevNum: 2, deviceIds: [d1, d2] });

    const single = await groups.querySingleDeviceGroup(id, OWNER.appId, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.querySingleDeviceGroup.method);
    assert.equal(request.path, `${GROUPS}/${id}`);
    assert.deepEqual(request.query, { accessAppId: OWNER.appId });
    assert.equal(request.body, '');
    assert.equal(request.status, api.querySingleDeviceGroup.status);
    assert.deepEqual(single, { name: 'meters1', description: 'first floor', id, appId: OWNER.appId, maxDevNum: 3, curDevNum: 2, creator: PARTNER.appId });

    const modified = await groups.modifyDeviceGroup({ name: 'meters2', maxDevNum: 5 }, id, OWNER.appId, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.modifyDeviceGroup.method);
    assert.equal(request.path, `${GROUPS}/${id}`);
    assert.deepEqual(request.query, { accessAppId: OWNER.appId });
    assert.deepEqual(jsonBody(request), { name: 'meters2', maxDevNum: 5 });
    assert.equal(request.status, api.modifyDeviceGroup.status);
    assert.deepEqual(modified, { name: 'meters2', description: 'first floor', id, appId: OWNER.appId, maxDevNum: 5, curDevNum: 2 });

    const listed = await groups.queryDeviceGroups({ accessAppId: OWNER.appId, pageNo: 0, pageSize: 10, name: 'meters2' }, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.queryDeviceGroups.method);
    assert.equal(request.path, GROUPS);
    assert.deepEqual(request.query, { accessAppId: OWNER.appId, pageNo: '0', pageSize: '10', name: 'meters2' });
    assert.equal(request.status, api.queryDeviceGroups.status);
    assert.deepEqual(listed, { totalCount: 1, pageNo: 0, pageSize: 10, list: [{ ...single, name: 'meters2', maxDevNum: 5 }] });

    const members = await groups.queryDeviceGroupMembers({ devGroupId: id, accessAppId: OWNER.appId, pageNo: 1, pageSize: 1 }, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.queryDeviceGroupMembers.method);
    assert.equal(request.path, MEMBERS);
    assert.deepEqual(request.query, { devGroupId: id, accessAppId: OWNER.appId, pageNo: '1', pageSize: '1' });
    assert.equal(request.status, api.queryDeviceGroupMembers.status);
    assert.deepEqual(members, { totalCount: 2, pageNo: 1, pageSize: 1, deviceIds: [d2] });

    const added = await groups.addDevicesToGroup({ devGroupId: id, deviceIds: [d3] }, OWNER.appId, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.addDevicesToGroup.method);
    assert.equal(request.path, ADD);
    assert.deepEqual(request.query, { accessAppId: OWNER.appId });
    assert.deepEqual(jsonBody(request), { devGroupId: id, deviceIds: [d3] });
    assert.equal(request.status, api.addDevicesToGroup.status);
    assert.deepEqual(added, { devGroupId: id, deviceIds: [d3] });
    // Batch tasks and upgrade tasks read the members through the store helpers.
    assert.deepEqual(groupMembers(appState(OWNER.appId), id), [d1, d2, d3]);
    assert.deepEqual(groupMembersByName(appState(OWNER.appId), 'meters2'), [d1, d2, d3]);
    assert.equal(groupMembers(appState(PARTNER.appId), id), undefined);

    const removed = await groups.deleteDevicesFromGroup({ devGroupId: id, deviceIds: [d1] }, OWNER.appId, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(removed, undefined);
    assert.equal(request.method, api.deleteDevicesFromGroup.method);
    assert.equal(request.path, REMOVE);
    assert.deepEqual(request.query, { accessAppId: OWNER.appId });
    assert.deepEqual(jsonBody(request), { devGroupId: id, deviceIds: [d1] });
    assert.equal(request.status, api.deleteDevicesFromGroup.status);
    assert.deepEqual((await groups.queryDeviceGroupMembers({ devGroupId: id, accessAppId: OWNER.appId }, null)).deviceIds, [d2, d3]);

    // A deleted device leaves its groups.
    await sdk.devices.deleteDirectDevice(d2, null, OWNER.appId, null);
    assert.deepEqual(await groups.queryDeviceGroupMembers({ devGroupId: id, accessAppId: OWNER.appId }, null), { totalCount: 1, pageNo: 0, pageSize: 10, deviceIds: [d3] });
    assert.equal((await groups.querySingleDeviceGroup(id, OWNER.appId, null)).curDevNum, 1);
    assert.deepEqual(groupMembers(appState(OWNER.appId), id), [d3]);
    sim.clearRecords();

    const deleted = await groups.deleteDeviceGroup(id, OWNER.appId, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(deleted, undefined);
    assert.equal(request.method, api.deleteDeviceGroup.method);
    assert.equal(request.path, `${GROUPS}/${id}`);
    assert.deepEqual(request.query, { accessAppId: OWNER.appId });
    assert.equal(request.status, api.deleteDeviceGroup.status);
    // An unknown group is reported with HTTP 200 and error_code 100603.
    await rejectsWith(groups.querySingleDeviceGroup(id, OWNER.appId, null), '100603', 200);
    assert.equal(groupMembers(appState(OWNER.appId), id), undefined);
  });

  test('accessAppId left out when null: the group is the caller\'s own; foreign apps are refused', async () => {
    const [own] = (await devicesOf(null, 1)) as [string];
    const created = await groups.createDeviceGroup({ name: 'own1', deviceIds: [own] }, null);
    let request = onlyRequest(sim, PARTNER.appId);
    assert.deepEqual(jsonBody(request), { name: 'own1', deviceIds: [own] });
    assert.deepEqual({ appId: created.appId, maxDevNum: created.maxDevNum, curDevNum: created.curDevNum, description: created.description }, { appId: PARTNER.appId, maxDevNum: 0, curDevNum: 1, description: null });

    const single = await groups.querySingleDeviceGroup(created.id, null, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.deepEqual(request.query, {});
    assert.equal(single.appId, PARTNER.appId);
    await groups.queryDeviceGroups({}, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, {});
    await groups.queryDeviceGroupMembers({ devGroupId: created.id }, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, { devGroupId: created.id });
    await groups.modifyDeviceGroup({ name: 'own2' }, created.id, null, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, {});
    await groups.addDevicesToGroup({ devGroupId: created.id, deviceIds: [own] }, null, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, {});
    await groups.deleteDevicesFromGroup({ devGroupId: created.id, deviceIds: [own] }, null, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, {});
    await groups.deleteDeviceGroup(created.id, null, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, {});

    // The group of one app is unknown in another; foreign apps answer 100203 / 100217.
    const owners = await groups.createDeviceGroup({ name: 'ownersGroup', appId: OWNER.appId }, null);
    await rejectsWith(groups.querySingleDeviceGroup(owners.id, null, null), '100603', 200);
    await rejectsWith(groups.querySingleDeviceGroup(owners.id, 'nobodyApp', null), '100203', 403);
    await rejectsWith(groups.querySingleDeviceGroup(owners.id, STRANGER.appId, null), '100217', 403);
    await rejectsWith(groups.createDeviceGroup({ name: 'strangers', appId: STRANGER.appId }, null), '100217', 403);
    await rejectsWith(groups.queryDeviceGroups({ accessAppId: 'nobodyApp' }, null), '100203', 403);
    await groups.deleteDeviceGroup(owners.id, OWNER.appId, null);
  });

  test('names, limits, unknown groups and devices give the platform\'s errors', async () => {
    const [a, b, c] = (await devicesOf(null, 3)) as [string, string, string];
    const first = await groups.createDeviceGroup({ name: 'limits1', maxDevNum: 1, deviceIds: [a] }, null);
    await rejectsWith(groups.createDeviceGroup({ name: 'limits1' }, null), '100602', 400);
    await rejectsWith(groups.createDeviceGroup({ name: 'bad name!' }, null), '100405', 400);
    await rejectsWith(groups.createDeviceGroup({ name: 'limits2', maxDevNum: 1, deviceIds: [a, b] }, null), '100609', 400);
    await rejectsWith(groups.createDeviceGroup({ name: 'limits2', deviceIds: [a, 'no-such-device'] }, null), '100403', 404);
    // The group is full: adding answers 200 / 100601; re-adding a member changes nothing.
    await rejectsWith(groups.addDevicesToGroup({ devGroupId: first.id, deviceIds: [b] }, null, null), '100601', 200);
    assert.deepEqual(await groups.addDevicesToGroup({ devGroupId: first.id, deviceIds: [a] }, null, null), { devGroupId: first.id, deviceIds: [a] });
    await groups.modifyDeviceGroup({ name: 'limits1', maxDevNum: 2 }, first.id, null, null);
    // Room for one more, two asked for: 400 / 100609 and nothing added.
    await rejectsWith(groups.addDevicesToGroup({ devGroupId: first.id, deviceIds: [b, c] }, null, null), '100609', 400);
    assert.equal((await groups.querySingleDeviceGroup(first.id, null, null)).curDevNum, 1);
    await rejectsWith(groups.addDevicesToGroup({ devGroupId: first.id, deviceIds: ['no-such-device'] }, null, null), '100403', 404);
    const second = await groups.createDeviceGroup({ name: 'limits2' }, null);
    await rejectsWith(groups.modifyDeviceGroup({ name: 'limits1' }, second.id, null, null), '100602', 400);
    await rejectsWith(groups.modifyDeviceGroup({ name: 'limits1', maxDevNum: 0 }, 'no-such-group', null, null), '100603', 200);
    await rejectsWith(groups.deleteDeviceGroup('no-such-group', null, null), '100603', 200);
    await rejectsWith(groups.queryDeviceGroupMembers({ devGroupId: 'no-such-group' }, null), '100603', 200);
    await rejectsWith(groups.addDevicesToGroup({ devGroupId: 'no-such-group', deviceIds: [a] }, null, null), '100603', 200);
    await rejectsWith(groups.deleteDevicesFromGroup({ devGroupId: 'no-such-group', deviceIds: [a] }, null, null), '100603', 200);
    await groups.deleteDeviceGroup(first.id, null, null);
    await groups.deleteDeviceGroup(second.id, null, null);
  });

  test(`an app holds at most ${MAX_GROUPS_PER_APP} groups: one more answers 200 / 100607`, async () => {
    const existing = (await groups.queryDeviceGroups({}, null)).totalCount;
    const missing = MAX_GROUPS_PER_APP - existing;
    for (let start = 0; start < missing; start += 50) {
      const batch = Array.from({ length: Math.min(50, missing - start) }, (_, i) => groups.createDeviceGroup({ name: `bulk${start + i}` }, null));
      await Promise.all(batch);
    }
    const full = await groups.queryDeviceGroups({ pageNo: 3, pageSize: 300 }, null);
    assert.deepEqual({ totalCount: full.totalCount, onPage: full.list.length }, { totalCount: MAX_GROUPS_PER_APP, onPage: 100 });
    await rejectsWith(groups.createDeviceGroup({ name: 'oneTooMany' }, null), '100607', 200);
    // The limit is per app: the owner app still takes new groups.
    const owners = await groups.createDeviceGroup({ name: 'oneMore', appId: OWNER.appId }, null);
    await groups.deleteDeviceGroup(owners.id, OWNER.appId, null);
  });

  /** A request the SDK would never send, with the partner's current token. */
  const raw = (method: string, pathAndQuery: string, body?: unknown) => rawBusinessCall(sim, PARTNER.appId, method, pathAndQuery, body);

  test('the simulator: bad paging and missing ids give 400 / 100405, and only accessAppId names the authorised app', async () => {
    const invalid = { status: 400, body: { error_code: '100405', error_desc: 'The request parameter is invalid.' } };
    assert.deepEqual(await raw('GET', `${GROUPS}?pageNo=abc`), invalid);
    assert.deepEqual(await raw('GET', `${GROUPS}?pageSize=0`), invalid);
    assert.deepEqual(await raw('GET', `${GROUPS}?pageNo=-1`), invalid);
    assert.deepEqual(await raw('GET', `${GROUPS}?pageSize=1001`), invalid);
    assert.deepEqual(await raw('GET', MEMBERS), invalid);
    assert.deepEqual(await raw('POST', ADD, { deviceIds: ['d1'] }), invalid);
    assert.deepEqual(await raw('POST', GROUPS, { name: 'x', maxDevNum: '3' }), invalid);
    const created = await raw('POST', `${GROUPS}?accessAppId=${OWNER.appId}`, { name: 'viaQuery' });
    assert.equal(created.status, 200);
    const group = created.body as { id: string; appId: string };
    assert.equal(group.appId, OWNER.appId);
    // ?appId= means nothing to the group routes: the group of the owner is not found without accessAppId.
    assert.deepEqual(await raw('GET', `${GROUPS}/${group.id}?appId=${OWNER.appId}`), { status: 200, body: { error_code: '100603', error_desc: 'The device group is not existed.' } });
    const deleted = await raw('DELETE', `${GROUPS}/${group.id}?accessAppId=${OWNER.appId}`);
    assert.deepEqual(deleted, { status: 200, body: undefined });
  });

  test('bad input gives 1007 naming the field, and nothing is sent', async () => {
    const cases: [string, () => Promise<unknown>][] = [
      ['cdgInDTO', () => groups.createDeviceGroup(null as never, null)],
      ['cdgInDTO.name', () => groups.createDeviceGroup({} as never, null)],
      ['cdgInDTO.name', () => groups.createDeviceGroup({ name: 'n'.repeat(51) }, null)],
      ['cdgInDTO.description', () => groups.createDeviceGroup({ name: 'g1', description: 5 as never }, null)],
      ['cdgInDTO.appId', () => groups.createDeviceGroup({ name: 'g1', appId: 5 as never }, null)],
      ['cdgInDTO.maxDevNum', () => groups.createDeviceGroup({ name: 'g1', maxDevNum: -1 }, null)],
      ['cdgInDTO.maxDevNum', () => groups.createDeviceGroup({ name: 'g1', maxDevNum: 1.5 }, null)],
      ['cdgInDTO.deviceIds', () => groups.createDeviceGroup({ name: 'g1', deviceIds: 'd1' as never }, null)],
      ['cdgInDTO.deviceIds[1]', () => groups.createDeviceGroup({ name: 'g1', deviceIds: ['d1', ''] }, null)],
      ['devGroupId', () => groups.deleteDeviceGroup('', null, null)],
      ['accessAppId', () => groups.deleteDeviceGroup('g1', 5 as never, null)],
      ['mdgInDTO', () => groups.modifyDeviceGroup(undefined as never, 'g1', null, null)],
      ['mdgInDTO.name', () => groups.modifyDeviceGroup({ maxDevNum: 3 } as never, 'g1', null, null)],
      ['mdgInDTO.maxDevNum', () => groups.modifyDeviceGroup({ name: 'g1', maxDevNum: '3' as never }, 'g1', null, null)],
      ['mdgInDTO.description', () => groups.modifyDeviceGroup({ name: 'g1', description: 'd'.repeat(1025) }, 'g1', null, null)],
      ['devGroupId', () => groups.modifyDeviceGroup({ name: 'g1' }, undefined as never, null, null)],
      ['accessAppId', () => groups.modifyDeviceGroup({ name: 'g1' }, 'g1', [] as never, null)],
      ['qdgInDTO', () => groups.queryDeviceGroups(null as never, null)],
      ['qdgInDTO.pageNo', () => groups.queryDeviceGroups({ pageNo: -1 }, null)],
      ['qdgInDTO.pageSize', () => groups.queryDeviceGroups({ pageSize: 1001 }, null)],
      ['qdgInDTO.name', () => groups.queryDeviceGroups({ name: 7 as never }, null)],
      ['qdgInDTO.accessAppId', () => groups.queryDeviceGroups({ accessAppId: 7 as never }, null)],
      ['qdgInDTO.accessAppId', () => groups.queryDeviceGroups({ accessAppId: '  ' }, null)],
      ['accessAppId', () => groups.deleteDeviceGroup('g1', '\t', null)],
      ['devGroupId', () => groups.querySingleDeviceGroup('', null, null)],
      ['accessAppId', () => groups.querySingleDeviceGroup('g1', {} as never, null)],
      ['qdgmInDTO', () => groups.queryDeviceGroupMembers(undefined as never, null)],
      ['qdgmInDTO.devGroupId', () => groups.queryDeviceGroupMembers({} as never, null)],
      ['qdgmInDTO.pageSize', () => groups.queryDeviceGroupMembers({ devGroupId: 'g1', pageSize: 0 }, null)],
      ['qdgmInDTO.pageNo', () => groups.queryDeviceGroupMembers({ devGroupId: 'g1', pageNo: 'first' as never }, null)],
      ['qdgmInDTO.accessAppId', () => groups.queryDeviceGroupMembers({ devGroupId: 'g1', accessAppId: 1 as never }, null)],
      ['dgwdlDTO', () => groups.addDevicesToGroup(null as never, null, null)],
      ['dgwdlDTO.devGroupId', () => groups.addDevicesToGroup({ deviceIds: ['d1'] } as never, null, null)],
      ['dgwdlDTO.deviceIds', () => groups.addDevicesToGroup({ devGroupId: 'g1', deviceIds: [] }, null, null)],
      ['dgwdlDTO.deviceIds', () => groups.addDevicesToGroup({ devGroupId: 'g1', deviceIds: Array.from({ length: 1001 }, (_, i) => `d${i}`) }, null, null)],
      ['accessAppId', () => groups.addDevicesToGroup({ devGroupId: 'g1', deviceIds: ['d1'] }, 3 as never, null)],
      ['dgwdlDTO.deviceIds[0]', () => groups.deleteDevicesFromGroup({ devGroupId: 'g1', deviceIds: [5 as never] }, null, null)],
      ['dgwdlDTO.devGroupId', () => groups.deleteDevicesFromGroup({ devGroupId: '', deviceIds: ['d1'] }, null, null)],
      ['accessAppId', () => groups.deleteDevicesFromGroup({ devGroupId: 'g1', deviceIds: ['d1'] }, true as never, null)],
    ];
    for (const [field, call] of cases) await rejectsBadInput(sim, call, field);
  });
});
