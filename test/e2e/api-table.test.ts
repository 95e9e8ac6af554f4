import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { SERVICE_CLASSES } from '../../src/container.js';
import { ServiceBase } from '../../src/services/service-base.js';
import { adminRoutes, apiRoutes } from '../../src/simulator/server.js';
import { apiCatalog, renderApiTable } from '../helpers/api-catalog.js';
import { API_DOC, writtenApiTable } from '../helpers/api-doc.js';

/** Public methods a class defines itself. */
function ownMethods(cls: { prototype: object }): string[] {
  return Object.getOwnPropertyNames(cls.prototype).filter((name) => {
    if (name === 'constructor' || name === 'toString') return false;
    return typeof Object.getOwnPropertyDescriptor(cls.prototype, name)?.value === 'function';
  });
}

test('docs/api.md shows exactly the operations the code sends (npm run docs:table regenerates it)', () => {
  assert.equal(writtenApiTable(), renderApiTable(), `${API_DOC} is out of date: run npm run docs:table`);
});

test('every public method of every service class is in its api table, and every table entry is a method', () => {
  for (const service of SERVICE_CLASSES) {
    const methods = ownMethods(service);
    const listed = Object.keys(service.api);
    assert.ok(listed.length > 0, `${service.name} lists no operation`);
    for (const name of listed) assert.ok(methods.includes(name), `${service.name}.api.${name} is not a method`);
    if (service.prototype instanceof ServiceBase) {
      assert.deepEqual([...methods].sort(), [...listed].sort(), `${service.name}: methods and api table differ`);
    }
  }
});

test('the simulator serves every operation of the table, with the same method and path', () => {
  const shape = (pattern: string): string => pattern.replace(/\{\w+\}/g, '{}');
  const served = new Set(apiRoutes().map((route) => `${route.method} ${shape(route.pattern)}`));
  const missing = apiCatalog()
    .filter(({ operation }) => !served.has(`${operation.method} ${shape(operation.path)}`))
    .map(({ className, methodName, operation }) => `${className}.${methodName} (${operation.method} ${operation.path})`);
  assert.deepEqual(missing, []);
});

test('each operation is listed once: no two methods send the same request', () => {
  const seen = new Map<string, string>();
  for (const { className, methodName, operation } of apiCatalog()) {
    const key = `${operation.method} ${operation.path}`;
    assert.ok(!seen.has(key), `${className}.${methodName} and ${seen.get(key)} both send ${key}`);
    seen.set(key, `${className}.${methodName}`);
  }
});

test('docs/simulator.md documents every admin route of the simulator, and no other', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/simulator.md', import.meta.url)), 'utf8');
  const documented = [...doc.matchAll(/^\| (GET|POST|PUT|DELETE) \| `([^`]+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
  const served = adminRoutes()
    .map((route) => `${route.method} ${route.pattern}`)
    .sort();
  assert.deepEqual(documented, served);
});
