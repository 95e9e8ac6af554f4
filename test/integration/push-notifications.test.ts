import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeviceUpgrade, SignalDelivery, SubscriptionManagement, type PushReceiverAddress } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { RecordingReceiver } from '../helpers/push.js';
import { randomNodeId, sdkFor } from '../helpers/sdk.js';

const APP = { appId: 'pushApp', secret: 'pushSecret1' };
const METER = { manufacturerId: 'acme', manufacturerName: 'Acme', deviceType: 'WaterMeter', model: 'WM-1', protocolType: 'CoAP' };
const PLATFORM_TIME = /^\d{8}T\d{6}Z$/;

describe('push notifications from the simulator to PushMessageReceiver, subscribed through the SDK with null tokens', () => {
  let sim: Simulator;
  let sdk: ReturnType<typeof sdkFor>;
  const receiver = new RecordingReceiver();
  let address: PushReceiverAddress;

  before(async () => {
    // Short tokens: subscriptions and commands are made across refreshes, all with accessToken = null.
    sim = await startSimulator({ tokenLifetimeSeconds: 2, apps: [APP], push: { backoffMs: 20 } });
    sdk = sdkFor(sim, APP);
    await sdk.auth.startRefreshTokenTimer();
    // HTTPS receiver with a certificate from the simulator's CA: the simulator verifies it like any client would.
    address = await receiver.listen({ host: '127.0.0.1', port: 0, tls: sim.issueServerCertificate('127.0.0.1') });
    const subs = sdk.container.resolve(SubscriptionManagement);
    for (const notifyType of ['deviceAdded', 'deviceInfoChanged', 'deviceDataChanged', 'deviceDatasChanged', 'deviceDeleted', 'deviceDesiredPropertiesModifyStatusChanged'] as const) {
      await subs.subDeviceData({ notifyType, callbackUrl: address.subscriptionUrl }, null, null);
    }
    for (const notifyType of ['swUpgradeStateChangeNotify', 'swUpgradeResultNotify', 'fwUpgradeStateChangeNotify', 'fwUpgradeResultNotify'] as const) {
      await subs.subDeviceManagementData({ notifyType, callbackurl: address.subscriptionUrl }, null);
    }
  });
  after(async () => {
    await receiver.close();
    await sdk.auth.stopRefreshTokenTimer();
    sdk.client.close();
    await sim.stop();
  });

  /** Waits until `handler` has received `count` messages about the device, and returns them. */
  async function messages(handler: string, deviceId: string, count: number): Promise<Array<Record<string, unknown>>> {
    const of = (): Array<Record<string, unknown>> => receiver.by(handler).filter((m) => m['deviceId'] === deviceId);
    await receiver.until(() => of().length >= count, 10_000, `${count} x ${handler} for ${deviceId}`);
    return of();
  }

  async function meter(): Promise<string> {
    const nodeId = randomNodeId();
    const { deviceId } = await sdk.devices.regDirectDevice({ nodeId, deviceInfo: { ...METER, swVersion: 'sw-1.0', fwVersion: 'fw-1.0' } }, null, null);
    return deviceId;
  }

  test('deviceAdded, deviceInfoChanged (modified, online), deviceDeleted', async () => {
    const nodeId = randomNodeId();
    const { deviceId } = await sdk.devices.regDirectDevice({ nodeId, deviceInfo: { ...METER } }, null, null);
    const [added] = await messages('handleDeviceAdded', deviceId, 1);
    assert.equal(added!['notifyType'], 'deviceAdded');
    assert.equal(added!['gatewayId'], deviceId);
    assert.equal(added!['nodeType'], 'ENDPOINT');
    const info = added!['deviceInfo'] as Record<string, unknown>;
    assert.equal(info['nodeId'], nodeId);
    assert.equal(info['model'], 'WM-1');
    assert.equal(info['status'], 'INACTIVE');

    await sdk.devices.modifyDeviceInfo({ name: 'kitchen meter' }, deviceId, null, null);
    const [modified] = await messages('handleDeviceInfoChanged', deviceId, 1);
    assert.equal((modified!['deviceInfo'] as Record<string, unknown>)['name'], 'kitchen meter');
    assert.equal(modified!['gatewayId'], deviceId);

    sim.setDeviceOnline(deviceId, true);
    const changes = await messages('handleDeviceInfoChanged', deviceId, 2);
    assert.equal((changes[1]!['deviceInfo'] as Record<string, unknown>)['status'], 'ONLINE');

    await sdk.devices.deleteDirectDevice(deviceId, false, null, null);
    const [deleted] = await messages('handleDeviceDeleted', deviceId, 1);
    assert.deepEqual(deleted, { notifyType: 'deviceDeleted', deviceId, gatewayId: deviceId });
  });

  test('reported data: a single report gives deviceDataChanged and a one-service deviceDatasChanged; a batch gives both per service', async () => {
    const deviceId = await meter();
    sim.reportDeviceData(deviceId, 'Water', { liters: 12 }, { serviceType: 'WaterService', eventTime: '20240102T030405Z' });
    const [single] = await messages('handleDeviceDataChanged', deviceId, 1);
    assert.equal(single!['notifyType'], 'deviceDataChanged');
    assert.equal(typeof single!['requestId'], 'string');
    assert.equal(single!['gatewayId'], deviceId);
    assert.deepEqual(single!['service'], { serviceId: 'Water', serviceType: 'WaterService', data: { liters: 12 }, eventTime: '20240102T030405Z' });
    const [one] = await messages('handleDeviceDatasChanged', deviceId, 1);
    assert.deepEqual(one!['services'], [single!['service']]);

    sim.reportDeviceDatas(deviceId, [
      { serviceId: 'Water', data: { liters: 13 } },
      { serviceId: 'Battery', data: { level: 88 }, eventTime: '20240102T030406Z' },
    ]);
    const batches = await messages('handleDeviceDatasChanged', deviceId, 2);
    const services = batches[1]!['services'] as Array<Record<string, unknown>>;
    assert.deepEqual(services.map((s) => [s['serviceId'], s['data']]), [['Water', { liters: 13 }], ['Battery', { level: 88 }]]);
    assert.equal(services[1]!['eventTime'], '20240102T030406Z');
    assert.match(String(services[0]!['eventTime']), PLATFORM_TIME);
    const singles = await messages('handleDeviceDataChanged', deviceId, 3);
    assert.deepEqual(singles.slice(1).map((m) => (m['service'] as { serviceId: string }).serviceId), ['Water', 'Battery']);
  });

  test('a desired-property change gives deviceDesiredPropertiesModifyStatusChanged', async () => {
    const deviceId = await meter();
    await sdk.devices.modifyDeviceShadow({ serviceDesireds: [{ serviceId: 'Valve', desired: { open: false } }] }, deviceId, null, null);
    const [message] = await messages('handleDeviceDesiredStatusChanged', deviceId, 1);
    assert.equal(message!['notifyType'], 'deviceDesiredPropertiesModifyStatusChanged');
    assert.equal(message!['serviceId'], 'Valve');
    assert.deepEqual(message!['properties'], { open: false });
    assert.equal(typeof message!['status'], 'string');
  });

  test('command status callbacks reach handleNBCommandStateChanged on the command path, in order', async () => {
    const deviceId = await meter();
    sim.setDeviceOnline(deviceId, true);
    const commands = sdk.container.resolve(SignalDelivery);
    const { commandId } = await commands.postDeviceCommand(
      { deviceId, command: { serviceId: 'Valve', method: 'CLOSE', paras: { force: true } }, callbackUrl: address.commandUrl },
      null,
      null,
    );
    await messages('handleNBCommandStateChanged', deviceId, 1);
    sim.acknowledgeCommand(commandId, 'DELIVERED');
    sim.acknowledgeCommand(commandId, 'SUCCESSFUL', { closed: true });
    const callbacks = await messages('handleNBCommandStateChanged', deviceId, 3);
    assert.deepEqual(callbacks.map((c) => c['commandId']), [commandId, commandId, commandId]);
    assert.deepEqual(callbacks.map((c) => (c['result'] as { resultCode: string }).resultCode), ['SENT', 'DELIVERED', 'SUCCESSFUL']);
    assert.deepEqual((callbacks[2]!['result'] as { resultDetail: unknown }).resultDetail, { closed: true });
    const contexts = receiver.received.filter((r) => r.handler === 'handleNBCommandStateChanged' && r.message['deviceId'] === deviceId).map((r) => r.context.path);
    assert.deepEqual(contexts, [receiver.paths.command, receiver.paths.command, receiver.paths.command]);
  });

  test('software and firmware upgrades: state and result notifications (the notifyType strings end in Notify)', async () => {
    const upgrades = sdk.container.resolve(DeviceUpgrade);
    for (const [fileType, create, prefix, target] of [
      ['softwarePackage', 'createSoftwareUpgradeTask', 'Sw', 'sw-2.0'],
      ['firmwarePackage', 'createFirmwareUpgradeTask', 'Fw', 'fw-2.0'],
    ] as const) {
      const deviceId = await meter();
      sim.setDeviceOnline(deviceId, true);
      const fileId = sim.addUpgradePackage({ fileType, name: `meter-${prefix}`, version: target, ...METER, appId: APP.appId });
      const { operationId } = await upgrades[create]({ fileId, targets: { devices: [deviceId] } }, null);
      const [state] = await messages(`handle${prefix}UpgradeStateChanged`, deviceId, 1);
      assert.equal(state!['notifyType'], `${prefix.toLowerCase()}UpgradeStateChangeNotify`);
      assert.equal(state!['operationId'], operationId);
      assert.equal(state!['appId'], APP.appId);
      assert.equal(typeof state!['subOperationId'], 'string');
      sim.finishUpgrade(deviceId, operationId, 'success');
      const [result] = await messages(`handle${prefix}UpgradeResult`, deviceId, 1);
      assert.equal(result!['notifyType'], `${prefix.toLowerCase()}UpgradeResultNotify`);
      assert.equal(result!['operationId'], operationId);
      assert.equal(result!['targetVersion'], target);
      assert.equal(result!['sourceVersion'], prefix === 'Sw' ? 'sw-1.0' : 'fw-1.0');
      assert.equal(result!['curVersion'], target);
    }
  });

  test('every push went out as compact JSON and was delivered', async () => {
    const until = Date.now() + 10_000;
    while (sim.pushDeliveries().some((d) => d.outcome === 'pending') && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    const deliveries = sim.pushDeliveries();
    assert.ok(deliveries.length >= 20, `deliveries: ${deliveries.length}`);
    for (const delivery of deliveries) {
      assert.equal(delivery.outcome, 'delivered', JSON.stringify(delivery));
      assert.equal(delivery.attempts.at(-1)?.status, 200);
      assert.equal(delivery.body, JSON.stringify(JSON.parse(delivery.body)), 'compact JSON');
      assert.ok(delivery.url === address.subscriptionUrl || delivery.url === address.commandUrl);
    }
    // The receiver got exactly what was delivered.
    assert.equal(receiver.received.length, deliveries.length);
  });
});
