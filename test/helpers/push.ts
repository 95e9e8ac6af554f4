// Push-test helpers: a receiver that records what every handler got, one valid body per message kind, and a raw
// HTTP client that sends exactly the bytes it is given.
import type http from 'node:http';
import { PushMessageReceiver, type PushContext, type PushMessageReceiverOptions, type PushNotifyType } from '../../src/index.js';
import { NOTIFICATIONS } from '../../src/push/messages.js';
import { TestClient } from '../simulator/helpers.js';

/** What one handler call received. */
export interface Received {
  handler: string;
  message: Record<string, unknown>;
  context: PushContext;
}

/** Every handler method name, the command-status one included. */
export const HANDLER_NAMES: readonly string[] = [...Object.values(NOTIFICATIONS).map((n) => n.handler), 'handleNBCommandStateChanged'];

/**
 * A receiver whose every handler records its message. `failOn` makes the handlers of those notify types (or
 * `commandStatus`) throw, `delayMs` makes every handler take that long.
 */
export class RecordingReceiver extends PushMessageReceiver {
  readonly received: Received[] = [];
  failOn = new Set<string>();
  delayMs = 0;
  /** Called as each handler starts (before its delay). */
  onStart: (() => void) | undefined;
  /** While set, every handler waits for this promise before it records. */
  gate: Promise<void> | undefined;
  private readonly waiters: Array<{ check: () => boolean; resolve: () => void }> = [];

  constructor(options?: PushMessageReceiverOptions) {
    super(options);
    for (const handler of HANDLER_NAMES) {
      const record = async (message: Record<string, unknown>, context: PushContext): Promise<void> => {
        this.onStart?.();
        if (this.gate) await this.gate;
        if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        const kind = handler === 'handleNBCommandStateChanged' ? 'commandStatus' : String(message['notifyType']);
        if (this.failOn.has(kind)) throw new Error(`handler refused ${kind}`);
        this.received.push({ handler, message, context });
        for (const waiter of [...this.waiters]) {
          if (waiter.check()) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
      };
      Object.defineProperty(this, handler, { value: record });
    }
  }

  /** Messages received by one handler, oldest first. */
  by(handler: string): Array<Record<string, unknown>> {
    return this.received.filter((r) => r.handler === handler).map((r) => r.message);
  }

  /** Resolves once `check` holds (checked after every received message), or rejects after `timeoutMs`. */
  until(check: () => boolean, timeoutMs = 10_000, what = 'the expected messages'): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.findIndex((w) => w.resolve === done), 1);
        reject(new Error(`timed out waiting for ${what}; received: ${this.received.map((r) => r.handler).join(', ') || 'nothing'}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ check, resolve: done });
    });
  }
}

/** One valid message per notify type, with a value in every documented field, and a command-status callback. */
export const SAMPLE_BODIES: { readonly [K in PushNotifyType | 'commandStatus']: Record<string, unknown> } = {
  deviceAdded: {
    notifyType: 'deviceAdded',
    deviceId: 'dev-added-1',
    gatewayId: 'dev-added-1',
    nodeType: 'ENDPOINT',
    deviceInfo: { nodeId: 'node-1', name: 'meter', status: 'OFFLINE', manufacturerName: 'acme', deviceType: 'WaterMeter', model: 'M1', protocolType: 'CoAP' },
  },
  bindDevice: { notifyType: 'bindDevice', deviceId: 'dev-bound-1', resultCode: 'succeeded', deviceInfo: { nodeId: 'node-2', status: 'ONLINE' } },
  deviceInfoChanged: { notifyType: 'deviceInfoChanged', deviceId: 'dev-info-1', gatewayId: 'gw-1', deviceInfo: { status: 'ONLINE', name: 'renamed' } },
  deviceDataChanged: {
    notifyType: 'deviceDataChanged',
    requestId: 'req-1',
    deviceId: 'dev-data-1',
    gatewayId: 'dev-data-1',
    service: { serviceId: 'Brightness', serviceType: 'Brightness', data: { brightness: 80 }, eventTime: '20170311T163657Z' },
  },
  deviceDatasChanged: {
    notifyType: 'deviceDatasChanged',
    requestId: 'req-2',
    deviceId: 'dev-datas-1',
    gatewayId: 'dev-datas-1',
    services: [
      { serviceId: 'Temperature', serviceType: 'Temperature', data: { celsius: 21.5 }, eventTime: '20240101T000000Z' },
      { serviceId: 'Battery', serviceType: 'Battery', data: { level: 97 }, eventTime: '20240101T000001Z' },
    ],
  },
  serviceInfoChanged: { notifyType: 'serviceInfoChanged', deviceId: 'dev-svc-1', gatewayId: 'gw-2', serviceId: 'Switch', serviceType: 'Switch', serviceInfo: { muteCmds: 'VIBRATE' } },
  deviceDeleted: { notifyType: 'deviceDeleted', deviceId: 'dev-gone-1', gatewayId: 'dev-gone-1' },
  messageConfirm: {
    notifyType: 'messageConfirm',
    header: { requestId: 'req-3', from: '/devices/dev-1/services/Switch', to: '/event/v1.0.0/messageReceiver', status: 'delivered', timestamp: '20240101T000002Z' },
    body: { confirmed: true },
  },
  commandRsp: {
    notifyType: 'commandRsp',
    header: { requestId: 'req-4', from: '/devices/dev-2/services/Lock', to: '/app', deviceId: 'dev-2', serviceType: 'Lock', method: 'UNLOCK' },
    body: { result: 'done' },
  },
  deviceEvent: {
    notifyType: 'deviceEvent',
    header: { eventType: 'alarm', from: '/devices/dev-3/services/Smoke', timestamp: '20240101T000003Z', eventTime: '20240101T000003Z', deviceId: 'dev-3', serviceType: 'Smoke' },
    body: { level: 'high' },
  },
  deviceModelAdded: { notifyType: 'deviceModelAdded', appId: 'app-1', deviceType: 'Meter', manufacturerName: 'acme', manufacturerId: 'acme-id', model: 'M2', protocolType: 'CoAP' },
  deviceModelDeleted: { notifyType: 'deviceModelDeleted', appId: 'app-1', deviceType: 'Meter', manufacturerName: 'acme', manufacturerId: 'acme-id', model: 'M3', protocolType: 'CoAP' },
  deviceCapabilitiesChanged: { notifyType: 'deviceCapabilitiesChanged', appId: 'app-1', deviceType: 'Gateway', manufacturerName: 'wulian', manufacturerId: 'wl', model: 'G1', protocolType: 'zigbee' },
  deviceCapabilitiesAdded: { notifyType: 'deviceCapabilitiesAdded', appId: 'app-1', deviceType: 'Gateway', manufacturerName: 'wulian', manufacturerId: 'wl', model: 'G2', protocolType: 'zigbee' },
  deviceCapabilitiesDeleted: { notifyType: 'deviceCapabilitiesDeleted', appId: 'app-1', deviceType: 'Gateway', manufacturerName: 'wulian', manufacturerId: 'wl', model: 'G3', protocolType: 'zigbee' },
  ruleEvent: {
    notifyType: 'ruleEvent',
    author: 'app-1',
    ruleId: 'rule-1',
    ruleName: 'too hot',
    logic: 'and',
    reasons: [{ satisfactionTime: '20240101T000004Z', type: 'DEVICE_DATA', id: 'dev-4', info: { celsius: 40 }, transInfo: {} }],
    triggerTime: '20240101T000004Z',
    actionsResults: [{ type: 'DEVICE_CMD', id: 'dev-5', exception: '', result: { status: 'SENT' }, info: {}, transInfo: {} }],
  },
  deviceDesiredPropertiesModifyStatusChanged: {
    notifyType: 'deviceDesiredPropertiesModifyStatusChanged',
    deviceId: 'dev-6',
    serviceId: 'Thermostat',
    properties: { target: 20 },
    status: 'DELIVERED',
  },
  swUpgradeStateChangeNotify: { notifyType: 'swUpgradeStateChangeNotify', deviceId: 'dev-7', appId: 'app-1', operationId: 'op-1', subOperationId: 'sub-1', swUpgradeState: 'downloading' },
  swUpgradeResultNotify: {
    notifyType: 'swUpgradeResultNotify',
    deviceId: 'dev-7',
    appId: 'app-1',
    operationId: 'op-1',
    subOperationId: 'sub-1',
    curVersion: '2.0',
    targetVersion: '2.0',
    sourceVersion: '1.0',
    swUpgradeResult: 'SUCCESS',
    upgradeTime: 95,
    resultDesc: 'ok',
    errorCode: '0',
    description: 'software upgraded',
  },
  fwUpgradeStateChangeNotify: { notifyType: 'fwUpgradeStateChangeNotify', deviceId: 'dev-8', appId: 'app-1', operationId: 'op-2', subOperationId: 'sub-2', step: '1', stepDesc: 'downloading' },
  fwUpgradeResultNotify: {
    notifyType: 'fwUpgradeResultNotify',
    deviceId: 'dev-8',
    appId: 'app-1',
    operationId: 'op-2',
    subOperationId: 'sub-2',
    curVersion: 'fw-2',
    targetVersion: 'fw-2',
    sourceVersion: 'fw-1',
    status: 'SUCCESS',
    statusDesc: 'ok',
    upgradeTime: '120',
  },
  commandStatus: { deviceId: 'dev-9', commandId: 'cmd-1', result: { resultCode: 'SUCCESSFUL', resultDetail: { answer: 42 } } },
};

/** The answer to a raw request. */
export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Sends one request on a connection of its own, closed afterwards (so nothing stays open), and reads the whole
 * answer. `body` is sent as given: a string or bytes go out verbatim, anything else as compact JSON. HTTPS trusts
 * `ca` only (Node's default roots without it).
 */
export async function send(url: string, options: { method?: string; body?: unknown; headers?: Record<string, string>; ca?: string } = {}): Promise<RawReply> {
  const target = new URL(url);
  const body = options.body === undefined || typeof options.body === 'string' || options.body instanceof Buffer ? options.body : JSON.stringify(options.body);
  const client = new TestClient({ url: target.origin, protocol: target.protocol === 'https:' ? 'https' : 'http', ca: options.ca ?? '' });
  try {
    const reply = await client.request(options.method ?? 'POST', `${target.pathname}${target.search}`, {
      headers: { 'content-type': 'application/json', ...options.headers },
      ...(body !== undefined ? { body } : {}),
    });
    return { status: reply.status, headers: reply.headers, body: reply.text };
  } finally {
    client.close();
  }
}
