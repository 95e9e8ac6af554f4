/**
 * RuleEngine routes: create, replace, delete and list rules, and change their status one by one or in a batch.
 *
 * Rules are stored per application (the caller, or the app named by `?appId=`) and are never executed: no
 * condition is evaluated, no action runs and no `ruleEvent` push is sent. Success statuses are not documented by
 * the platform; the simulator answers 200 with `{ruleId}` for create and update, 204 for delete, 200 without a body
 * for a single status change and 200 with `{result, responses}` for a batch status change.
 */
import type { BusinessContext, RouteResult, Router } from '../router.js';
import { isRuleStatus, RuleErrors, type RuleRecord } from '../rules.js';
import { isNonEmptyString, isPlainObject } from '../util.js';

export const RULES_PATH = '/iocm/app/rule/v1.2.0/rules';

/** Top-level RuleDTO2 fields that must be strings when present. */
const STRING_FIELDS = ['description', 'author', 'logic', 'matchNow', 'timezoneID', 'executor', 'priority'] as const;

/** A non-empty array of objects, each with a non-empty string `type`. */
function typedItems(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((item) => isPlainObject(item) && isNonEmptyString(item['type']));
}

/** The rule fields of a create/update body, checked (400 / 100022 otherwise); `ruleId` and `appKey` removed. */
function ruleFields(body: Record<string, unknown>): Record<string, unknown> {
  if (!isNonEmptyString(body['name'])) throw RuleErrors.invalidInput();
  if (!typedItems(body['conditions']) || !typedItems(body['actions'])) throw RuleErrors.invalidInput();
  const status = body['status'];
  if (status !== undefined && status !== null && !isRuleStatus(status)) throw RuleErrors.invalidInput();
  for (const key of STRING_FIELDS) {
    const value = body[key];
    if (value !== undefined && value !== null && typeof value !== 'string') throw RuleErrors.invalidInput();
  }
  const fields: Record<string, unknown> = structuredClone(body);
  delete fields['ruleId'];
  delete fields['appKey'];
  return fields;
}

function ruleView(rule: RuleRecord): Record<string, unknown> {
  return structuredClone(rule);
}

function createRule(ctx: BusinessContext): RouteResult {
  const rule = ctx.target.rules.create(ruleFields(ctx.jsonObject()));
  return { status: 200, body: { ruleId: rule.ruleId } };
}

function updateRule(ctx: BusinessContext): RouteResult {
  const body = ctx.jsonObject();
  const ruleId = body['ruleId'];
  if (!isNonEmptyString(ruleId)) throw RuleErrors.invalidInput();
  const fields = ruleFields(body);
  const rule = ctx.target.rules.replace(ruleId, fields);
  return { status: 200, body: { ruleId: rule.ruleId } };
}

function deleteRule(ctx: BusinessContext): RouteResult {
  const { rules } = ctx.target;
  const rule = rules.require(ctx.params['ruleId']!);
  rules.delete(rule.ruleId);
  return { status: 204 };
}

function queryRules(ctx: BusinessContext): RouteResult {
  const { name, author } = ctx.query;
  const found = ctx.target.rules
    .list()
    .filter((rule) => (name === undefined || rule['name'] === name) && (author === undefined || rule['author'] === author));
  return { status: 200, body: found.map(ruleView) };
}

function updateRuleStatus(ctx: BusinessContext): RouteResult {
  const status = ctx.params['status']!;
  if (!isRuleStatus(status)) throw RuleErrors.invalidInput();
  ctx.target.rules.setStatus(ctx.params['ruleId']!, status);
  return { status: 200 };
}

function updateBatchRuleStatus(ctx: BusinessContext): RouteResult {
  const requests = ctx.jsonObject()['requests'];
  if (!Array.isArray(requests) || requests.length === 0) throw RuleErrors.invalidInput();
  for (const request of requests) {
    if (!isPlainObject(request) || !isNonEmptyString(request['ruleId']) || !isNonEmptyString(request['status'])) {
      throw RuleErrors.invalidInput();
    }
  }
  const { rules } = ctx.target;
  let failed = 0;
  const responses = (requests as Array<{ ruleId: string; status: string }>).map(({ ruleId, status }) => {
    const error = !isRuleStatus(status) ? RuleErrors.invalidInput() : rules.get(ruleId) ? undefined : RuleErrors.ruleNotFound();
    if (error === undefined) {
      rules.setStatus(ruleId, status as 'active' | 'inactive');
      return { ruleId };
    }
    failed += 1;
    return { ruleId, response: error.body };
  });
  const result =
    failed === 0
      ? { result_code: '0', result_desc: 'success' }
      : { result_code: '1', result_desc: `${failed} of ${requests.length} rule status changes failed` };
  return { status: 200, body: { result, responses } };
}

export function registerRuleRoutes(router: Router): void {
  router.business('POST', RULES_PATH, createRule);
  router.business('PUT', RULES_PATH, updateRule);
  router.business('GET', RULES_PATH, queryRules);
  router.business('PUT', `${RULES_PATH}/status`, updateBatchRuleStatus);
  router.business('DELETE', `${RULES_PATH}/{ruleId}`, deleteRule);
  router.business('PUT', `${RULES_PATH}/{ruleId}/status/{status}`, updateRuleStatus);
}
