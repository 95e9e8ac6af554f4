/**
 * In-memory device registry of one application.
 *
 * Records are plain data; route handlers turn them into API answers. Later
 * route groups (data collection, commands, groups, ...) keep their own stores
 * next to this one in {@link AppState} and reach devices through it.
 */
import { randomUUID } from 'node:crypto';
import { Errors } from './errors.js';
import { platformTime } from './util.js';

export type DeviceStatus = 'INACTIVE' | 'ONLINE' | 'OFFLINE' | 'ABNORMAL';

export interface DeviceServiceState {
  serviceId: string;
  serviceType: string;
  reportedProps: Record<string, unknown>;
  desiredProps: Record<string, unknown>;
  /** Last change, platform time format. */
  eventTime: string;
}

export interface DeviceRecord {
  deviceId: string;
  /** Owning application. */
  appId: string;
  nodeId: string;
  verifyCode: string;
  psk: string;
  /** Registration timeout in seconds (0 = never expires). */
  timeout: number;
  /**
   * When the registration runs out (ms since the epoch): a device that has not connected by then is deleted. Set
   * at registration and again by refreshDeviceKey; undefined when the timeout is 0.
   */
  activationDeadline?: number;
  endUserId?: string;
  isSecure?: boolean;
  gatewayId: string;
  nodeType: 'ENDPOINT' | 'GATEWAY';
  /** False until the device connects for the first time. */
  activated: boolean;
  status: DeviceStatus;
  /**
   * Descriptive fields (name, manufacturerId, model, location, region, imsi,
   * customFields, ...), as set at registration or by modifyDeviceInfo.
   */
  info: Record<string, unknown>;
  createTime: number;
  lastModifiedTime: number;
  services: Map<string, DeviceServiceState>;
}

/** What a registration supplies; the store fills in the rest of the record. */
export type RegisterInput = Pick<DeviceRecord, 'nodeId' | 'verifyCode' | 'psk' | 'timeout' | 'endUserId' | 'isSecure' | 'info'>;

export class DeviceStore {
  private readonly byId = new Map<string, DeviceRecord>();
  private readonly byNodeId = new Map<string, string>();
  /** Ids of devices whose registration may still run out (see {@link DeviceStore.expired}). */
  private readonly awaitingActivation = new Set<string>();
  /** No registration runs out before this time (it may be earlier than the true earliest deadline, never later). */
  private earliestDeadline = Infinity;

  constructor(private readonly appId: string) {}

  get size(): number {
    return this.byId.size;
  }

  list(): DeviceRecord[] {
    return [...this.byId.values()];
  }

  get(deviceId: string): DeviceRecord | undefined {
    return this.byId.get(deviceId);
  }

  /** The device, or a 404 / 100403 error. */
  require(deviceId: string): DeviceRecord {
    const device = this.byId.get(deviceId);
    if (!device) throw Errors.deviceNotExist();
    return device;
  }

  findByNodeId(nodeId: string): DeviceRecord | undefined {
    const id = this.byNodeId.get(nodeId);
    return id === undefined ? undefined : this.byId.get(id);
  }

  register(input: RegisterInput): DeviceRecord {
    const existing = this.findByNodeId(input.nodeId);
    // A nodeId already in use: 100416 once that device has connected (it is bound), 100426 before.
    if (existing) throw existing.activated ? Errors.deviceAlreadyBound() : Errors.nodeIdDuplicated();
    const now = Date.now();
    const deviceId = randomUUID();
    const device: DeviceRecord = {
      deviceId,
      appId: this.appId,
      nodeId: input.nodeId,
      verifyCode: input.verifyCode,
      psk: input.psk,
      timeout: input.timeout,
      endUserId: input.endUserId,
      isSecure: input.isSecure,
      gatewayId: deviceId,
      nodeType: 'ENDPOINT',
      activated: false,
      status: 'INACTIVE',
      info: { ...input.info },
      createTime: now,
      lastModifiedTime: now,
      services: new Map(),
    };
    this.byId.set(deviceId, device);
    this.byNodeId.set(input.nodeId, deviceId);
    this.restartTimeout(device, input.timeout, now);
    return device;
  }

  /** Sets the registration timeout (seconds, 0 = never) and starts its window anew from `now`. */
  restartTimeout(device: DeviceRecord, timeout: number, now = Date.now()): void {
    device.timeout = timeout;
    if (timeout > 0) {
      device.activationDeadline = now + timeout * 1000;
      this.awaitingActivation.add(device.deviceId);
      this.earliestDeadline = Math.min(this.earliestDeadline, device.activationDeadline);
    } else {
      device.activationDeadline = undefined;
      this.awaitingActivation.delete(device.deviceId);
    }
  }

  /**
   * Devices that never connected and whose registration has run out at `now`, oldest deadline first. They are not
   * removed here: the caller deletes them together with what is kept about them elsewhere.
   */
  expired(now = Date.now()): DeviceRecord[] {
    // Called before every request: most calls end here.
    if (now < this.earliestDeadline) return [];
    const found: DeviceRecord[] = [];
    let earliest = Infinity;
    for (const deviceId of this.awaitingActivation) {
      const device = this.byId.get(deviceId);
      if (!device || device.activated || device.activationDeadline === undefined) {
        this.awaitingActivation.delete(deviceId);
        continue;
      }
      earliest = Math.min(earliest, device.activationDeadline);
      if (now >= device.activationDeadline) found.push(device);
    }
    this.earliestDeadline = earliest;
    return found.sort((a, b) => a.activationDeadline! - b.activationDeadline!);
  }

  /** Changes a device's nodeId, keeping the index consistent (400 / 100426 if taken). */
  changeNodeId(device: DeviceRecord, nodeId: string): void {
    if (nodeId === device.nodeId) return;
    const owner = this.byNodeId.get(nodeId);
    if (owner !== undefined && owner !== device.deviceId) throw Errors.nodeIdDuplicated();
    this.byNodeId.delete(device.nodeId);
    device.nodeId = nodeId;
    this.byNodeId.set(nodeId, device.deviceId);
    touch(device);
  }

  delete(deviceId: string): DeviceRecord | undefined {
    const device = this.byId.get(deviceId);
    if (!device) return undefined;
    this.byId.delete(deviceId);
    this.byNodeId.delete(device.nodeId);
    this.awaitingActivation.delete(deviceId);
    return device;
  }
}

export function touch(device: DeviceRecord, now = Date.now()): void {
  device.lastModifiedTime = now;
}

/** The service entry of a device, created empty when absent. */
export function serviceOf(device: DeviceRecord, serviceId: string): DeviceServiceState {
  let service = device.services.get(serviceId);
  if (!service) {
    service = { serviceId, serviceType: serviceId, reportedProps: {}, desiredProps: {}, eventTime: platformTime() };
    device.services.set(serviceId, service);
  }
  return service;
}

/** Checks the `online` argument of a device-side status change: a boolean, else a TypeError. */
export function assertOnlineFlag(online: unknown): asserts online is boolean {
  if (typeof online !== 'boolean') throw new TypeError('online must be a boolean');
}

/**
 * Device side: the device connects (it is activated for good) or disconnects. Returns whether its status changed;
 * the record is touched only then.
 */
export function setOnline(device: DeviceRecord, online: boolean, now = Date.now()): boolean {
  if (online) device.activated = true;
  const status: DeviceStatus = online ? 'ONLINE' : device.activated ? 'OFFLINE' : 'INACTIVE';
  if (status === device.status) return false;
  device.status = status;
  touch(device, now);
  return true;
}

/** Display name: the name given, else the nodeId. */
export function deviceName(device: DeviceRecord): string {
  const name = device.info['name'];
  return typeof name === 'string' && name.length > 0 ? name : device.nodeId;
}

function statusDetail(status: DeviceStatus): string {
  return status === 'INACTIVE' ? 'NOT_ACTIVE' : 'NONE';
}

/** The `deviceInfo` object of query answers. Unset optional fields are omitted. */
export function deviceInfoView(device: DeviceRecord): Record<string, unknown> {
  return {
    nodeId: device.nodeId,
    ...device.info,
    name: deviceName(device),
    status: device.status,
    statusDetail: statusDetail(device.status),
  };
}

/**
 * A device as the device and shadow queries show it: its ids, times, `deviceInfo` (default {@link deviceInfoView})
 * and its services, each shown by `serviceView`.
 */
export function deviceView(
  device: DeviceRecord,
  serviceView: (service: DeviceServiceState) => Record<string, unknown>,
  deviceInfo: Record<string, unknown> = deviceInfoView(device),
): Record<string, unknown> {
  return {
    deviceId: device.deviceId,
    gatewayId: device.gatewayId,
    nodeType: device.nodeType,
    createTime: platformTime(device.createTime),
    lastModifiedTime: platformTime(device.lastModifiedTime),
    deviceInfo,
    services: [...device.services.values()].map(serviceView),
  };
}
