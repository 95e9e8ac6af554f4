/**
 * What the receiver knows of each push message: the handler that takes it and the shape it must have.
 *
 * Shapes are lenient where the platform is: a field that may be absent may also be `null`, and fields the table
 * does not name pass through untouched. They are strict where a handler could be misled: an identifying field that
 * is missing or empty, or any named field of the wrong JSON type, makes the message invalid (the HTTP answer is
 * 400), so a handler typed `deviceId: string` never receives a number. Free-form objects (`deviceInfo`, `data`,
 * `body`, `properties`, ...) are checked to be objects; what they hold is passed on as received.
 */
import type { PushNotificationMap, PushNotifyType } from '../dto/push.js';
import { isPlainObject } from '../services/validation.js';

type Kind = 'string' | 'scalar' | 'object' | 'array' | 'any';

interface Field {
  readonly kind: Kind;
  readonly required: boolean;
  /** For objects: the shape of the object; for arrays: the shape of each element (an object). */
  readonly shape?: Shape;
}

type Shape = Readonly<Record<string, Field>>;

const required = (kind: Kind, shape?: Shape): Field => ({ kind, required: true, ...(shape ? { shape } : {}) });
const optional = (kind: Kind, shape?: Shape): Field => ({ kind, required: false, ...(shape ? { shape } : {}) });

const text = optional('string');
const id = required('string');

const SERVICE_DATA: Shape = {
  serviceId: id,
  serviceType: text,
  data: optional('object'),
  eventTime: text,
  serviceInfo: optional('object'),
};

const DEVICE_MODEL: Shape = {
  appId: text,
  deviceType: text,
  manufacturerName: text,
  manufacturerId: text,
  model: text,
  protocolType: text,
};

const UPGRADE: Shape = { deviceId: id, appId: text, operationId: text, subOperationId: text };

// upgradeTime is how long the upgrade took: a long in the field table, a quoted value in the example.
const VERSIONS: Shape = { curVersion: text, targetVersion: text, sourceVersion: text, upgradeTime: optional('scalar') };

/** Handler method name and shape of every subscription notification. */
export const NOTIFICATIONS = {
  deviceAdded: { handler: 'handleDeviceAdded', shape: { deviceId: id, gatewayId: text, nodeType: text, deviceInfo: optional('object') } },
  bindDevice: { handler: 'handleBindDevice', shape: { deviceId: id, resultCode: text, deviceInfo: optional('object') } },
  deviceInfoChanged: { handler: 'handleDeviceInfoChanged', shape: { deviceId: id, gatewayId: text, deviceInfo: optional('object') } },
  deviceDataChanged: {
    handler: 'handleDeviceDataChanged',
    shape: { requestId: text, deviceId: id, gatewayId: text, service: required('object', SERVICE_DATA) },
  },
  deviceDatasChanged: {
    handler: 'handleDeviceDatasChanged',
    shape: { requestId: text, deviceId: id, gatewayId: text, services: required('array', SERVICE_DATA) },
  },
  serviceInfoChanged: {
    handler: 'handleServiceInfoChanged',
    shape: { deviceId: id, gatewayId: text, serviceId: id, serviceType: text, serviceInfo: optional('object') },
  },
  deviceDeleted: { handler: 'handleDeviceDeleted', shape: { deviceId: id, gatewayId: text } },
  messageConfirm: {
    handler: 'handleMessageConfirm',
    shape: {
      header: required('object', { requestId: text, from: text, to: text, status: text, timestamp: text }),
      body: optional('object'),
    },
  },
  commandRsp: {
    handler: 'handleCommandRsp',
    shape: {
      header: required('object', { requestId: text, from: text, to: text, deviceId: text, serviceType: text, method: text }),
      body: optional('object'),
    },
  },
  deviceEvent: {
    handler: 'handleDeviceEvent',
    shape: {
      header: required('object', { eventType: text, from: text, timestamp: text, eventTime: text, deviceId: text, serviceType: text }),
      body: optional('object'),
    },
  },
  deviceModelAdded: { handler: 'handleDeviceModelAdded', shape: DEVICE_MODEL },
  deviceModelDeleted: { handler: 'handleDeviceModelDeleted', shape: DEVICE_MODEL },
  deviceCapabilitiesChanged: { handler: 'handleDeviceCapabilitiesChanged', shape: DEVICE_MODEL },
  deviceCapabilitiesAdded: { handler: 'handleDeviceCapabilitiesAdded', shape: DEVICE_MODEL },
  deviceCapabilitiesDeleted: { handler: 'handleDeviceCapabilitiesDeleted', shape: DEVICE_MODEL },
  ruleEvent: {
    handler: 'handleRuleEvent',
    shape: {
      author: text,
      ruleId: id,
      ruleName: text,
      logic: text,
      reasons: optional('array', { satisfactionTime: text, type: text, id: text, info: optional('object'), transInfo: optional('object') }),
      triggerTime: text,
      actionsResults: optional('array', {
        type: text,
        id: text,
        exception: text,
        result: optional('object'),
        info: optional('object'),
        transInfo: optional('object'),
      }),
    },
  },
  deviceDesiredPropertiesModifyStatusChanged: {
    handler: 'handleDeviceDesiredStatusChanged',
    shape: { deviceId: id, serviceId: text, properties: optional('object'), status: text },
  },
  swUpgradeStateChangeNotify: { handler: 'handleSwUpgradeStateChanged', shape: { ...UPGRADE, swUpgradeState: text } },
  swUpgradeResultNotify: {
    handler: 'handleSwUpgradeResult',
    shape: { ...UPGRADE, ...VERSIONS, swUpgradeResult: text, resultDesc: text, errorCode: optional('scalar'), description: text },
  },
  fwUpgradeStateChangeNotify: { handler: 'handleFwUpgradeStateChanged', shape: { ...UPGRADE, step: optional('scalar'), stepDesc: text } },
  fwUpgradeResultNotify: { handler: 'handleFwUpgradeResult', shape: { ...UPGRADE, ...VERSIONS, status: text, statusDesc: text } },
} as const satisfies { readonly [K in PushNotifyType]: { readonly handler: `handle${string}`; readonly shape: Shape } };

/** Handler method names of the subscription notifications. */
export type NotificationHandlerName = (typeof NOTIFICATIONS)[PushNotifyType]['handler'];

/** The shape of a command-status callback (no notifyType; posted to the command's callbackUrl). */
export const COMMAND_STATUS: Shape = {
  deviceId: id,
  commandId: id,
  result: required('object', { resultCode: id, resultDetail: optional('any') }),
};

/** Deepest nesting of objects and arrays accepted in a message. */
export const MAX_DEPTH = 64;

/** Keys that could change an object's prototype, or look as if they did, when a handler copies the message. */
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Removes the {@link UNSAFE_KEYS} from a parsed JSON value, in place and at any depth, so that no handler gets an
 * object that can set a prototype when spread or assigned. False (and the value only partly cleaned) when it nests
 * deeper than {@link MAX_DEPTH}. Iterative: a deeply nested body cannot overflow the stack.
 */
function removeUnsafeKeys(root: unknown): boolean {
  const pending: Array<{ node: object; depth: number }> = [];
  if (typeof root === 'object' && root !== null) pending.push({ node: root, depth: 0 });
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { node, depth } = next;
    if (depth >= MAX_DEPTH) return false;
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (UNSAFE_KEYS.has(key)) {
        delete record[key];
        continue;
      }
      const child = record[key];
      if (typeof child === 'object' && child !== null) pending.push({ node: child, depth: depth + 1 });
    }
  }
  return true;
}

/** The message as the receiver understood it. */
export type ParsedMessage =
  | { kind: 'notification'; notifyType: PushNotifyType; message: PushNotificationMap[PushNotifyType] }
  | { kind: 'commandStatus'; message: Record<string, unknown> }
  | { kind: 'unknown'; notifyType: string; message: Record<string, unknown> }
  | { kind: 'invalid'; reason: string };

function hasKind(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'scalar':
      return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'any':
      return true;
  }
}

const KIND_NAMES: Record<Kind, string> = {
  string: 'a string',
  scalar: 'a string or a number',
  object: 'an object',
  array: 'an array',
  any: 'anything',
};

/** The first problem of `value` against `shape`, naming the field by its path; undefined when there is none. */
function problemOf(value: Record<string, unknown>, shape: Shape, prefix: string): string | undefined {
  for (const [name, field] of Object.entries(shape)) {
    const path = `${prefix}${name}`;
    const v = Object.hasOwn(value, name) ? value[name] : undefined;
    if (v === undefined || v === null) {
      if (field.required) return `${path} is missing`;
      continue;
    }
    if (!hasKind(v, field.kind)) return `${path} must be ${KIND_NAMES[field.kind]}`;
    if (field.required && field.kind === 'string' && v === '') return `${path} must not be empty`;
    if (field.shape && field.kind === 'object') {
      const inner = problemOf(v as Record<string, unknown>, field.shape, `${path}.`);
      if (inner) return inner;
    }
    if (field.shape && field.kind === 'array') {
      const items = v as unknown[];
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        if (!isPlainObject(item)) return `${path}[${i}] must be an object`;
        const inner = problemOf(item, field.shape, `${path}[${i}].`);
        if (inner) return inner;
      }
    }
  }
  return undefined;
}

function isKnownType(notifyType: string): notifyType is PushNotifyType {
  return Object.hasOwn(NOTIFICATIONS, notifyType);
}

/**
 * The services of a deviceDatasChanged message, wherever the platform put them: `services` (the field table and
 * the Java DTO) or `service` (the documented example), as an array or, leniently, as a single object. The message
 * handed on has `services` only.
 */
function withServices(message: Record<string, unknown>): Record<string, unknown> {
  const { service, services, ...rest } = message;
  const found = services ?? service;
  return { ...rest, services: isPlainObject(found) ? [found] : found };
}

/**
 * Reads a freshly parsed JSON body (it is cleaned in place: see {@link removeUnsafeKeys}): a notification (by its notifyType), a command-status callback (no notifyType, but a
 * commandId), a message of a type this receiver does not know, or an invalid one (with the reason).
 */
export function parseMessage(body: unknown): ParsedMessage {
  if (!isPlainObject(body)) return { kind: 'invalid', reason: 'the body must be a JSON object' };
  if (!removeUnsafeKeys(body)) return { kind: 'invalid', reason: `the body is nested more than ${MAX_DEPTH} levels deep` };
  const notifyType = Object.hasOwn(body, 'notifyType') ? body['notifyType'] : undefined;
  if (notifyType === undefined || notifyType === null) {
    if (!Object.hasOwn(body, 'commandId')) return { kind: 'invalid', reason: 'notifyType is missing' };
    const problem = problemOf(body, COMMAND_STATUS, '');
    return problem ? { kind: 'invalid', reason: problem } : { kind: 'commandStatus', message: body };
  }
  if (typeof notifyType !== 'string' || notifyType === '') return { kind: 'invalid', reason: 'notifyType must be a non-empty string' };
  if (!isKnownType(notifyType)) return { kind: 'unknown', notifyType, message: body };
  const message = notifyType === 'deviceDatasChanged' ? withServices(body) : body;
  const problem = problemOf(message, NOTIFICATIONS[notifyType].shape, '');
  if (problem) return { kind: 'invalid', reason: `${notifyType}: ${problem}` };
  return { kind: 'notification', notifyType, message: message as unknown as PushNotificationMap[PushNotifyType] };
}
