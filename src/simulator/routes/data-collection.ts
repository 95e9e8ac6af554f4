/**
 * DataCollection routes: device queries, data and desired history, capabilities.
 *
 * - Single device: `select` accepts only `imsi` (the device's imsi is shown only then); unknown device 404 / 100403.
 * - Batch query: `gatewayId` and `pageNo` both absent 400 / 100218; pageNo from 0 (default 0), pageSize 1..250
 *   (default 25); filters gatewayId, status, nodeType, deviceType, startTime/endTime (registration time); sort by
 *   registration time, DESC (default) or ASC. Bad values 400 / 100405.
 * - Histories (newest first): deviceId and gatewayId required, pageNo from 0 (default 0), pageSize 1..2000
 *   (default 1); filters serviceId, property, startTime/endTime. Bad values 400 / 100022; a device the app does not
 *   have, or a gatewayId that is not the device's, 404 / 100418.
 * - Capabilities are derived from what the simulator has seen of each device, since it holds no device profiles:
 *   every service the device has reported data for, had desired properties set on, or received commands for
 *   (deviceCommands and sendCommand). Properties come from reported values (access `R`) and desired values
 *   (access `W`), with the data type read off the last value (`int`, `decimal`, `bool`, `string`, `json`);
 *   commands from the command methods used, their parameters from the names in `paras` / `body`.
 */
import { deviceInfoView, deviceView, type DeviceRecord } from '../devices.js';
import { Errors, platformError } from '../errors.js';
import { inTimeRange, newestFirst, page, pagingParams, timeParam } from '../query-params.js';
import type { BusinessContext, RouteResult, Router } from '../router.js';
import type { AppState } from '../state.js';
import { platformTime } from '../util.js';
import { DEVICE_PATH } from './device-management.js';

export const DATA_HISTORY_PATH = '/iocm/app/data/v1.2.0/deviceDataHistory';
export const DESIRED_HISTORY_PATH = '/iocm/app/shadow/v1.5.0/deviceDesiredHistory';
export const CAPABILITIES_PATH = '/iocm/app/data/v1.1.0/deviceCapabilities';

/** Errors of the data-collection routes. */
export const DataErrors = {
  deviceDataNotExist: () => platformError(404, '100418', 'The deviceData is not existed.'),
  invalidParameter: Errors.invalidParameter,
  invalidInput: Errors.invalidInput,
  gatewayIdAndPageNoNull: () => platformError(400, '100218', "The gatewayId and pageNo can't be both null."),
} as const;

/** `select` of the device queries: absent, or `imsi`. */
function selectImsi(ctx: BusinessContext): boolean {
  const select = ctx.query['select'];
  if (select === undefined || select === '') return false;
  if (select !== 'imsi') throw DataErrors.invalidParameter();
  return true;
}

/** A device as the device queries show it: each service with its reported data; the imsi only when selected. */
export function queriedDeviceView(device: DeviceRecord, withImsi: boolean): Record<string, unknown> {
  const deviceInfo = deviceInfoView(device);
  if (!withImsi) delete deviceInfo['imsi'];
  return deviceView(
    device,
    (s) => ({ serviceId: s.serviceId, serviceType: s.serviceType, data: structuredClone(s.reportedProps), eventTime: s.eventTime }),
    deviceInfo,
  );
}

function querySingleDevice(ctx: BusinessContext): RouteResult {
  const withImsi = selectImsi(ctx);
  const device = ctx.target.devices.require(ctx.params['deviceId']!);
  return { status: 200, body: queriedDeviceView(device, withImsi) };
}

function queryBatchDevices(ctx: BusinessContext): RouteResult {
  const { query } = ctx;
  const gatewayId = query['gatewayId'] || undefined;
  if (gatewayId === undefined && (query['pageNo'] === undefined || query['pageNo'] === '')) throw DataErrors.gatewayIdAndPageNoNull();
  const { pageNo, pageSize } = pagingParams(query, { defaultSize: 25, maxSize: 250 }, DataErrors.invalidParameter);
  const start = timeParam(query, 'startTime', DataErrors.invalidParameter);
  const end = timeParam(query, 'endTime', DataErrors.invalidParameter);
  const sort = query['sort'] || 'DESC';
  if (sort !== 'ASC' && sort !== 'DESC') throw DataErrors.invalidParameter();
  const withImsi = selectImsi(ctx);
  const { status, nodeType, deviceType } = query;
  const matching = ctx.target.devices
    .list()
    .filter(
      (d) =>
        (gatewayId === undefined || d.gatewayId === gatewayId) &&
        (!status || d.status === status) &&
        (!nodeType || d.nodeType === nodeType) &&
        (!deviceType || d.info['deviceType'] === deviceType) &&
        inTimeRange(d.createTime, start, end),
    );
  // Registration order is the store's order; equal creation times keep it (DESC: reversed).
  const ordered = sort === 'ASC' ? matching.sort((a, b) => a.createTime - b.createTime) : newestFirst(matching, (d) => d.createTime);
  const devices = page(ordered, pageNo, pageSize).map((d) => queriedDeviceView(d, withImsi));
  return { status: 200, body: { totalCount: matching.length, pageNo, pageSize, devices } };
}

interface HistoryQuery {
  device: DeviceRecord;
  serviceId: string | undefined;
  property: string | undefined;
  start: number | undefined;
  end: number | undefined;
  pageNo: number;
  pageSize: number;
}

function historyQuery(ctx: BusinessContext): HistoryQuery {
  const { query } = ctx;
  const deviceId = query['deviceId'];
  const gatewayId = query['gatewayId'];
  if (!deviceId || !gatewayId) throw DataErrors.invalidInput();
  const { pageNo, pageSize } = pagingParams(query, { defaultSize: 1, maxSize: 2000 }, DataErrors.invalidInput);
  const start = timeParam(query, 'startTime', DataErrors.invalidInput);
  const end = timeParam(query, 'endTime', DataErrors.invalidInput);
  const device = ctx.target.devices.get(deviceId);
  if (!device || device.gatewayId !== gatewayId) throw DataErrors.deviceDataNotExist();
  return { device, serviceId: query['serviceId'] || undefined, property: query['property'] || undefined, start, end, pageNo, pageSize };
}

/** The records of a history matching the query, newest first, paged. */
function historyPage<T extends { serviceId: string; timestamp: number }>(
  records: T[],
  q: HistoryQuery,
  values: (record: T) => Record<string, unknown>,
): { totalCount: number; items: T[] } {
  const matching = records.filter(
    (r) =>
      (q.serviceId === undefined || r.serviceId === q.serviceId) &&
      (q.property === undefined || Object.prototype.hasOwnProperty.call(values(r), q.property)) &&
      inTimeRange(r.timestamp, q.start, q.end),
  );
  return { totalCount: matching.length, items: page(newestFirst(matching, (r) => r.timestamp), q.pageNo, q.pageSize) };
}

/**
 * A history answer: the matching records, newest first and paged, each with its values under `valueKey`, listed
 * under `listKey`.
 */
function historyAnswer<T extends { deviceId: string; gatewayId: string; appId: string; serviceId: string; timestamp: number }>(
  q: HistoryQuery,
  records: T[],
  values: (record: T) => Record<string, unknown>,
  valueKey: string,
  listKey: string,
): RouteResult {
  const { totalCount, items } = historyPage(records, q, values);
  const list = items.map((r) => ({
    deviceId: r.deviceId,
    gatewayId: r.gatewayId,
    appId: r.appId,
    serviceId: r.serviceId,
    [valueKey]: structuredClone(values(r)),
    timestamp: platformTime(r.timestamp),
  }));
  return { status: 200, body: { totalCount, pageNo: q.pageNo, pageSize: q.pageSize, [listKey]: list } };
}

function queryDataHistory(ctx: BusinessContext): RouteResult {
  const q = historyQuery(ctx);
  return historyAnswer(q, ctx.target.deviceData.dataOf(q.device.deviceId), (r) => r.data, 'data', 'deviceDataHistoryDTOs');
}

function queryDesiredHistory(ctx: BusinessContext): RouteResult {
  const q = historyQuery(ctx);
  return historyAnswer(q, ctx.target.deviceData.desiredOf(q.device.deviceId), (r) => r.desired, 'desired', 'deviceDesiredHistory');
}

/** The profile data type that fits a JSON value. */
function dataTypeOf(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'decimal';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  return 'json';
}

interface ServiceSketch {
  serviceType: string;
  properties: Map<string, { dataType: string; read: boolean; write: boolean }>;
  commands: Map<string, Map<string, string>>;
}

function sketchOf(sketches: Map<string, ServiceSketch>, serviceId: string): ServiceSketch {
  let sketch = sketches.get(serviceId);
  if (!sketch) {
    sketch = { serviceType: serviceId, properties: new Map(), commands: new Map() };
    sketches.set(serviceId, sketch);
  }
  return sketch;
}

function addCommand(sketch: ServiceSketch, name: string, paras: Record<string, unknown> | undefined): void {
  let known = sketch.commands.get(name);
  if (!known) {
    known = new Map();
    sketch.commands.set(name, known);
  }
  for (const [paraName, value] of Object.entries(paras ?? {})) known.set(paraName, dataTypeOf(value));
}

/** The capabilities of a device, as far as the simulator has seen them (see the module comment). */
function capabilitiesOf(app: AppState, device: DeviceRecord): Record<string, unknown> {
  const sketches = new Map<string, ServiceSketch>();
  for (const service of device.services.values()) {
    const sketch = sketchOf(sketches, service.serviceId);
    sketch.serviceType = service.serviceType;
    for (const [name, value] of Object.entries(service.reportedProps)) {
      sketch.properties.set(name, { dataType: dataTypeOf(value), read: true, write: false });
    }
    for (const [name, value] of Object.entries(service.desiredProps)) {
      const known = sketch.properties.get(name);
      if (known) known.write = true;
      else sketch.properties.set(name, { dataType: dataTypeOf(value), read: false, write: true });
    }
  }
  for (const command of app.commands.ofDevice(device.deviceId)) {
    addCommand(sketchOf(sketches, command.command.serviceId), command.command.method, command.command.paras);
  }
  for (const invocation of app.commands.invocationList(device.deviceId)) {
    addCommand(sketchOf(sketches, invocation.serviceId), String(invocation.header['method']), invocation.body);
  }
  const serviceCapabilities = [...sketches].map(([serviceId, sketch]) => ({
    serviceId,
    serviceType: sketch.serviceType,
    option: 'Optional',
    commands: [...sketch.commands].map(([commandName, paras]) => ({
      commandName,
      paras: [...paras].map(([paraName, dataType]) => ({ paraName, dataType, required: false })),
      responses: [],
    })),
    properties: [...sketch.properties].map(([propertyName, p]) => ({
      propertyName,
      dataType: p.dataType,
      required: false,
      method: `${p.read ? 'R' : ''}${p.write ? 'W' : ''}`,
    })),
  }));
  return { deviceId: device.deviceId, serviceCapabilities };
}

function queryCapabilities(ctx: BusinessContext): RouteResult {
  const deviceId = ctx.query['deviceId'] || undefined;
  const gatewayId = ctx.query['gatewayId'] || undefined;
  let devices: DeviceRecord[];
  if (deviceId !== undefined) {
    const device = ctx.target.devices.get(deviceId);
    if (!device || (gatewayId !== undefined && device.gatewayId !== gatewayId)) throw DataErrors.deviceDataNotExist();
    devices = [device];
  } else {
    devices = ctx.target.devices.list().filter((d) => gatewayId === undefined || d.gatewayId === gatewayId);
  }
  return { status: 200, body: { deviceCapabilities: devices.map((d) => capabilitiesOf(ctx.target, d)) } };
}

export function registerDataCollectionRoutes(router: Router): void {
  router.business('GET', `${DEVICE_PATH}/{deviceId}`, querySingleDevice);
  router.business('GET', DEVICE_PATH, queryBatchDevices);
  router.business('GET', DATA_HISTORY_PATH, queryDataHistory);
  router.business('GET', DESIRED_HISTORY_PATH, queryDesiredHistory);
  router.business('GET', CAPABILITIES_PATH, queryCapabilities);
}
