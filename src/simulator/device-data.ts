/**
 * Reported service data and desired-property history of one application's
 * devices, and the device-side operations that report data (one service, or
 * several at once).
 *
 * Histories are bounded (oldest records are dropped) and kept in memory only.
 */
import { serviceOf, touch, type DeviceRecord } from './devices.js';
import type { AppState, ReportedServiceData, SimulatorState } from './state.js';
import { assignData, cloneData, isNonEmptyString, isPlainObject, platformTime } from './util.js';

/** Records kept per history and application. */
export const MAX_HISTORY_RECORDS = 10000;

/** One data report of one service. */
export interface DataHistoryRecord {
  deviceId: string;
  gatewayId: string;
  appId: string;
  serviceId: string;
  data: Record<string, unknown>;
  /** ms since the epoch. */
  timestamp: number;
}

/** One change of desired properties of one service (from modifyDeviceShadow). */
export interface DesiredHistoryRecord {
  deviceId: string;
  gatewayId: string;
  appId: string;
  serviceId: string;
  desired: Record<string, unknown>;
  /** ms since the epoch. */
  timestamp: number;
}

/** Latest time a platform time can show (9999-12-31T23:59:59.999Z). */
export const MAX_PLATFORM_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function append<T>(list: T[], record: T): void {
  list.push(record);
  if (list.length > MAX_HISTORY_RECORDS) list.splice(0, list.length - MAX_HISTORY_RECORDS);
}

/** Removes, in place, the records of one device. */
function dropDevice<T extends { deviceId: string }>(list: T[], deviceId: string): void {
  let kept = 0;
  for (const record of list) if (record.deviceId !== deviceId) list[kept++] = record;
  list.length = kept;
}

export class DeviceDataStore {
  private readonly data: DataHistoryRecord[] = [];
  private readonly desired: DesiredHistoryRecord[] = [];

  constructor(readonly appId: string) {}

  addData(record: DataHistoryRecord): void {
    append(this.data, record);
  }

  addDesired(record: DesiredHistoryRecord): void {
    append(this.desired, record);
  }

  /** Data reports of a device, oldest first. */
  dataOf(deviceId: string): DataHistoryRecord[] {
    return this.data.filter((r) => r.deviceId === deviceId);
  }

  /** Desired-property changes of a device, oldest first. */
  desiredOf(deviceId: string): DesiredHistoryRecord[] {
    return this.desired.filter((r) => r.deviceId === deviceId);
  }

  /** Forgets both histories of a deleted device. */
  removeDevice(deviceId: string): void {
    dropDevice(this.data, deviceId);
    dropDevice(this.desired, deviceId);
  }
}

/** Parses a platform time (`yyyyMMdd'T'HHmmss'Z'`) to ms since the epoch; undefined when malformed. */
export function parsePlatformTime(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, takes years 0 to 99 as written.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const ms = date.getTime();
  // Out-of-range fields (month 13, 30 February, 24:00:00, ...) roll over and no longer read the same.
  return platformTime(ms) === text ? ms : undefined;
}

/** One service's part of a data report, checked and copied. */
interface CheckedReport {
  serviceId: string;
  values: Record<string, unknown>;
  serviceType?: string;
  /** When the data was measured, ms since the epoch. */
  time: number;
}

/** The `eventTime` of a report as ms since the epoch (now when absent); TypeError naming `field` when malformed. */
function reportTime(eventTime: unknown, field: string): number {
  if (eventTime === undefined) return Date.now();
  if (typeof eventTime === 'string') {
    const parsed = parsePlatformTime(eventTime);
    if (parsed === undefined) throw new TypeError(`${field} must be a platform time like '20151212T121212Z'`);
    return parsed;
  }
  if (typeof eventTime === 'number') {
    if (!Number.isFinite(eventTime) || eventTime < 0 || eventTime > MAX_PLATFORM_TIME) {
      throw new TypeError(`${field} must be a time in ms since the epoch, up to the end of year 9999`);
    }
    return eventTime;
  }
  throw new TypeError(`${field} must be a platform time string or ms since the epoch`);
}

/**
 * Checks and copies one service's report. Error messages name the fields with `prefix` in front (e.g.
 * `services[1].`), so that a batch report points at the bad entry.
 */
function checkReport(serviceId: unknown, data: unknown, options: unknown, prefix = ''): CheckedReport {
  if (!isNonEmptyString(serviceId)) throw new TypeError(`${prefix}serviceId must be a non-empty string`);
  if (!isPlainObject(data)) throw new TypeError(`${prefix}data must be an object`);
  const opts = options ?? {};
  if (!isPlainObject(opts)) throw new TypeError('options must be an object');
  const { serviceType, eventTime } = opts;
  if (serviceType !== undefined && !isNonEmptyString(serviceType)) throw new TypeError(`${prefix}serviceType must be a non-empty string`);
  const time = reportTime(eventTime, `${prefix}eventTime`);
  const values = cloneData(data, `${prefix}data`);
  return { serviceId, values, ...(serviceType !== undefined ? { serviceType } : {}), time };
}

/**
 * Applies one checked report to the device: its service's reported properties, type and time, and the data history.
 * Returns the service's data as the change announces it.
 */
function applyReport(app: AppState, device: DeviceRecord, report: CheckedReport): ReportedServiceData {
  const service = serviceOf(device, report.serviceId);
  assignData(service.reportedProps, report.values);
  if (report.serviceType !== undefined) service.serviceType = report.serviceType;
  service.eventTime = platformTime(report.time);
  app.deviceData.addData({
    deviceId: device.deviceId,
    gatewayId: device.gatewayId,
    appId: app.appId,
    serviceId: report.serviceId,
    data: structuredClone(report.values),
    timestamp: report.time,
  });
  return { serviceId: report.serviceId, serviceType: service.serviceType, data: structuredClone(report.values), eventTime: service.eventTime };
}

/** The reporting device, which is online afterwards (connecting issues its pending commands). */
function reportingDevice(state: SimulatorState, deviceId: string): { app: AppState; device: DeviceRecord } {
  const found = state.findDevice(deviceId);
  if (!found) throw new TypeError(`unknown deviceId: ${deviceId}`);
  // A device that reports is connected.
  if (found.device.status !== 'ONLINE') state.setDeviceOnline(deviceId, true);
  return found;
}

/**
 * Device side: the device reports data of one service. The device is online afterwards (which issues its pending
 * commands); the service's reported properties are updated, the report is appended to the data history and a
 * `deviceDataChanged` change is announced. Bad input (including an `eventTime` that is no valid time and data that
 * cannot be copied) is a TypeError, thrown before anything changes.
 */
export function reportDeviceData(
  state: SimulatorState,
  deviceId: unknown,
  serviceId: unknown,
  data: unknown,
  options: unknown = {},
): void {
  if (!isNonEmptyString(deviceId)) throw new TypeError('deviceId must be a non-empty string');
  const report = checkReport(serviceId, data, options);
  const { app, device } = reportingDevice(state, deviceId);
  const service = applyReport(app, device, report);
  touch(device);
  state.emitChange({ type: 'deviceDataChanged', appId: app.appId, device, service });
}

/**
 * Device side: the device reports data of several services at once (`services`: a non-empty array of
 * `{serviceId, data, serviceType?, eventTime?}`). Every entry is checked first, as by {@link reportDeviceData}, and
 * a TypeError naming the bad entry is thrown before anything changes. Then the device is online, each service is
 * updated in the order given (a serviceId given twice is updated twice) and one `deviceDatasChanged` change lists
 * them all.
 */
export function reportDeviceDatas(state: SimulatorState, deviceId: unknown, services: unknown): void {
  if (!isNonEmptyString(deviceId)) throw new TypeError('deviceId must be a non-empty string');
  if (!Array.isArray(services) || services.length === 0) throw new TypeError('services must be a non-empty array');
  const reports = services.map((entry: unknown, i) => {
    if (!isPlainObject(entry)) throw new TypeError(`services[${i}] must be an object`);
    const { serviceId, data, serviceType, eventTime } = entry;
    return checkReport(serviceId, data, { serviceType, eventTime }, `services[${i}].`);
  });
  const { app, device } = reportingDevice(state, deviceId);
  const reported = reports.map((report) => applyReport(app, device, report));
  touch(device);
  state.emitChange({ type: 'deviceDatasChanged', appId: app.appId, device, services: reported });
}
