import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Authentication, createNorthApiContainer, DeviceManagement, NorthApiClient, NorthApiException } from '../../src/index.js';
import { SERVICE_CLASSES } from '../../src/container.js';

const clientInfo = { platformIp: '127.0.0.1', platformPort: 8743, appId: 'containerApp', secret: 'containerSecret' };

test('every service resolves from a fresh container, wired to that container\'s one client', () => {
  const container = createNorthApiContainer({ clientInfo });
  const client = container.resolve(NorthApiClient);
  assert.ok(client instanceof NorthApiClient);
  for (const service of SERVICE_CLASSES) {
    const token = service as unknown as new () => object;
    const instance = container.resolve(token);
    assert.ok(instance instanceof service, service.name);
    assert.equal(container.resolve(token), instance, `${service.name} is one per container`);
    // toString() names the client's platform and appId: it throws or says "no clientInfo" if the client is missing.
    assert.ok(String(instance).includes('https://127.0.0.1:8743, appId=containerApp'), `${service.name} got the container's client: ${String(instance)}`);
    if ('client' in instance) assert.equal((instance as unknown as { client?: unknown }).client, client);
  }
  assert.ok(SERVICE_CLASSES.includes(DeviceManagement) && SERVICE_CLASSES.includes(Authentication));
});

test('containers are independent: each has its own client and services', () => {
  const a = createNorthApiContainer({ clientInfo });
  const b = createNorthApiContainer({ clientInfo: { ...clientInfo, appId: 'otherApp' } });
  assert.notEqual(a.resolve(NorthApiClient), b.resolve(NorthApiClient));
  assert.notEqual(a.resolve(DeviceManagement), b.resolve(DeviceManagement));
  assert.equal(b.resolve(NorthApiClient).getClientInfo()?.appId, 'otherApp');
});

test('no DI needed: new X(client) works for every service class and Authentication, as in the Java SDK', () => {
  const client = new NorthApiClient({ clientInfo });
  for (const service of SERVICE_CLASSES) {
    const Service = service as unknown as new (client: NorthApiClient) => object;
    assert.ok(String(new Service(client)).includes('containerApp'), service.name);
    assert.throws(() => new Service(undefined as unknown as NorthApiClient), (error: NorthApiException) => error.errorCode === '1007', service.name);
  }
});

test('ClientInfo and options are validated eagerly with codes that say what is wrong', () => {
  const code = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      return (error as NorthApiException).errorCode;
    }
    return 'none';
  };
  assert.equal(code(() => new NorthApiClient({ clientInfo: { ...clientInfo, appId: '' } })), '1008');
  assert.equal(code(() => new NorthApiClient({ clientInfo: { ...clientInfo, secret: 'has space' } })), '1010');
  assert.equal(code(() => new NorthApiClient({ clientInfo: { ...clientInfo, platformPort: 'abc' } })), '1008');
  assert.equal(code(() => new NorthApiClient({ clientInfo: { ...clientInfo, extra: 1 } as never })), '1008');
  assert.equal(code(() => new NorthApiClient({ timeout: 5 } as never)), '1017');
  assert.equal(code(() => new NorthApiClient({ http: { timeoutMs: -1 } })), '1017');
  assert.equal(code(() => new NorthApiClient({ http: { retries: -1 } })), '1017');
  assert.equal(code(() => new NorthApiClient({ http: { retries: 0 } })), 'none');
  assert.equal(code(() => new NorthApiClient({ http: { retryMaxDelayMs: 2 ** 31 } })), '1017', 'a delay no timer can take');
  assert.equal(code(() => new NorthApiClient({ http: { throttleMaxDelayMs: 2 ** 31 - 1 } })), 'none');
  assert.equal(code(() => new NorthApiClient({ http: { retry: 2 } as never })), '1017');
  assert.equal(code(() => new NorthApiClient({ ssl: { trustCAPath: '/no/such/file.pem' } })), '1006');
  assert.equal(code(() => new NorthApiClient({ ssl: { cert: 'x' } })), '1007');
  assert.equal(code(() => new NorthApiClient().transportConfig()), '1008');
  const client = new NorthApiClient();
  assert.equal(code(() => client.setClientInfo(clientInfo)), 'none');
  assert.equal(client.getClientInfo()?.appId, 'containerApp');
  assert.equal(JSON.stringify(client.getClientInfo()).includes('containerSecret'), false);
  assert.match(client.getVersion(), /^\d+\.\d+\.\d+/);
});
