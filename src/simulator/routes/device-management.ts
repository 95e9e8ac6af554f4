/**
 * DeviceManagement routes: register a device, refresh its key, modify and
 * delete it, query activation status, real-time location and the shadow,
 * and modify desired shadow properties.
 *
 * A registered device that has not connected within its registration
 * `timeout` (seconds, 0 = never; refreshDeviceKey starts a new window) is
 * deleted, as on the platform; the server enforces this before every request
 * (`SimulatorState.expireDevices`). Deleting a device deletes what is kept
 * about it as well (`SimulatorState.removeDevice`).
 *
 * Keys of user objects (deviceInfo, desired properties) are stored as plain
 * data, `__proto__` included.
 */
import { createHash } from 'node:crypto';
import { Errors } from '../errors.js';
import { deviceName, deviceView, serviceOf, touch, type DeviceRecord } from '../devices.js';
import type { BusinessContext, RouteResult, Router } from '../router.js';
import { assignData, isNonEmptyString, isPlainObject, optionalString, platformTime, randomHex, setData } from '../util.js';

export const DEVICE_CREDENTIALS_PATH = '/iocm/app/reg/v1.1.0/deviceCredentials';
export const DEVICE_PATH = '/iocm/app/dm/v1.4.0/devices';
export const LOCATION_PATH = '/iocm/app/location/v1.1.0/queryDeviceRealtimeLocation';
export const SHADOW_PATH = '/iocm/app/shadow/v1.5.0/devices';

/** Registration timeout (seconds) when none is given. */
const DEFAULT_TIMEOUT = 180;

/** Fields modifyDeviceInfo accepts, with their expected JSON type. */
const MODIFIABLE: Record<string, 'string' | 'object' | 'array' | 'mute'> = {
  name: 'string',
  endUser: 'string',
  mute: 'mute',
  manufacturerId: 'string',
  manufacturerName: 'string',
  deviceType: 'string',
  model: 'string',
  location: 'string',
  protocolType: 'string',
  region: 'string',
  organization: 'string',
  timezone: 'string',
  imsi: 'string',
  deviceConfig: 'object',
  customFields: 'array',
  productId: 'string',
};

function optionalTimeout(body: Record<string, unknown>, invalid: () => Error): number | undefined {
  const value = body['timeout'];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalid();
  return value;
}

/** Copies the descriptive fields of a registration's `deviceInfo`. */
function registrationInfo(body: Record<string, unknown>): Record<string, unknown> {
  const info: Record<string, unknown> = {};
  const deviceInfo = body['deviceInfo'];
  if (deviceInfo !== undefined && deviceInfo !== null) {
    if (!isPlainObject(deviceInfo)) throw Errors.badRequest();
    for (const [key, value] of Object.entries(deviceInfo)) {
      if (key === 'nodeId' || key === 'status' || key === 'statusDetail') continue;
      if (value !== undefined && value !== null) setData(info, key, value);
    }
  }
  for (const key of ['imsi', 'productId'] as const) {
    const value = optionalString(body, key, Errors.badRequest);
    if (value !== undefined) info[key] = value;
  }
  return info;
}

function register(ctx: BusinessContext): RouteResult {
  const body = ctx.jsonObject();
  const nodeId = body['nodeId'];
  if (!isNonEmptyString(nodeId)) throw Errors.badRequest();
  const verifyCode = optionalString(body, 'verifyCode', Errors.badRequest) || nodeId;
  const givenPsk = optionalString(body, 'psk', Errors.badRequest);
  if (givenPsk !== undefined && givenPsk !== '' && !/^[0-9a-fA-F]{8,32}$/.test(givenPsk)) throw Errors.badRequest();
  const psk = givenPsk || randomHex(16);
  const timeout = optionalTimeout(body, Errors.badRequest) ?? DEFAULT_TIMEOUT;
  const endUserId = optionalString(body, 'endUserId', Errors.badRequest);
  const isSecure = body['isSecure'];
  if (isSecure !== undefined && isSecure !== null && typeof isSecure !== 'boolean') throw Errors.badRequest();
  const info = registrationInfo(body);
  const device = ctx.target.devices.register({
    nodeId,
    verifyCode,
    psk,
    timeout,
    endUserId,
    isSecure: typeof isSecure === 'boolean' ? isSecure : undefined,
    info,
  });
  ctx.state.emitChange({ type: 'deviceAdded', appId: ctx.target.appId, device });
  return { status: 200, body: { deviceId: device.deviceId, verifyCode, timeout, psk } };
}

function refreshDeviceKey(ctx: BusinessContext): RouteResult {
  const device = ctx.target.devices.require(ctx.params['deviceId']!);
  if (device.status === 'ONLINE') throw Errors.deviceOnline();
  const body = ctx.jsonObject();
  const verifyCode = optionalString(body, 'verifyCode', Errors.badRequest);
  const nodeId = optionalString(body, 'nodeId', Errors.badRequest);
  const timeout = optionalTimeout(body, Errors.badRequest) ?? DEFAULT_TIMEOUT;
  const now = Date.now();
  if (nodeId) ctx.target.devices.changeNodeId(device, nodeId);
  device.verifyCode = verifyCode || nodeId || device.verifyCode;
  // The new timeout counts from now: a device that has not connected yet gets a new window.
  ctx.target.devices.restartTimeout(device, timeout, now);
  touch(device, now);
  ctx.state.emitChange({ type: 'deviceInfoChanged', appId: ctx.target.appId, device });
  return { status: 200, body: { verifyCode: device.verifyCode, timeout } };
}

function modifyDeviceInfo(ctx: BusinessContext): RouteResult {
  const device = ctx.target.devices.require(ctx.params['deviceId']!);
  const body = ctx.jsonObject();
  const changes: Record<string, unknown> = {};
  for (const [key, kind] of Object.entries(MODIFIABLE)) {
    const value = body[key];
    if (value === undefined || value === null) continue;
    const ok =
      kind === 'string'
        ? typeof value === 'string'
        : kind === 'mute'
          ? typeof value === 'string' || typeof value === 'boolean'
          : kind === 'object'
            ? isPlainObject(value)
            : Array.isArray(value);
    if (!ok) throw Errors.invalidParameter();
    changes[key] = value;
  }
  // Nothing to change (an empty body, or only nulls): nothing is touched or announced.
  if (Object.keys(changes).length === 0) return { status: 204 };
  Object.assign(device.info, changes);
  touch(device);
  ctx.state.emitChange({ type: 'deviceInfoChanged', appId: ctx.target.appId, device });
  return { status: 204 };
}

function deleteDevice(ctx: BusinessContext): RouteResult {
  const cascade = ctx.query['cascade'];
  if (cascade !== undefined && cascade !== 'true' && cascade !== 'false') throw Errors.invalidParameter();
  const device = ctx.target.devices.require(ctx.params['deviceId']!);
  ctx.state.removeDevice(ctx.target, device);
  ctx.state.emitChange({ type: 'deviceDeleted', appId: ctx.target.appId, device });
  return { status: 204 };
}

function queryDeviceStatus(ctx: BusinessContext): RouteResult {
  const device = ctx.target.devices.require(ctx.params['deviceId']!);
  return { status: 200, body: { deviceId: device.deviceId, activated: device.activated, name: deviceName(device) } };
}

/** A stable fake position for a device (somewhere around Shenzhen), derived from its id. */
export function fakePosition(deviceId: string): { x: string; y: string } {
  const digest = createHash('sha256').update(deviceId).digest();
  const a = digest.readUInt32BE(0) / 0x1_0000_0000;
  const b = digest.readUInt32BE(4) / 0x1_0000_0000;
  return { x: (113.8 + a * 0.4).toFixed(6), y: (22.45 + b * 0.3).toFixed(6) };
}

function queryDeviceRealtimeLocation(ctx: BusinessContext): RouteResult {
  const body = ctx.jsonObject();
  const deviceId = body['deviceId'];
  if (!isNonEmptyString(deviceId)) throw Errors.invalidParameter();
  const horAcc = body['horAcc'];
  if (horAcc !== undefined && horAcc !== null && (typeof horAcc !== 'number' || !Number.isFinite(horAcc) || horAcc < 0)) {
    throw Errors.invalidParameter();
  }
  const geoInfo = body['geoInfo'];
  if (geoInfo !== undefined && geoInfo !== null && !isPlainObject(geoInfo)) throw Errors.invalidParameter();
  const device = ctx.target.devices.require(deviceId);
  const time = platformTime();
  const { x, y } = fakePosition(device.deviceId);
  const radius = typeof horAcc === 'number' && horAcc > 0 ? Math.min(horAcc, 50) : 50;
  return {
    status: 200,
    body: {
      deviceId: device.deviceId,
      pd: { time, utcOff: '+0000', srsName: 'WGS84', X: x, Y: y, radius: String(radius) },
      poserr: { time, resid: '0', add_info: '' },
    },
  };
}

/** A device as the shadow query shows it: each service with its reported and desired properties. */
export function shadowView(device: DeviceRecord): Record<string, unknown> {
  return deviceView(device, (s) => ({
    serviceId: s.serviceId,
    serviceType: s.serviceType,
    reportedProps: { ...s.reportedProps },
    desiredProps: { ...s.desiredProps },
    eventTime: s.eventTime,
  }));
}

function queryDeviceShadow(ctx: BusinessContext): RouteResult {
  const device = ctx.target.devices.require(ctx.params['deviceId']!);
  return { status: 200, body: shadowView(device) };
}

function modifyDeviceShadow(ctx: BusinessContext): RouteResult {
  const device = ctx.target.devices.require(ctx.params['deviceId']!);
  const body = ctx.jsonObject();
  const list = body['serviceDesireds'];
  if (!Array.isArray(list) || list.length === 0) throw Errors.invalidParameter();
  for (const entry of list) {
    if (!isPlainObject(entry) || !isNonEmptyString(entry['serviceId']) || !isPlainObject(entry['desired'])) {
      throw Errors.invalidParameter();
    }
  }
  const now = Date.now();
  const serviceIds: string[] = [];
  for (const entry of list as Array<{ serviceId: string; desired: Record<string, unknown> }>) {
    const service = serviceOf(device, entry.serviceId);
    assignData(service.desiredProps, structuredClone(entry.desired));
    service.eventTime = platformTime(now);
    serviceIds.push(entry.serviceId);
    ctx.target.deviceData.addDesired({
      deviceId: device.deviceId,
      gatewayId: device.gatewayId,
      appId: ctx.target.appId,
      serviceId: entry.serviceId,
      desired: structuredClone(entry.desired),
      timestamp: now,
    });
  }
  touch(device, now);
  ctx.state.emitChange({ type: 'deviceDesiredChanged', appId: ctx.target.appId, device, serviceIds });
  return { status: 200 };
}

export function registerDeviceManagementRoutes(router: Router): void {
  router.business('POST', DEVICE_CREDENTIALS_PATH, register);
  router.business('PUT', `${DEVICE_CREDENTIALS_PATH}/{deviceId}`, refreshDeviceKey);
  router.business('GET', `${DEVICE_CREDENTIALS_PATH}/{deviceId}`, queryDeviceStatus);
  router.business('PUT', `${DEVICE_PATH}/{deviceId}`, modifyDeviceInfo);
  router.business('DELETE', `${DEVICE_PATH}/{deviceId}`, deleteDevice);
  router.business('POST', LOCATION_PATH, queryDeviceRealtimeLocation);
  router.business('GET', `${SHADOW_PATH}/{deviceId}`, queryDeviceShadow);
  router.business('PUT', `${SHADOW_PATH}/{deviceId}`, modifyDeviceShadow);
}
