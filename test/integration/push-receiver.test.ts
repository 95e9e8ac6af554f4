import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import {
  PUSH_COMMAND_PATH,
  PUSH_SUBSCRIPTION_PATH,
  NorthApiException,
  PushHandlerError,
  PushMessageReceiver,
  type NotifyDeviceDeletedDTO,
  type PushContext,
  type PushReceiverAddress,
  type UnknownPushMessage,
} from '../../src/index.js';
import { NOTIFICATIONS } from '../../src/push/messages.js';
import { createCertificateAuthority, issueServerCertificate } from '../../src/simulator/tls.js';
import { capturingLogger } from '../helpers/sdk.js';
import { RecordingReceiver, SAMPLE_BODIES, send } from '../helpers/push.js';
import { seededRandom } from '../helpers/seeded-random.js';

const MIB = 1024 * 1024;

describe('PushMessageReceiver over HTTP', () => {
  const receiver = new RecordingReceiver();
  let address: PushReceiverAddress;
  const errors: PushHandlerError[] = [];
  const unknown: Array<{ message: UnknownPushMessage; context: PushContext }> = [];
  const invalid: Array<{ status: number; reason: string; path?: string }> = [];
  receiver.on('error', (error) => errors.push(error));
  receiver.on('unknown', (message, context) => unknown.push({ message, context }));
  receiver.on('invalid', (detail) => invalid.push(detail));

  before(async () => {
    address = await receiver.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await receiver.close();
  });

  /** Posts and returns the reply together with what the receiver recorded for it. */
  async function post(body: unknown, path = PUSH_SUBSCRIPTION_PATH, method = 'POST') {
    const before = { received: receiver.received.length, errors: errors.length, unknown: unknown.length, invalid: invalid.length };
    const reply = await send(`${address.url}${path}`, { method, body });
    return {
      reply,
      received: receiver.received.slice(before.received),
      errors: errors.slice(before.errors),
      unknown: unknown.slice(before.unknown),
      invalid: invalid.slice(before.invalid),
    };
  }

  test('listen() answers with the address and the Java SDK paths', () => {
    assert.equal(address.host, '127.0.0.1');
    assert.ok(address.port > 0);
    assert.equal(address.protocol, 'http');
    assert.equal(address.subscriptionUrl, `http://127.0.0.1:${address.port}/v1.0.0/messageReceiver`);
    assert.equal(address.commandUrl, `http://127.0.0.1:${address.port}/v1.0.0/messageReceiver/cmd`);
  });

  test('every notify type and the command callback reach their typed handler with every field', async () => {
    for (const [kind, body] of Object.entries(SAMPLE_BODIES)) {
      const isCommand = kind === 'commandStatus';
      const { reply, received } = await post(body, isCommand ? PUSH_COMMAND_PATH : PUSH_SUBSCRIPTION_PATH);
      assert.equal(reply.status, 200, `${kind}: ${reply.body}`);
      assert.equal(reply.body, '');
      const expectedHandler = isCommand ? 'handleNBCommandStateChanged' : NOTIFICATIONS[kind as keyof typeof NOTIFICATIONS].handler;
      assert.equal(received.length, 1, kind);
      assert.equal(received[0]!.handler, expectedHandler);
      assert.deepEqual(received[0]!.message, body, kind);
      assert.equal(received[0]!.context.path, isCommand ? PUSH_COMMAND_PATH : PUSH_SUBSCRIPTION_PATH);
      assert.equal(received[0]!.context.rawBody, JSON.stringify(body));
      assert.ok(received[0]!.context.receivedAt instanceof Date);
      assert.equal(received[0]!.context.remoteAddress, '127.0.0.1');
      assert.equal(received[0]!.context.headers?.['content-type'], 'application/json');
    }
    // Every known notify type was covered.
    assert.deepEqual(Object.keys(SAMPLE_BODIES).filter((k) => k !== 'commandStatus').sort(), Object.keys(NOTIFICATIONS).sort());
  });

  test('the documented deviceDataChanged push example is handled field by field', async () => {
    const examples = JSON.parse(readFileSync(new URL('../../../test/fixtures/doc-examples.json', import.meta.url), 'utf8')) as Array<{ path: string; request: { body: Record<string, unknown> } }>;
    const pushes = examples.filter((e) => e.path === '{callbackUrl}');
    assert.equal(pushes.length, 1);
    const body = pushes[0]!.request.body;
    const { reply, received } = await post(body);
    assert.equal(reply.status, 200);
    const message = received[0]!.message as { notifyType: string; deviceId: string; service: { serviceId: string; data: Record<string, unknown>; eventTime: string } };
    assert.equal(received[0]!.handler, 'handleDeviceDataChanged');
    assert.equal(message.notifyType, 'deviceDataChanged');
    assert.equal(message.deviceId, body['deviceId']);
    assert.equal(message.service.serviceId, 'Brightness');
    assert.deepEqual(message.service.data, { brightness: 80 });
    assert.equal(message.service.eventTime, '20170311T163657Z');
  });

  test('every documented push example body (test/fixtures/push-examples.json) reaches its typed handler with its fields', async () => {
    const examples = JSON.parse(readFileSync(new URL('../../../test/fixtures/push-examples.json', import.meta.url), 'utf8')) as Array<{ notifyType: string; source: string; body: Record<string, unknown> }>;
    assert.ok(examples.length >= 15);
    for (const { notifyType, source, body } of examples) {
      const isCommand = notifyType === 'commandStatus';
      const { reply, received } = await post(body, isCommand ? PUSH_COMMAND_PATH : PUSH_SUBSCRIPTION_PATH);
      assert.equal(reply.status, 200, `${notifyType} (${source}): ${reply.body}`);
      assert.equal(received.length, 1, notifyType);
      assert.equal(received[0]!.handler, isCommand ? 'handleNBCommandStateChanged' : NOTIFICATIONS[notifyType as keyof typeof NOTIFICATIONS].handler);
      // The handler gets every documented field as documented; the one exception is the batch example's `service`,
      // handed over as `services`.
      const { service, ...rest } = body;
      const expected = notifyType === 'deviceDatasChanged' ? { ...rest, services: service } : body;
      assert.deepEqual(received[0]!.message, expected, notifyType);
    }
    assert.ok(examples.some((e) => e.notifyType === 'deviceDatasChanged' && Array.isArray(e.body['service'])), 'the batch example lists its services under `service`');
  });

  test('compact and spaced JSON both dispatch (the Java SDK matched on compact text only)', async () => {
    const body = SAMPLE_BODIES.deviceAdded;
    for (const text of [JSON.stringify(body), JSON.stringify(body, null, 2), JSON.stringify(body).replaceAll('":', '" : ').replaceAll(',"', ' , "')]) {
      const { reply, received } = await post(text);
      assert.equal(reply.status, 200);
      assert.equal(received[0]!.handler, 'handleDeviceAdded');
      assert.deepEqual(received[0]!.message, body);
    }
  });

  test('deviceDatasChanged: services under `services` or `service` (array or single object) reach the handler as `services`', async () => {
    const { services, ...rest } = SAMPLE_BODIES.deviceDatasChanged as { services: unknown[] };
    const expected = { ...rest, services };
    for (const body of [{ ...rest, services }, { ...rest, service: services }]) {
      const { reply, received } = await post(body);
      assert.equal(reply.status, 200);
      assert.deepEqual(received[0]!.message, expected);
    }
    const single = await post({ ...rest, service: services[0] });
    assert.equal(single.reply.status, 200);
    assert.deepEqual(single.received[0]!.message, { ...rest, services: [services[0]] });
  });

  test('a message is answered only once its handler has settled', async () => {
    receiver.delayMs = 150;
    try {
      const { reply, received } = await post(SAMPLE_BODIES.deviceDeleted);
      assert.equal(reply.status, 200);
      // The handler recorded the message (after its delay) before the answer left.
      assert.equal(received.length, 1);
    } finally {
      receiver.delayMs = 0;
    }
  });

  test('unknown notifyType: 200 and an `unknown` event with the message, no handler runs', async () => {
    const body = { notifyType: 'somethingNew', deviceId: 'd1', extra: { a: 1 } };
    const { reply, received, unknown: events } = await post(body);
    assert.equal(reply.status, 200);
    assert.equal(received.length, 0);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0]!.message, body);
    assert.equal(events[0]!.context.path, PUSH_SUBSCRIPTION_PATH);
  });

  test('a handler that throws: 500 and an `error` event; the server keeps serving', async () => {
    receiver.failOn.add('deviceInfoChanged');
    try {
      const failed = await post(SAMPLE_BODIES.deviceInfoChanged);
      assert.equal(failed.reply.status, 500);
      assert.equal(failed.errors.length, 1);
      const error = failed.errors[0]!;
      assert.ok(error instanceof PushHandlerError);
      assert.equal(error.notifyType, 'deviceInfoChanged');
      assert.equal(error.handler, 'handleDeviceInfoChanged');
      assert.match(error.message, /handleDeviceInfoChanged failed on a deviceInfoChanged message: handler refused deviceInfoChanged/);
      assert.ok(error.cause instanceof Error);
    } finally {
      receiver.failOn.clear();
    }
    const next = await post(SAMPLE_BODIES.deviceInfoChanged);
    assert.equal(next.reply.status, 200);
    assert.equal(next.received.length, 1);
  });

  test('bad bodies: invalid JSON, not an object, missing or bad notifyType, wrong field types give 400 naming the problem', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['invalid JSON', '{"notifyType":"deviceAdded",', /not valid JSON/],
      ['empty body', '', /not valid JSON/],
      ['array', '[1,2]', /must be a JSON object/],
      ['string', '"deviceAdded"', /must be a JSON object/],
      ['missing notifyType', { deviceId: 'd1' }, /notifyType is missing/],
      ['numeric notifyType', { notifyType: 7, deviceId: 'd1' }, /notifyType must be a non-empty string/],
      ['deviceId a number', { ...SAMPLE_BODIES.deviceAdded, deviceId: 12 }, /deviceAdded: deviceId must be a string/],
      ['deviceId missing', { notifyType: 'deviceDeleted' }, /deviceDeleted: deviceId is missing/],
      ['deviceId empty', { notifyType: 'deviceDeleted', deviceId: '' }, /deviceId must not be empty/],
      ['service a string', { ...SAMPLE_BODIES.deviceDataChanged, service: 'Brightness' }, /service must be an object/],
      ['service without serviceId', { ...SAMPLE_BODIES.deviceDataChanged, service: { data: {} } }, /service\.serviceId is missing/],
      ['data an array', { ...SAMPLE_BODIES.deviceDataChanged, service: { serviceId: 's', data: [1] } }, /service\.data must be an object/],
      ['services element a number', { ...SAMPLE_BODIES.deviceDatasChanged, services: [1] }, /services\[0\] must be an object/],
      ['header missing', { notifyType: 'commandRsp', body: {} }, /commandRsp: header is missing/],
      ['command callback without result', { deviceId: 'd', commandId: 'c' }, /result is missing/],
      ['command callback with a numeric resultCode', { deviceId: 'd', commandId: 'c', result: { resultCode: 3 } }, /result\.resultCode must be a string/],
    ];
    for (const [name, body, reason] of cases) {
      const { reply, received, invalid: events } = await post(body);
      assert.equal(reply.status, 400, name);
      assert.match((JSON.parse(reply.body) as { error: string }).error, reason, name);
      assert.equal(received.length, 0, name);
      assert.equal(events.length, 1, name);
      assert.equal(events[0]!.status, 400);
    }
  });

  test('a body over 1 MiB gets 413 without reaching a handler; exactly 1 MiB is read', async () => {
    const filler = (size: number): string => {
      const head = JSON.stringify({ ...SAMPLE_BODIES.deviceDeleted, pad: '' });
      return `${head.slice(0, -2)}${'x'.repeat(size - head.length)}"}`;
    };
    const atLimit = filler(MIB);
    assert.equal(Buffer.byteLength(atLimit), MIB);
    const ok = await post(atLimit);
    assert.equal(ok.reply.status, 200);
    const tooLarge = await post(filler(MIB + 1));
    assert.equal(tooLarge.reply.status, 413);
    assert.equal(tooLarge.received.length, 0);
    assert.equal(tooLarge.invalid[0]!.status, 413);
    // Still serving.
    assert.equal((await post(SAMPLE_BODIES.deviceDeleted)).reply.status, 200);
  });

  test('wrong method: 405 with Allow: POST; another path: 404; query strings and a trailing slash are ignored', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const { reply, received } = await post(method === 'GET' || method === 'DELETE' ? undefined : SAMPLE_BODIES.deviceDeleted, PUSH_SUBSCRIPTION_PATH, method);
      assert.equal(reply.status, 405, method);
      assert.equal(reply.headers['allow'], 'POST');
      assert.equal(received.length, 0);
    }
    assert.equal((await post(SAMPLE_BODIES.deviceDeleted, '/v1.0.0/other')).reply.status, 404);
    assert.equal((await post(SAMPLE_BODIES.deviceDeleted, `${PUSH_SUBSCRIPTION_PATH}/?x=1`)).reply.status, 200);
    assert.equal((await post(SAMPLE_BODIES.commandStatus, `${PUSH_COMMAND_PATH}?token=abc`)).reply.status, 200);
  });

  test('1000 random mutations of valid bodies: each is handled or answered 4xx, and the server is still up', async (t) => {
    const random = seededRandom(20261127);
    const counts: Record<string, number> = { handled: 0, unknown: 0, 'rejected 400': 0, 'rejected 413': 0 };
    const kinds = Object.keys(SAMPLE_BODIES) as Array<keyof typeof SAMPLE_BODIES>;
    for (let i = 0; i < 1000; i++) {
      const kind = kinds[Math.floor(random() * kinds.length)]!;
      const body = mutate(structuredClone(SAMPLE_BODIES[kind]), random);
      const { reply, received, unknown: events } = await post(body, kind === 'commandStatus' ? PUSH_COMMAND_PATH : PUSH_SUBSCRIPTION_PATH);
      const shown = typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body).slice(0, 200);
      assert.ok([200, 400, 413].includes(reply.status), `mutation ${i} got ${reply.status}: ${shown}`);
      if (reply.status === 200) {
        assert.equal(received.length + events.length, 1, `mutation ${i} answered 200 but neither handled nor reported unknown: ${shown}`);
        if (received.length === 1) {
          counts['handled']! += 1;
          checkHandled(received[0]!.handler, received[0]!.message);
        } else counts['unknown']! += 1;
      } else {
        counts[`rejected ${reply.status}`]! += 1;
        assert.equal(received.length, 0);
      }
    }
    t.diagnostic(`mutations: ${JSON.stringify(counts)}`);
    console.log(`push receiver, 1000 random mutations: ${JSON.stringify(counts)}`);
    assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 1000);
    // Both outcomes occurred, so the mutations did reach the validation.
    assert.ok(counts['handled']! > 0 && counts['rejected 400']! > 0);
    const { reply } = await post(SAMPLE_BODIES.deviceAdded);
    assert.equal(reply.status, 200);
  });
});

describe('PushMessageReceiver: other ways in, options and lifecycle', () => {
  test('handle() mounted in an existing server, also behind a body parser that already read req.body', async () => {
    const receiver = new RecordingReceiver();
    const server = http.createServer((req, res) => {
      if (req.url?.startsWith('/parsed')) {
        // What a JSON body parser does: read the stream, put the object on req.body, rewrite the URL for the route.
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          (req as unknown as { body: unknown }).body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          req.url = PUSH_SUBSCRIPTION_PATH;
          receiver.handle(req, res);
        });
        return;
      }
      receiver.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      assert.equal((await send(`${base}${PUSH_SUBSCRIPTION_PATH}`, { body: SAMPLE_BODIES.bindDevice })).status, 200);
      assert.equal((await send(`${base}/parsed`, { body: SAMPLE_BODIES.ruleEvent })).status, 200);
      assert.equal((await send(`${base}/elsewhere`, { body: SAMPLE_BODIES.ruleEvent })).status, 404);
      assert.deepEqual(receiver.received.map((r) => r.handler), ['handleBindDevice', 'handleRuleEvent']);
      assert.deepEqual(receiver.received[1]!.message, SAMPLE_BODIES.ruleEvent);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('dispatch() takes text, bytes or a parsed object and says how it went', async () => {
    const receiver = new RecordingReceiver();
    receiver.on('invalid', () => undefined);
    assert.deepEqual(await receiver.dispatch(JSON.stringify(SAMPLE_BODIES.deviceEvent)), { status: 200, outcome: 'handled', notifyType: 'deviceEvent' });
    assert.deepEqual(await receiver.dispatch(Buffer.from(JSON.stringify(SAMPLE_BODIES.commandStatus))), { status: 200, outcome: 'handled', notifyType: 'commandStatus' });
    assert.deepEqual(await receiver.dispatch(SAMPLE_BODIES.messageConfirm), { status: 200, outcome: 'handled', notifyType: 'messageConfirm' });
    assert.deepEqual(await receiver.dispatch({ notifyType: 'later' }), { status: 200, outcome: 'unknown', notifyType: 'later' });
    assert.deepEqual(await receiver.dispatch('nope'), { status: 400, outcome: 'invalid', reason: 'the body is not valid JSON' });
    assert.deepEqual(receiver.received.map((r) => r.handler), ['handleDeviceEvent', 'handleNBCommandStateChanged', 'handleMessageConfirm']);
    assert.equal(receiver.received[0]!.context.path, undefined);
    assert.equal(receiver.received[2]!.context.rawBody, undefined);
  });

  test('a subclass overriding one typed handler gets that message; the others are answered 200 and ignored', async () => {
    const seen: string[] = [];
    class Meters extends PushMessageReceiver {
      override async handleDeviceDataChanged(message: Parameters<PushMessageReceiver['handleDeviceDataChanged']>[0]): Promise<void> {
        seen.push(`${message.deviceId}:${message.service.serviceId}:${JSON.stringify(message.service.data)}`);
      }
    }
    const receiver = new Meters();
    assert.equal((await receiver.dispatch(SAMPLE_BODIES.deviceDataChanged)).status, 200);
    assert.equal((await receiver.dispatch(SAMPLE_BODIES.deviceAdded)).status, 200);
    assert.deepEqual(seen, ['dev-data-1:Brightness:{"brightness":80}']);
  });

  test('a failing handler with no `error` listener is logged, not thrown', async () => {
    const logger = capturingLogger();
    const receiver = new RecordingReceiver({ logger });
    receiver.failOn.add('deviceDeleted');
    const result = await receiver.dispatch(SAMPLE_BODIES.deviceDeleted);
    assert.equal(result.status, 500);
    assert.equal(logger.lines.length, 1);
    assert.match(logger.lines[0]!, /handleDeviceDeleted failed on a deviceDeleted message/);
  });

  test('configurable paths and body limit', async () => {
    const receiver = new RecordingReceiver({ paths: { subscription: '/hooks/iot/', command: '/hooks/iot/commands' }, maxBodyBytes: 512 });
    receiver.on('invalid', () => undefined);
    const address = await receiver.listen();
    try {
      assert.equal(address.subscriptionUrl, `${address.url}/hooks/iot`);
      assert.equal(address.commandUrl, `${address.url}/hooks/iot/commands`);
      assert.equal((await send(address.subscriptionUrl, { body: SAMPLE_BODIES.deviceDeleted })).status, 200);
      assert.equal((await send(address.commandUrl, { body: SAMPLE_BODIES.commandStatus })).status, 200);
      assert.equal((await send(`${address.url}${PUSH_SUBSCRIPTION_PATH}`, { body: SAMPLE_BODIES.deviceDeleted })).status, 404);
      assert.equal((await send(address.subscriptionUrl, { body: { ...SAMPLE_BODIES.deviceDeleted, pad: 'x'.repeat(600) } })).status, 413);
    } finally {
      await receiver.close();
    }
  });

  test('bad options are refused with 1017 naming the option', async () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => new PushMessageReceiver({ port: 1 } as never), /Unknown PushMessageReceiver option "port"/],
      [() => new PushMessageReceiver({ paths: { subscription: 'no-slash' } }), /paths.subscription must be a path/],
      [() => new PushMessageReceiver({ paths: { subscription: '/a', command: '/a/' } }), /must differ/],
      [() => new PushMessageReceiver({ maxBodyBytes: 0 }), /maxBodyBytes must be a positive integer/],
    ];
    for (const [make, message] of cases) {
      assert.throws(make, (error: unknown) => error instanceof NorthApiException && error.errorCode === '1017' && message.test(error.message));
    }
    const receiver = new PushMessageReceiver();
    await assert.rejects(receiver.listen({ port: -1 }), /port must be an integer/);
    await assert.rejects(receiver.listen({ tls: { cert: 'x' } }), /tls needs cert and key/);
    await assert.rejects(receiver.listen({ host: '127.0.0.1', extra: 1 } as never), /Unknown listen option "extra"/);
    await receiver.listen();
    try {
      await assert.rejects(receiver.listen(), /already listening/);
    } finally {
      await receiver.close();
    }
  });

  test('HTTPS: listen({ tls }) serves a certificate the sender verifies', async () => {
    const ca = createCertificateAuthority();
    const { cert, key } = issueServerCertificate(ca, '127.0.0.1');
    const receiver = new RecordingReceiver();
    const address = await receiver.listen({ tls: { cert, key } });
    try {
      assert.equal(address.protocol, 'https');
      assert.ok(address.subscriptionUrl.startsWith('https://127.0.0.1:'));
      const reply = await send(address.subscriptionUrl, { body: SAMPLE_BODIES.deviceModelAdded, ca: ca.certPem });
      assert.equal(reply.status, 200);
      assert.deepEqual(receiver.by('handleDeviceModelAdded'), [SAMPLE_BODIES.deviceModelAdded]);
      // Printing the receiver shows neither the key nor the certificate.
      const shown = inspect(receiver, { depth: Infinity, showHidden: true });
      assert.match(shown, /listening on 127\.0\.0\.1:\d+/);
      assert.ok(!shown.includes('PRIVATE KEY') && !shown.includes('CERTIFICATE') && !shown.includes(key.slice(40, 80)), shown);
      // Without the CA the sender refuses the certificate: verification stays on.
      await assert.rejects(send(address.subscriptionUrl, { body: SAMPLE_BODIES.deviceModelAdded }), /self-signed|unable to verify|certificate/i);
    } finally {
      await receiver.close();
    }
  });

  test('keys that could set a prototype are dropped at every depth; a body nested too deeply is 400', async () => {
    const receiver = new RecordingReceiver();
    receiver.on('invalid', () => undefined);
    const text = '{"notifyType":"deviceDataChanged","deviceId":"d1","__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},' +
      '"service":{"serviceId":"s","data":{"__proto__":{"admin":true},"level":3}}}';
    assert.equal((await receiver.dispatch(text)).status, 200);
    const message = receiver.received[0]!.message as { service: { data: Record<string, unknown> } };
    assert.deepEqual(Object.keys(message), ['notifyType', 'deviceId', 'service']);
    assert.deepEqual(Object.keys(message.service.data), ['level']);
    const copy: Record<string, unknown> = Object.assign({}, message.service.data);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.equal(copy['admin'], undefined);
    // The same for an object a body parser produced.
    assert.equal((await receiver.dispatch(JSON.parse(text) as object)).status, 200);
    assert.deepEqual(Object.keys(receiver.received[1]!.message), ['notifyType', 'deviceId', 'service']);
    const deep = `{"notifyType":"deviceDeleted","deviceId":"d","x":${'['.repeat(100)}${']'.repeat(100)}}`;
    assert.deepEqual(await receiver.dispatch(deep), { status: 400, outcome: 'invalid', reason: 'the body is nested more than 64 levels deep' });
  });

  test('a listener that throws is logged; the message is still answered as it should be', async () => {
    const logger = capturingLogger();
    const receiver = new RecordingReceiver({ logger });
    receiver.on('unknown', () => {
      throw new Error('listener broke');
    });
    receiver.on('invalid', () => {
      throw new Error('listener broke too');
    });
    assert.equal((await receiver.dispatch({ notifyType: 'brandNew' })).status, 200);
    assert.equal((await receiver.dispatch('{')).status, 400);
    assert.equal(logger.lines.length, 2);
    assert.match(logger.lines[0]!, /a listener of the unknown event threw: listener broke/);
  });

  test('mounted as middleware: prefix mounts match on originalUrl, other paths go to next(), a body read by someone else is 500', async () => {
    const receiver = new RecordingReceiver({ paths: { subscription: '/hooks/push', command: '/hooks/push/cmd' } });
    const passed: string[] = [];
    const server = http.createServer((req, res) => {
      if (req.url === '/consumed') {
        // A middleware that reads the body and keeps it elsewhere.
        req.resume();
        req.on('end', () => {
          req.url = '/hooks/push';
          receiver.handle(req, res);
        });
        return;
      }
      // What Express does for app.use('/hooks', ...): the prefix moves from url to originalUrl.
      const original = req.url ?? '/';
      Object.assign(req, { originalUrl: original, url: original.replace(/^\/hooks/, '') || '/' });
      receiver.handle(req, res, () => {
        passed.push(original);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      assert.equal((await send(`${base}/hooks/push`, { body: SAMPLE_BODIES.deviceDeleted })).status, 200);
      assert.equal((await send(`${base}/hooks/push/cmd`, { body: SAMPLE_BODIES.commandStatus })).status, 200);
      assert.equal((await send(`${base}/hooks/other`, { body: SAMPLE_BODIES.deviceDeleted })).status, 204);
      assert.deepEqual(passed, ['/hooks/other']);
      const consumed = await send(`${base}/consumed`, { body: SAMPLE_BODIES.deviceDeleted });
      assert.equal(consumed.status, 500);
      assert.match(consumed.body, /read before the receiver got it/);
      assert.deepEqual(receiver.received.map((r) => r.handler), ['handleDeviceDeleted', 'handleNBCommandStateChanged']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('listen(): publicUrl shapes the URLs to subscribe with; a second listen() while starting is refused', async () => {
    const receiver = new PushMessageReceiver();
    const first = receiver.listen({ host: '127.0.0.1', publicUrl: 'https://push.example.com:8443/' });
    await assert.rejects(receiver.listen(), /already listening/);
    const address = await first;
    try {
      assert.equal(address.url, 'https://push.example.com:8443');
      assert.equal(address.subscriptionUrl, 'https://push.example.com:8443/v1.0.0/messageReceiver');
      assert.equal(address.commandUrl, 'https://push.example.com:8443/v1.0.0/messageReceiver/cmd');
      assert.equal(address.host, '127.0.0.1');
    } finally {
      await receiver.close();
    }
    const based = await receiver.listen({ publicUrl: ' https://[::1]:8443/iot/push/ ' });
    assert.equal(based.subscriptionUrl, 'https://[::1]:8443/iot/push/v1.0.0/messageReceiver');
    await receiver.close();
    for (const publicUrl of ['ftp://x.example.com:21', 'https://x.example.com:1/?a=1', 'not a url', 'https://u:p@x.example.com:1', 'https://host?', 'https://host#', 'https://@host', 'https:\\\\host', 'https://h:1/a b']) {
      await assert.rejects(receiver.listen({ publicUrl }), /publicUrl must be an http\(s\) URL/);
    }
    // close() while listen() is still starting: the server does not stay open.
    const starting = receiver.listen();
    await receiver.close();
    await assert.rejects(starting, /closed before it started listening/);
  });

  test('close() cuts a stalled upload and a handler that never settles after timeoutMs', async () => {
    const receiver = new RecordingReceiver();
    receiver.gate = new Promise(() => undefined);
    const started = new Promise<void>((resolve) => (receiver.onStart = resolve));
    const address = await receiver.listen();
    const stuck = send(address.subscriptionUrl, { body: SAMPLE_BODIES.deviceDeleted }).then((r) => r.status, (e: Error) => e.message);
    await started;
    // A client that announces 100 bytes and sends 10.
    const socket = net.connect(address.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`POST ${receiver.paths.subscription} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"notifyTy`);
    const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await receiver.close({ timeoutMs: 300 });
    await socketClosed;
    assert.match(String(await stuck), /socket hang up|ECONNRESET/);
    await assert.rejects(receiver.close({ timeoutMs: -1 }), /timeoutMs must be an integer from 0/);
    // The stuck handler belongs to the closed server: listening again and closing again does not wait for it (a
    // close that did would run into this test's time limit).
    const again = await receiver.listen();
    assert.equal((await send(again.subscriptionUrl, { body: SAMPLE_BODIES.deviceDeleted, method: 'GET' })).status, 405);
    await receiver.close({ timeoutMs: 600_000 });
  });

  test('close() while a message is handled: its answer says Connection: close; a second close() waits for the same end', async () => {
    const receiver = new RecordingReceiver();
    let release!: () => void;
    receiver.gate = new Promise<void>((resolve) => (release = resolve));
    const started = new Promise<void>((resolve) => (receiver.onStart = resolve));
    const address = await receiver.listen();
    const agent = new http.Agent({ keepAlive: true });
    try {
      const pending = new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request(address.subscriptionUrl, { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, resolve);
        req.on('error', reject);
        req.end(JSON.stringify(SAMPLE_BODIES.deviceDeleted));
      });
      await started;
      const first = receiver.close();
      const second = receiver.close();
      release();
      const res = await pending;
      res.resume();
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['connection'], 'close');
      await Promise.all([first, second]);
      assert.equal(receiver.received.length, 1);
    } finally {
      agent.destroy();
    }
  });

  test('listen, close, listen, close in a row (the second on a host name to look up): every call settles', async () => {
    const receiver = new PushMessageReceiver();
    const a = receiver.listen();
    const closeA = receiver.close();
    const b = receiver.listen({ host: 'localhost' });
    const closeB = receiver.close();
    const results = await Promise.allSettled([a, closeA, b, closeB]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    assert.match(String((results[0] as PromiseRejectedResult).reason), /closed before it started listening/);
    const c = await receiver.listen();
    assert.match(c.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    await receiver.close();
  });

  test('a synchronous handler override and a rejecting async listener work as well', async () => {
    const logger = capturingLogger();
    const seen: string[] = [];
    class Plain extends PushMessageReceiver {
      override handleDeviceDeleted(message: NotifyDeviceDeletedDTO): void {
        seen.push(message.deviceId);
      }
    }
    const receiver = new Plain({ logger });
    receiver.on('unknown', async () => {
      throw new Error('async listener broke');
    });
    assert.equal((await receiver.dispatch(SAMPLE_BODIES.deviceDeleted)).status, 200);
    assert.deepEqual(seen, ['dev-gone-1']);
    assert.equal((await receiver.dispatch({ notifyType: 'newKind' })).status, 200);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(logger.lines.length, 1);
    assert.match(logger.lines[0]!, /a listener of the unknown event failed: async listener broke/);
  });

  test('dispatch() of a parsed object leaves the caller\'s object as it was', async () => {
    const receiver = new RecordingReceiver();
    const body = JSON.parse('{"notifyType":"deviceDeleted","deviceId":"d9","__proto__":{"x":1},"nested":{"constructor":1}}') as Record<string, unknown>;
    const before = JSON.stringify(body);
    assert.equal((await receiver.dispatch(body)).status, 200);
    assert.equal(JSON.stringify(body), before);
    assert.deepEqual(receiver.received[0]!.message, { notifyType: 'deviceDeleted', deviceId: 'd9', nested: {} });
  });

  test('close() lets a message being handled finish and be answered, then refuses connections', async () => {
    const receiver = new RecordingReceiver();
    receiver.delayMs = 200;
    const started = new Promise<void>((resolve) => (receiver.onStart = resolve));
    const address = await receiver.listen();
    const pending = send(address.subscriptionUrl, { body: SAMPLE_BODIES.deviceDeleted });
    await started;
    await receiver.close();
    assert.equal((await pending).status, 200);
    assert.equal(receiver.received.length, 1);
    await assert.rejects(send(address.subscriptionUrl, { body: SAMPLE_BODIES.deviceDeleted }), /ECONNREFUSED/);
    await receiver.close();
  });
});

/** Checks the invariants a handler may rely on: the message fits the handler and its identifying fields are set. */
function checkHandled(handler: string, message: Record<string, unknown>): void {
  for (const key of ['__proto__', 'constructor', 'prototype']) assert.ok(!Object.hasOwn(message, key), `no own ${key} key`);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  if (handler === 'handleNBCommandStateChanged') {
    assert.equal(typeof message['commandId'], 'string');
    assert.equal(typeof (message['result'] as { resultCode?: unknown }).resultCode, 'string');
    return;
  }
  const notifyType = message['notifyType'] as keyof typeof NOTIFICATIONS;
  assert.equal(NOTIFICATIONS[notifyType].handler, handler);
  const shape = NOTIFICATIONS[notifyType].shape as Record<string, { required: boolean; kind: string }>;
  for (const [name, field] of Object.entries(shape)) {
    const value = message[name];
    if (field.required) assert.ok(value !== undefined && value !== null && value !== '', `${notifyType}.${name} is set`);
    if (value === undefined || value === null) continue;
    if (field.kind === 'string') assert.equal(typeof value, 'string', `${notifyType}.${name}`);
    if (field.kind === 'object') assert.ok(typeof value === 'object' && !Array.isArray(value), `${notifyType}.${name}`);
    if (field.kind === 'array') assert.ok(Array.isArray(value), `${notifyType}.${name}`);
  }
}

const ODD_VALUES: unknown[] = [null, 0, -1, 1.5e308, true, false, '', ' ', 'x'.repeat(5000), [], [null], {}, { nested: { deeper: [1, 'a'] } }, '\u0000', '\ud83d\ude00', 'deviceAdded'];

/** Applies one to three random edits to a body: on its structure (delete, retype, rename) or on its text. */
function mutate(body: Record<string, unknown>, random: () => number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  let value: unknown = body;
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const op = Math.floor(random() * 8);
    if (typeof value === 'string') {
      // Text edits only once the body is text.
      const at = Math.floor(random() * (value.length + 1));
      value = op % 2 === 0 ? value.slice(0, at) : `${value.slice(0, at)}${pick(['{', '}', '"', ',', ':', '\\', ' ', 'ä'])}${value.slice(at)}`;
      continue;
    }
    if (typeof value !== 'object' || value === null) break;
    const holders = objectsIn(value);
    const holder = pick(holders);
    const keys = Object.keys(holder);
    switch (op) {
      case 0:
      case 1:
        if (keys.length > 0) delete holder[pick(keys)];
        break;
      case 2:
      case 3:
        if (keys.length > 0) holder[pick(keys)] = structuredClone(pick(ODD_VALUES));
        break;
      case 4:
        (value as Record<string, unknown>)['notifyType'] = pick([...Object.keys(NOTIFICATIONS), 'deviceadded', 'x', 42, null]);
        break;
      case 5:
        holder[pick(['__proto__', 'constructor', 'services', 'service', 'extra'])] = structuredClone(pick(ODD_VALUES));
        break;
      case 6:
        value = JSON.stringify(value);
        break;
      case 7:
        value = pick([
          [value],
          JSON.stringify(value).repeat(2),
          'null',
          '1',
          // Keys that would set a prototype if a handler copied the message; only text can carry them.
          `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},${JSON.stringify(value).slice(1)}`,
        ]);
        break;
    }
  }
  return value;
}

/** The object itself and every object nested in it (through objects and arrays). */
function objectsIn(root: object): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === 'object' && node !== null) {
      found.push(node as Record<string, unknown>);
      Object.values(node).forEach(visit);
    }
  };
  visit(root);
  return found;
}
