/**
 * Admin API, for driving a simulator that runs in another process.
 * No authentication; JSON in and out. Admin calls are not recorded, not
 * counted and not subject to faults.
 */
import { acknowledgeCommand, CommandErrors, deviceServiceInvocations, findCommand } from '../commands.js';
import { reportDeviceData, reportDeviceDatas } from '../device-data.js';
import { assertOnlineFlag } from '../devices.js';
import { ApiError, Errors } from '../errors.js';
import type { RequestContext, RouteResult, Router } from '../router.js';
import type { FaultKind, FaultRule, UpgradePackageInput } from '../types.js';
import { addUpgradePackage, findUpgradeTask, finishUpgrade } from '../upgrades.js';
import { isNonEmptyString, isPlainObject } from '../util.js';

export const ADMIN_PREFIX = '/simulator/v1';

/**
 * A fault rule as sent over the wire: a RegExp path travels as `pathRegex` (+ `pathRegexFlags`); every other field
 * (`latencyMs`, `status`, `retryAfterSeconds`, `truncateAt`, `sizeBytes`, `declareLength`, `times`, `probability`)
 * travels under its own name with its JSON number or boolean value.
 */
export interface WireFaultRule extends Omit<FaultRule, 'path'> {
  path?: string;
  pathRegex?: string;
  pathRegexFlags?: string;
}

/** The wire form of a rule (see {@link WireFaultRule}). */
export function faultRuleToWire(rule: FaultRule): WireFaultRule {
  const { path, ...rest } = rule;
  if (path instanceof RegExp) return { ...rest, pathRegex: path.source, pathRegexFlags: path.flags };
  return path === undefined ? rest : { ...rest, path };
}

/**
 * A rule from its wire form, for `POST /simulator/v1/faults`. Only the path is converted here; the other fields are
 * passed on as sent and checked by `validateFaultRule` when the rule is added (a TypeError, answered 400).
 */
export function faultRuleFromWire(wire: unknown): FaultRule {
  if (!isPlainObject(wire)) throw new TypeError('fault rule must be a JSON object');
  const { pathRegex, pathRegexFlags, path, ...rest } = wire;
  const rule = { ...rest, kind: rest['kind'] as FaultKind } as FaultRule;
  if (pathRegex !== undefined) {
    if (typeof pathRegex !== 'string') throw new TypeError('pathRegex must be a string');
    if (pathRegexFlags !== undefined && typeof pathRegexFlags !== 'string') throw new TypeError('pathRegexFlags must be a string');
    try {
      rule.path = new RegExp(pathRegex, pathRegexFlags);
    } catch {
      throw new TypeError('pathRegex is not a valid regular expression');
    }
  } else if (path !== undefined) {
    if (typeof path !== 'string') throw new TypeError('path must be a string');
    rule.path = path;
  }
  return rule;
}

function invalid(message: string): ApiError {
  return new ApiError(400, { error_code: '100405', error_desc: message });
}

const OK: RouteResult = { status: 200, body: {} };

/** Runs an operation that reports bad input with TypeError, mapping it to 400. */
function guarded<T>(op: () => T): T {
  try {
    return op();
  } catch (err) {
    if (err instanceof TypeError) throw invalid(err.message);
    throw err;
  }
}

/** The `{deviceId}` of the path: a device of any application, else 404 / 100403. */
function knownDevice(ctx: RequestContext): string {
  const deviceId = ctx.params['deviceId']!;
  if (!ctx.state.findDevice(deviceId)) throw Errors.deviceNotExist();
  return deviceId;
}

function deviceOnline(ctx: RequestContext): RouteResult {
  const { online } = ctx.jsonObject();
  // A bad `online` is answered before an unknown device.
  guarded(() => assertOnlineFlag(online));
  ctx.state.setDeviceOnline(knownDevice(ctx), online);
  return OK;
}

export function registerAdminRoutes(router: Router): void {
  const p = ADMIN_PREFIX;
  router.open('GET', `${p}/stats`, (ctx) => ({ status: 200, body: ctx.state.stats(ctx.query['appId'] || undefined) }));
  router.open('GET', `${p}/events`, (ctx) => ({ status: 200, body: ctx.state.events() }));
  router.open('GET', `${p}/requests`, (ctx) => ({ status: 200, body: ctx.state.requests() }));
  router.open('GET', `${p}/pushes`, (ctx) => ({ status: 200, body: ctx.state.pushDeliveries() }));
  router.open('POST', `${p}/clear`, (ctx) => {
    ctx.state.clearRecords();
    return OK;
  });
  router.open('POST', `${p}/login-elsewhere`, (ctx) => {
    const { appId } = ctx.jsonObject();
    if (!isNonEmptyString(appId)) throw invalid('appId is required');
    if (!ctx.state.app(appId)) throw Errors.appNotExist();
    ctx.state.loginFromElsewhere(appId);
    return OK;
  });
  router.open('GET', `${p}/faults`, (ctx) => ({
    status: 200,
    body: ctx.state.faults.list().map((f) => ({ id: f.id, remaining: f.remaining, rule: faultRuleToWire(f.rule) })),
  }));
  router.open('POST', `${p}/faults`, (ctx) =>
    guarded(() => ({ status: 200, body: { id: ctx.state.faults.add(faultRuleFromWire(ctx.json())) } })),
  );
  router.open('DELETE', `${p}/faults`, (ctx) => {
    ctx.state.faults.clear();
    return OK;
  });
  router.open('DELETE', `${p}/faults/{id}`, (ctx) => {
    ctx.state.faults.remove(ctx.params['id']!);
    return OK;
  });
  router.open('POST', `${p}/token-lifetime`, (ctx) =>
    guarded(() => {
      const { seconds } = ctx.jsonObject();
      ctx.state.setTokenLifetime(seconds as number);
      return OK;
    }),
  );
  router.open('POST', `${p}/devices/{deviceId}/online`, deviceOnline);
  // Device side of commands and data: 404 for an unknown device or command, 400 for bad input or a transition the
  // command's state does not allow.
  router.open('POST', `${p}/devices/{deviceId}/data`, (ctx) => {
    const deviceId = knownDevice(ctx);
    const { serviceId, data, serviceType, eventTime } = ctx.jsonObject();
    return guarded(() => {
      reportDeviceData(ctx.state, deviceId, serviceId, data, { serviceType, eventTime });
      return OK;
    });
  });
  router.open('POST', `${p}/devices/{deviceId}/datas`, (ctx) => {
    const deviceId = knownDevice(ctx);
    const { services } = ctx.jsonObject();
    return guarded(() => {
      reportDeviceDatas(ctx.state, deviceId, services);
      return OK;
    });
  });
  router.open('GET', `${p}/devices/{deviceId}/service-invocations`, (ctx) => ({
    status: 200,
    body: deviceServiceInvocations(ctx.state, knownDevice(ctx)),
  }));
  router.open('POST', `${p}/commands/{commandId}/acknowledge`, (ctx) => {
    const commandId = ctx.params['commandId']!;
    if (!findCommand(ctx.state, commandId)) throw new ApiError(404, CommandErrors.commandNotExist().body);
    const { status, resultDetail } = ctx.jsonObject();
    return guarded(() => {
      acknowledgeCommand(ctx.state, commandId, status, resultDetail);
      return OK;
    });
  });
  router.open('POST', `${p}/packages`, (ctx) =>
    guarded(() => ({ status: 200, body: { fileId: addUpgradePackage(ctx.state, ctx.jsonObject() as unknown as UpgradePackageInput) } })),
  );
  // Device side of upgrades: 404 for an unknown device or operation, 400 for the rest (see Simulator.finishUpgrade).
  router.open('POST', `${p}/devices/{deviceId}/upgrades/{operationId}`, (ctx) => {
    const deviceId = knownDevice(ctx);
    const operationId = ctx.params['operationId']!;
    if (!findUpgradeTask(ctx.state, operationId)) throw Errors.taskNotFound();
    const { result } = ctx.jsonObject();
    return guarded(() => {
      finishUpgrade(ctx.state, deviceId, operationId, result as 'success' | 'fail');
      return OK;
    });
  });
}
