import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc, { type Arbitrary } from 'fast-check';
import { NorthApiClient } from '../../src/client/north-api-client.js';
import { SERVICE_CLASSES } from '../../src/container.js';
import { NorthApiException } from '../../src/errors.js';
import type { ApiOperation } from '../../src/services/api-table.js';
import { DeviceManagement } from '../../src/services/device-management.js';
import { SubscriptionManagement } from '../../src/services/subscription-management.js';
import { apiCatalog, type CatalogEntry } from '../helpers/api-catalog.js';
import {
  anyValue,
  app,
  arr,
  bool,
  constant,
  extend,
  hex,
  id,
  int,
  json,
  jsonArray,
  maybe,
  obj,
  oneOf,
  opt,
  ownerFlag,
  runSettings,
  segment,
  sizeOf,
  taggedArb,
  text,
  token,
  union,
  validArb,
  validTokenArb,
  type Field,
  type Spec,
} from './arbitraries.js';

/**
 * Every method of every class in apiCatalog(), called with random argument lists: valid ones built from a description
 * of the method's parameters (read from its code and JSDoc), and the same with mutations at any depth. Per call: it
 * fails with NorthApiException 1007 (1009 only when the token argument itself was mutated) and nothing reaches the
 * server, or exactly one well-formed request reaches it. An unmutated call always succeeds.
 */

const RUNS_PER_METHOD = 200;
const APP_ID = 'propApp';
const SECRET = 'prop-secret-not-real';

// ---------------------------------------------------------------------------------------------------------------------
// What each method takes
// ---------------------------------------------------------------------------------------------------------------------

/** One way to call a method. */
interface Form {
  /** The positional parameters, the token included. */
  readonly params: readonly Spec[];
  /** Index of the accessToken argument; undefined for Authentication's token calls, which take none. */
  readonly tokenAt?: number;
  /** The operation this form sends, when it is not the method's own table entry. */
  readonly operation?: ApiOperation;
  /** Whether the method ignores an extra trailing argument (Authentication's next one is its call options). */
  readonly extraArgs: boolean;
}

/** A service method: the parameters, then `accessToken`. */
function service(...params: Spec[]): Form {
  return { params: [...params, token()], tokenAt: params.length, extraArgs: true };
}

/** A call of Authentication: its parameters, no accessToken argument, no Authorization header. */
function tokenCall(...params: Spec[]): Form {
  return { params, extraArgs: false };
}

const page = (maxPageSize?: number): Record<string, Field> => ({ pageNo: opt(int(0)), pageSize: opt(int(1, maxPageSize)) });

// DeviceManagement

const MODIFIABLE_TEXTS = ['name', 'endUser', 'mute', 'manufacturerId', 'manufacturerName', 'deviceType', 'model', 'location', 'protocolType', 'region', 'organization', 'timezone', 'imsi', 'productId'];

// DataCollection

const batchDevicesQuery = obj({
  appId: opt(app()),
  gatewayId: opt(id()),
  status: opt(text()),
  nodeType: opt(text()),
  deviceType: opt(text()),
  ...page(250),
  startTime: opt(text()),
  endTime: opt(text()),
  sort: opt(oneOf('ASC', 'DESC')),
  select: opt(text()),
});

const historyQuery = obj({
  appId: opt(app()),
  deviceId: id(),
  gatewayId: id(),
  serviceId: opt(text()),
  property: opt(text()),
  ...page(2000),
  startTime: opt(text()),
  endTime: opt(text()),
});

// SubscriptionManagement

const MANAGEMENT_TYPES = ['swUpgradeStateChangeNotify', 'swUpgradeResultNotify', 'fwUpgradeStateChangeNotify', 'fwUpgradeResultNotify'];
const SERVICE_TYPES = ['deviceAdded', 'bindDevice', 'deviceInfoChanged', 'deviceDataChanged', 'deviceDatasChanged', 'deviceDeleted', 'messageConfirm', 'commandRsp', 'deviceEvent', 'ruleEvent'];
const managementSubscription = union(
  obj({ notifyType: oneOf(...MANAGEMENT_TYPES), callbackurl: id(1024) }),
  obj({ notifyType: oneOf(...MANAGEMENT_TYPES), callbackUrl: id(1024) }),
);

// BatchProcess

const batchCommand = obj({ serviceId: id(), method: id(), paras: json() });
const deviceCmdCommon: Record<string, Spec | Field> = {
  deviceType: opt(text()),
  manufacturerId: opt(text()),
  model: opt(text()),
  deviceLocation: opt(text()),
  callbackUrl: opt(text()),
  maxRetransmit: opt(int(0, 3)),
  command: batchCommand,
};
const deviceCmdParam = union(
  obj({ type: oneOf('DeviceList'), deviceList: arr(id(), 1), groupList: opt(arr(id(), 0)), ...deviceCmdCommon }),
  obj({ type: oneOf('GroupList'), groupList: arr(id(), 1), deviceList: opt(arr(id(), 0)), ...deviceCmdCommon }),
  obj({ type: oneOf('DeviceType', 'DeviceArea', 'Broadcast', 'GroupIdList'), deviceList: opt(arr(id(), 0)), groupList: opt(arr(id(), 0)), ...deviceCmdCommon }),
);
const batchTaskBase: Record<string, Spec | Field> = {
  appId: id(),
  timeout: int(10, 2880),
  taskName: id(256),
  tags: opt(arr(obj({ tagName: id(), tagValue: text() }), 0)),
};
const batchTask = union(
  obj({ ...batchTaskBase, taskType: constant('DeviceCmd'), param: deviceCmdParam }),
  obj({ ...batchTaskBase, taskType: oneOf('DeviceReg', 'DeviceUpgrade'), param: json() }),
);

// DeviceUpgrade

const targetsBase = obj({
  deviceGroups: opt(arr(id(), 0, 256)),
  deviceType: opt(text()),
  model: opt(text()),
  manufacturerName: opt(text()),
  devices: opt(arr(id(), 0, 256)),
});
const targets = union(
  extend(targetsBase, { devices: arr(id(), 1, 256) }),
  extend(targetsBase, { deviceGroups: arr(id(), 1, 256) }),
  extend(targetsBase, { deviceType: id() }),
  extend(targetsBase, { model: id() }),
  extend(targetsBase, { manufacturerName: id() }),
);
const retry: Record<string, Spec | Field> = { retryType: opt(bool()), retryTimes: opt(int(1, 5)) };
const policy = union(
  obj({ executeType: opt(oneOf('now', 'device_online', 'idle')), startTime: opt(text()), endTime: opt(text()), ...retry }),
  obj({ executeType: constant('custom'), startTime: id(), endTime: id(), ...retry }),
);
const upgradeTask = obj({ fileId: id(), targets, policy: opt(policy) });

// RuleEngine

const timeRange = obj({ startTime: opt(text()), endTime: opt(text()), daysOfWeek: opt(text()) });
const preProcessors = opt(arr(obj({ processor: opt(text()) }), 0));
const condition = obj({
  type: id(),
  id: opt(text()),
  operator: opt(text()),
  value: opt(text()),
  time: opt(text()),
  daysOfWeek: opt(text()),
  description: opt(text()),
  deviceInfo: opt(
    obj({ deviceId: opt(id()), path: opt(text()), manufacturerId: opt(text()), model: opt(text()), deviceType: opt(text()), protocolType: opt(text()) }),
  ),
  deviceGroupInfo: opt(obj({ groupId: opt(id()), path: opt(text()) })),
  strategy: opt(obj({ trigger: opt(text()), eValidTime: opt(int(0)) })),
  timeRange: opt(timeRange),
  duration: opt(union(text(), int(0))),
  interval: opt(int(0)),
});
const ACTION_TEXTS = ['id', 'appKey', 'cmdVersion', 'msisdn', 'email', 'content', 'subject', 'title', 'accountId', 'name', 'status', 'severity', 'description', 'subSystem', 'messageType'];
const action = obj({
  type: id(),
  ...Object.fromEntries(ACTION_TEXTS.map((name) => [name, opt(text())])),
  deviceId: opt(id()),
  ruleId: opt(id()),
  cmd: opt(union(text(), obj({ messageType: opt(text()), serviceId: opt(text()), messageBody: opt(json()) }))),
  time: opt(int(0)),
  deviceCommandActionPreProcessors: preProcessors,
});
const RULE_TEXTS = ['appKey', 'description', 'author', 'logic', 'matchNow', 'status', 'timezoneID', 'executor', 'priority'];
const ruleFields: Record<string, Spec | Field> = {
  ruleId: opt(id()),
  name: id(),
  conditions: arr(condition, 1),
  actions: arr(action, 1),
  ...Object.fromEntries(RULE_TEXTS.map((name) => [name, opt(text())])),
  timeRange: opt(timeRange),
  groupExpress: opt(obj({ operator: opt(text()), groupElements: opt(arr(obj({ operator: opt(text()), elements: opt(jsonArray()) }), 0)) })),
  triggerSources: opt(arr(obj({ type: id(), deviceId: opt(id()), serviceId: opt(text()) }), 0)),
  refreshId: opt(bool()),
  checkNullAction: opt(bool()),
  tags: opt(jsonArray()),
  rulePreProcessors: preProcessors,
};
const ruleStatus = oneOf('active', 'inactive');

/** Every method of apiCatalog(), keyed `Class.method`: its forms (subDeviceData has two). */
const METHODS: Readonly<Record<string, readonly Form[]>> = {
  'Authentication.getAuthToken': [tokenCall()],
  'Authentication.refreshAuthToken': [tokenCall(obj({ appId: id(), secret: id(), refreshToken: id() }))],
  'Authentication.logoutAuthToken': [tokenCall(id())],

  'DeviceManagement.regDirectDevice': [
    service(
      obj({
        nodeId: id(),
        verifyCode: opt(text()),
        psk: opt(hex(8, 32)),
        endUserId: opt(text()),
        timeout: opt(int(0)),
        isSecure: opt(bool()),
        deviceInfo: opt(json()),
        imsi: opt(text()),
        productId: opt(text()),
      }),
      app(),
    ),
  ],
  'DeviceManagement.refreshDeviceKey': [service(obj({ verifyCode: opt(text()), nodeId: opt(text()), timeout: opt(int(0)) }), segment(), app())],
  'DeviceManagement.modifyDeviceInfo': [
    service(
      obj({ ...Object.fromEntries(MODIFIABLE_TEXTS.map((name) => [name, opt(text())])), deviceConfig: opt(json()), customFields: opt(jsonArray()) }),
      segment(),
      app(),
    ),
  ],
  'DeviceManagement.deleteDirectDevice': [service(segment(), maybe(bool()), app())],
  'DeviceManagement.queryDeviceStatus': [service(segment(), app())],
  'DeviceManagement.queryDeviceRealtimeLocation': [service(obj({ deviceId: id(), horAcc: opt(int(0)), geoInfo: opt(json()) }), app())],
  'DeviceManagement.queryDeviceShadow': [service(segment(), app())],
  'DeviceManagement.modifyDeviceShadow': [service(obj({ serviceDesireds: arr(obj({ serviceId: id(), desired: json() }), 1) }), segment(), app())],

  'DataCollection.querySingleDeviceInfo': [service(segment(), maybe(text()), app())],
  'DataCollection.queryBatchDevicesInfo': [service(union(extend(batchDevicesQuery, { gatewayId: id() }), extend(batchDevicesQuery, { pageNo: int(0) })))],
  'DataCollection.queryDeviceDataHistory': [service(historyQuery)],
  'DataCollection.queryDeviceDesiredHistory': [service(historyQuery)],
  'DataCollection.queryDeviceCapabilities': [service(obj({ deviceId: opt(id()), appId: opt(app()), gatewayId: opt(id()) }))],

  'SignalDelivery.postDeviceCommand': [
    service(
      obj({
        deviceId: id(),
        command: obj({ serviceId: id(), method: id(), paras: json() }),
        callbackUrl: opt(text(1024)),
        expireTime: opt(int(0)),
        maxRetransmit: opt(int(0, 3)),
      }),
      app(),
    ),
  ],
  'SignalDelivery.queryDeviceCommand': [service(obj({ ...page(1000), deviceId: opt(id()), startTime: opt(text()), endTime: opt(text()), appId: opt(app()) }))],
  'SignalDelivery.updateDeviceCommand': [service(obj({ status: oneOf('CANCELED') }), segment(), app())],
  'SignalDelivery.createDeviceCmdCancelTask': [service(obj({ deviceId: id() }), app())],
  'SignalDelivery.queryDeviceCmdCancelTask': [
    service(obj({ ...page(1000), taskId: opt(id()), deviceId: opt(id()), status: opt(text()), startTime: opt(text()), endTime: opt(text()), appId: opt(app()) })),
  ],

  'DeviceServiceInvocation.invokeDeviceService': [
    service(
      segment(),
      segment(),
      obj({
        header: obj({
          mode: oneOf('ACK', 'NOACK'),
          method: id(),
          from: opt(text()),
          to: opt(text()),
          toType: opt(text()),
          requestId: opt(text()),
          callbackURL: opt(text()),
        }),
        body: opt(json()),
      }),
      app(),
    ),
  ],

  'SubscriptionManagement.subDeviceData': [
    // Service data: (sddInDTO, ownerFlag, accessToken).
    service(obj({ notifyType: union(oneOf(...SERVICE_TYPES), id()), callbackUrl: id(1024), appId: opt(app()) }), maybe(ownerFlag())),
    // Management data, the Java overload: (sdmdInDTO, accessToken), sent as subDeviceManagementData.
    { params: [managementSubscription, token()], tokenAt: 1, operation: SubscriptionManagement.api.subDeviceManagementData, extraArgs: true },
  ],
  'SubscriptionManagement.subDeviceManagementData': [service(managementSubscription)],
  'SubscriptionManagement.querySingleSubscription': [service(segment(), app())],
  'SubscriptionManagement.queryBatchSubscriptions': [service(obj({ appId: opt(app()), notifyType: opt(text()), ...page() }))],
  'SubscriptionManagement.deleteSingleSubscription': [service(segment(), app())],
  'SubscriptionManagement.deleteBatchSubscriptions': [service(obj({ appId: opt(app()), notifyType: opt(text()), callbackUrl: opt(text()) }))],

  'BatchProcess.createBatchTask': [service(batchTask)],
  'BatchProcess.queryOneTask': [service(segment(), maybe(text()), app())],
  'BatchProcess.queryTaskDetails': [
    service(
      obj({
        appId: opt(app()),
        taskId: id(),
        status: opt(text()),
        index: opt(int(0)),
        nodeId: opt(id()),
        deviceId: opt(id()),
        commandId: opt(id()),
        ...page(),
      }),
    ),
  ],

  'DeviceGroupManagement.createDeviceGroup': [
    service(obj({ name: id(50), description: opt(text(1024)), appId: opt(app()), maxDevNum: opt(int(0)), deviceIds: opt(arr(id(), 0, 1000)) })),
  ],
  'DeviceGroupManagement.deleteDeviceGroup': [service(segment(), app())],
  'DeviceGroupManagement.modifyDeviceGroup': [service(obj({ name: id(50), description: opt(text(1024)), maxDevNum: opt(int(0)) }), segment(), app())],
  'DeviceGroupManagement.queryDeviceGroups': [service(obj({ accessAppId: opt(app()), ...page(1000), name: opt(text()) }))],
  'DeviceGroupManagement.querySingleDeviceGroup': [service(segment(), app())],
  'DeviceGroupManagement.queryDeviceGroupMembers': [service(obj({ devGroupId: id(), accessAppId: opt(app()), ...page(1000) }))],
  'DeviceGroupManagement.addDevicesToGroup': [service(obj({ devGroupId: id(), deviceIds: arr(id(), 1, 1000) }), app())],
  'DeviceGroupManagement.deleteDevicesFromGroup': [service(obj({ devGroupId: id(), deviceIds: arr(id(), 1, 1000) }), app())],

  'DeviceUpgrade.queryUpgradePackageList': [
    service(obj({ fileType: opt(text()), deviceType: opt(text()), model: opt(text()), manufacturerName: opt(text()), version: opt(text()), ...page(100) })),
  ],
  'DeviceUpgrade.queryUpgradePackage': [service(segment())],
  'DeviceUpgrade.deleteUpgradePackage': [service(segment())],
  'DeviceUpgrade.createSoftwareUpgradeTask': [service(upgradeTask)],
  'DeviceUpgrade.createFirmwareUpgradeTask': [service(upgradeTask)],
  'DeviceUpgrade.queryUpgradeTask': [service(segment())],
  'DeviceUpgrade.queryUpgradeSubTask': [service(obj({ subOperationStatus: opt(text()), ...page(100) }), segment())],
  'DeviceUpgrade.queryUpgradeTaskList': [
    service(
      obj({
        operationType: opt(text()),
        operationStatus: opt(text()),
        deviceType: opt(text()),
        model: opt(text()),
        manufacturerName: opt(text()),
        deviceId: opt(id()),
        ...page(100),
      }),
    ),
  ],

  'RuleEngine.createRule': [service(obj(ruleFields), app())],
  'RuleEngine.updateRule': [service(obj({ ...ruleFields, ruleId: id() }), app())],
  'RuleEngine.deleteRule': [service(segment(), app())],
  'RuleEngine.queryRules': [service(obj({ name: opt(text()), author: opt(text()), appId: opt(app()), select: opt(text()) }))],
  'RuleEngine.updateRuleStatus': [service(obj({ ruleId: segment(), status: ruleStatus }), app())],
  'RuleEngine.updateBatchRuleStatus': [service(obj({ requests: arr(obj({ ruleId: id(), status: ruleStatus }), 1) }), app())],
};

// ---------------------------------------------------------------------------------------------------------------------
// Argument lists
// ---------------------------------------------------------------------------------------------------------------------

interface Call {
  readonly args: unknown[];
  /** Mutations applied (0: a valid call, which must succeed). */
  readonly mutations: number;
  /** Whether the token argument itself was mutated (replaced, or cut off with the arguments after some point). */
  readonly tokenMutated: boolean;
  readonly form: Form;
}

/** A change of the argument count: none, the last `drop` arguments cut off, or one more of any value. */
type Arity = { kind: 'same' } | { kind: 'truncate'; drop: number } | { kind: 'extra'; value: unknown };

function arityArb(form: Form): Arbitrary<Arity> {
  const options: { weight: number; arbitrary: Arbitrary<Arity> }[] = [{ weight: 12, arbitrary: fc.constant<Arity>({ kind: 'same' }) }];
  if (form.params.length > 0) {
    options.push({ weight: 1, arbitrary: fc.integer({ min: 1, max: form.params.length }).map((drop): Arity => ({ kind: 'truncate', drop })) });
  }
  if (form.extraArgs) options.push({ weight: 1, arbitrary: anyValue.map((value): Arity => ({ kind: 'extra', value })) });
  return fc.oneof(...options);
}

/**
 * Argument lists of `form`: valid ones (a third), and ones with at least one mutation somewhere (about one on
 * average, whatever the size of the arguments), the argument count included.
 */
function callArb(form: Form): Arbitrary<Call> {
  const oneIn = Math.max(3, form.params.reduce((sum, spec) => sum + sizeOf(spec), 0));
  const valid = fc.tuple(...form.params.map((spec) => validArb(spec))).map((args): Call => describedCall({ args, mutations: 0, tokenMutated: false, form }));
  const mutated = fc
    .tuple(fc.tuple(...form.params.map((spec) => taggedArb(spec, oneIn))), arityArb(form))
    .map(([tagged, arity]): Call => {
      let args = tagged.map((item) => item.value);
      let mutations = tagged.reduce((sum, item) => sum + item.mutations, 0);
      let tokenMutated = form.tokenAt !== undefined && tagged[form.tokenAt]!.mutations > 0;
      if (arity.kind === 'truncate') {
        args = args.slice(0, args.length - arity.drop);
        mutations += 1;
        if (form.tokenAt !== undefined && form.tokenAt >= args.length) tokenMutated = true;
      } else if (arity.kind === 'extra') {
        args.push(arity.value);
        mutations += 1;
      }
      return describedCall({ args, mutations, tokenMutated, form });
    })
    .filter((call) => call.mutations > 0);
  return form.params.length === 0 ? valid : fc.oneof({ weight: 1, arbitrary: valid }, { weight: 2, arbitrary: mutated });
}

/** `call`, printed in a counterexample as its arguments and mutation counts (not its whole description). */
function describedCall(call: Call): Call {
  return Object.defineProperty(call, fc.toStringMethod, {
    value: () => `{ args: ${fc.stringify(call.args)}, mutations: ${call.mutations}, tokenMutated: ${call.tokenMutated}${call.form.operation ? `, sends ${call.form.operation.path}` : ''} }`,
    enumerable: false,
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// The recording server
// ---------------------------------------------------------------------------------------------------------------------

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const TOKEN_PATHS = new Set(['/iocm/app/sec/v1.1.0/login', '/iocm/app/sec/v1.1.0/refreshToken']);

let server: http.Server;
let client: NorthApiClient;
const recorded: Recorded[] = [];
const unhandled: unknown[] = [];
/** Successful calls so far: each must have sent exactly one request. */
const counts = { ok: 0 };
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

// ---------------------------------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------------------------------

const FORBIDDEN = ['undefined', 'null', '[object Object]'];

/** Every string in `value` (keys too), at any depth: what a literal in the request may legitimately come from. */
function stringsIn(value: unknown, out: string[] = [], seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') {
    out.push(value);
    return out;
  }
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return out;
  seen.add(value);
  if (value instanceof String) out.push(value.valueOf());
  if (value instanceof Map) for (const [key, item] of value) stringsIn([key, item], out, seen);
  if (value instanceof Set) for (const item of value) stringsIn(item, out, seen);
  for (const key of Object.keys(value)) {
    out.push(key);
    stringsIn((value as Record<string, unknown>)[key], out, seen);
  }
  return out;
}

/** `where` contains none of the forbidden literals, unless the arguments themselves carry it. */
function assertNoStrayLiteral(where: string, what: string, inputs: readonly string[]): void {
  for (const literal of FORBIDDEN) {
    if (where.includes(literal) && !inputs.some((input) => input.includes(literal))) assert.fail(`${what} contains "${literal}": ${where}`);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The request's path matches the operation's template, each `{name}` filled with a non-blank segment. */
function assertPath(pathname: string, template: string, inputs: readonly string[]): void {
  const parts = template.split(/\{(\w+)\}/);
  const pattern = new RegExp(`^${parts.map((part, i) => (i % 2 === 1 ? '([^/]*)' : escapeRegExp(part))).join('')}$`);
  const match = pattern.exec(pathname);
  assert.ok(match, `path ${pathname} does not match ${template}`);
  for (const [i, raw] of match.slice(1).entries()) {
    const value = decodeURIComponent(raw!);
    assert.ok(value.trim().length > 0, `path segment {${parts[2 * i + 1]}} is empty in ${pathname}`);
    assertNoStrayLiteral(value, `path segment {${parts[2 * i + 1]}}`, inputs);
  }
}

/** No null anywhere in a JSON value, and no stray literal in its strings. */
function assertNoNull(value: unknown, at: string, inputs: readonly string[]): void {
  assert.notEqual(value, null, `the JSON body has null at ${at}`);
  if (typeof value === 'string') assertNoStrayLiteral(value, `the JSON body at ${at}`, inputs);
  if (Array.isArray(value)) value.forEach((item, i) => assertNoNull(item, `${at}[${i}]`, inputs));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) assertNoNull(item, `${at}.${key}`, inputs);
}

/** The one request of a successful call is well-formed for `operation`. */
function assertWellFormed(request: Recorded, operation: ApiOperation, call: Call): void {
  const inputs = stringsIn(call.args);
  assert.equal(request.method, operation.method);
  const [pathname, search = ''] = request.url.split(/\?(.*)/s) as [string, string?];
  assertPath(pathname, operation.path, inputs);
  for (const [key, value] of new URLSearchParams(search)) {
    assert.ok(key.length > 0, `empty query key in ${request.url}`);
    assertNoStrayLiteral(key, 'a query key', inputs);
    assertNoStrayLiteral(value, `query parameter ${key}`, inputs);
  }
  if (call.form.tokenAt !== undefined) {
    assert.equal(request.headers.authorization, `Bearer ${call.args[call.form.tokenAt] as string}`, 'Authorization carries the token passed');
    assert.equal(request.headers.app_key, APP_ID);
  } else {
    assert.equal(request.headers.authorization, undefined, 'the token calls carry no Authorization');
  }
  const contentType = request.headers['content-type'] ?? '';
  if (operation.method === 'GET' || operation.method === 'DELETE') {
    assert.equal(request.body, '', `${operation.method} carries no body`);
  } else if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(request.body);
    assert.equal(form.get('appId'), APP_ID);
    assert.ok(form.has('secret'), 'the login form carries the secret');
  } else {
    assert.match(contentType, /^application\/json/);
    let body: unknown;
    assert.doesNotThrow(() => {
      body = JSON.parse(request.body);
    }, `the body is not JSON: ${request.body.slice(0, 200)}`);
    assert.ok(typeof body === 'object' && body !== null && !Array.isArray(body), 'the JSON body is an object');
    assertNoNull(body, 'body', inputs);
  }
}

/** Calls `method` with `call.args` and checks the property for this one call. */
async function checkCall(instance: object, entry: CatalogEntry, call: Call): Promise<void> {
  const method = (instance as Record<string, (...args: unknown[]) => unknown>)[entry.methodName]!;
  const before = recorded.length;
  let promise: unknown;
  try {
    promise = method.apply(instance, call.args);
  } catch (error) {
    assert.fail(`threw synchronously instead of rejecting: ${String(error)}`);
  }
  assert.ok(promise instanceof Promise, 'the method returns a promise');
  let failure: unknown;
  let failed = false;
  try {
    await promise;
  } catch (error) {
    failed = true;
    failure = error;
  }
  const sent = recorded.slice(before);
  if (failed) {
    assert.ok(failure instanceof NorthApiException, `not a NorthApiException: ${failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure)}`);
    const allowed = call.tokenMutated ? ['1007', '1009'] : ['1007'];
    assert.ok(allowed.includes(failure.errorCode), `errorCode ${failure.errorCode} (${failure.message}), expected ${allowed.join(' or ')}`);
    assert.ok(call.mutations > 0, `a valid call failed: ${failure.message}`);
    assert.equal(sent.length, 0, 'a call that failed its checks sent a request');
  } else {
    counts.ok += 1;
    assert.equal(sent.length, 1, `a successful call sent ${sent.length} requests`);
    assertWellFormed(sent[0]!, call.form.operation ?? entry.operation, call);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------------------------------

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '';
      recorded.push({ method: req.method ?? '', url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const body = TOKEN_PATHS.has(url) ? { accessToken: 'prop-access-token', refreshToken: 'prop-refresh-token', expiresIn: 3600 } : {};
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new NorthApiClient({
    clientInfo: { platformIp: '127.0.0.1', platformPort: port, appId: APP_ID, secret: SECRET, scheme: 'http' },
    http: { timeoutMs: 5000, retries: 0 },
  });
});

after(async () => {
  client?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  process.off('unhandledRejection', onUnhandled);
});

describe('every method of the API catalog, with random argument lists', () => {
  const catalog = apiCatalog();

  test('every catalog method has a parameter description, and every description a catalog method', () => {
    const names = catalog.map((entry) => `${entry.className}.${entry.methodName}`);
    assert.deepEqual(
      names.filter((name) => METHODS[name] === undefined),
      [],
      'catalog methods without a parameter description (add them to METHODS)',
    );
    assert.deepEqual(
      Object.keys(METHODS).filter((name) => !names.includes(name)),
      [],
      'descriptions of methods the catalog does not list',
    );
  });

  for (const entry of catalog) {
    const name = `${entry.className}.${entry.methodName}`;
    test(`${name}: 1007 (or 1009 for a bad token) with nothing sent, or one well-formed request`, async () => {
      const forms = METHODS[name];
      assert.ok(forms, `${name} has no parameter description`);
      const Service = SERVICE_CLASSES.find((cls) => cls.name === entry.className);
      assert.ok(Service, `no class ${entry.className}`);
      const instance = new (Service as unknown as new (client: NorthApiClient) => object)(client);
      const arb = fc.oneof(...forms.map((form) => callArb(form)));
      // getAuthToken takes no argument: a few runs say all there is to say.
      const runs = forms.every((form) => form.params.length === 0) ? 10 : RUNS_PER_METHOD;
      // Half the calls go through a withOptions() view carrying a signal that never fires: it must behave the same.
      const live = new AbortController();
      const view = 'withOptions' in instance ? (instance as { withOptions(o: { signal: AbortSignal }): object }).withOptions({ signal: live.signal }) : instance;
      await fc.assert(
        fc.asyncProperty(arb, fc.boolean(), (call, viaView) => checkCall(viaView ? view : instance, entry, call)),
        runSettings(runs),
      );
      assert.deepEqual(unhandled, [], 'unhandled rejections');
    });
  }
});

describe('the explicit token argument', () => {
  test('a string token is sent verbatim in Authorization, or refused with 1009 and nothing sent', async () => {
    const devices = new DeviceManagement(client);
    const tokenArb = fc.oneof(
      validTokenArb,
      fc.string({ maxLength: 20 }),
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.tuple(validTokenArb, fc.constantFrom(' ', '\t', '\n', '\r\n', '\0', '\u0100', 'é', '\u2028')).map(([base, odd]) => `${base}${odd}`),
      fc.tuple(fc.constantFrom(' ', '\t'), validTokenArb).map(([odd, base]) => `${odd}${base}`),
    );
    await fc.assert(
      fc.asyncProperty(tokenArb, async (tokenValue) => {
        const before = recorded.length;
        let failure: unknown;
        try {
          await devices.queryDeviceStatus('device-1', null, tokenValue);
        } catch (error) {
          failure = error;
        }
        const sent = recorded.slice(before);
        if (failure !== undefined) {
          assert.ok(failure instanceof NorthApiException, `not a NorthApiException: ${String(failure)}`);
          assert.equal(failure.errorCode, '1009', failure.message);
          assert.equal(sent.length, 0, 'a refused token sent a request');
        } else {
          counts.ok += 1;
          assert.equal(sent.length, 1);
          assert.equal(sent[0]!.headers.authorization, `Bearer ${tokenValue}`, 'Authorization carries the token passed, unchanged');
        }
      }),
      runSettings(200),
    );
  });
});

test('the server saw exactly one request per successful call, and no rejection went unhandled', async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(recorded.length, counts.ok);
  assert.deepEqual(unhandled, []);
});
