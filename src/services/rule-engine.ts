import { inject, injectable } from '../di.js';
import { NorthApiClient } from '../client/north-api-client.js';
import type {
  QueryRulesInDTO2,
  RuleCreateOrUpdateOutDTO,
  RuleDTO2,
  UpdateBatchRuleStatusInDTO,
  UpdateBatchRuleStatusOutDTO,
  UpdateRuleStatusInDTO,
} from '../dto/rule-engine.js';
import type { ApiTable } from './api-table.js';
import { ServiceBase } from './service-base.js';
import {
  appIdArgument,
  compactDeep,
  oneOf,
  optionalArray,
  optionalBoolean,
  optionalId,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalStrings,
  requireArray,
  requireObject,
  requireString,
} from './validation.js';

const RULES = '/iocm/app/rule/v1.2.0/rules';

// The platform does not document the success statuses of the rule API: create, update and the status changes are
// taken to answer 200 (create/update with a `{ruleId}` body), delete 204.
const API = {
  createRule: { method: 'POST', path: RULES, status: 200, appParam: 'appId' },
  updateRule: { method: 'PUT', path: RULES, status: 200, appParam: 'appId' },
  deleteRule: { method: 'DELETE', path: `${RULES}/{ruleId}`, status: 204, appParam: 'appId' },
  queryRules: { method: 'GET', path: RULES, status: 200, appParam: 'appId' },
  updateRuleStatus: { method: 'PUT', path: `${RULES}/{ruleId}/status/{status}`, status: 200, appParam: 'appId' },
  updateBatchRuleStatus: { method: 'PUT', path: `${RULES}/status`, status: 200, appParam: 'appId' },
} as const satisfies ApiTable;

/**
 * Expected JSON type of a field: checked only when the field is present and not null. `id` is a string that names
 * another resource (a device, group or rule) and so must not be empty.
 */
type FieldKind = 'string' | 'id' | 'integer' | 'boolean' | 'object' | 'array' | 'stringOrInteger' | 'objectOrString';

type FieldSpec = Readonly<Record<string, FieldKind>>;

function checkFields(value: Record<string, unknown>, spec: FieldSpec, path: string): void {
  for (const [name, kind] of Object.entries(spec)) {
    const item = value[name];
    const field = `${path}.${name}`;
    if (item === undefined || item === null) continue;
    switch (kind) {
      case 'string':
        optionalString(item, field);
        break;
      case 'id':
        optionalId(item, field);
        break;
      case 'integer':
        optionalInteger(item, field, 0);
        break;
      case 'boolean':
        optionalBoolean(item, field);
        break;
      case 'object':
        optionalObject(item, field);
        break;
      case 'array':
        optionalArray(item, field);
        break;
      case 'stringOrInteger':
        if (typeof item !== 'string') optionalInteger(item, field, 0);
        break;
      case 'objectOrString':
        if (typeof item !== 'string') optionalObject(item, field);
        break;
    }
  }
}

/** Fields of the condition DTOs (ConditionDeviceData, ConditionDailyTimer, ...), `type` apart. */
const CONDITION: FieldSpec = {
  id: 'string',
  operator: 'string',
  value: 'string',
  time: 'string',
  daysOfWeek: 'string',
  description: 'string',
  deviceInfo: 'object',
  deviceGroupInfo: 'object',
  strategy: 'object',
  timeRange: 'object',
  duration: 'stringOrInteger',
  interval: 'integer',
};

/** Fields of the objects nested in conditions; every one is a string unless listed otherwise. */
const NESTED_IN_CONDITION: Readonly<Record<string, FieldSpec>> = {
  deviceInfo: { deviceId: 'id', path: 'string', manufacturerId: 'string', model: 'string', deviceType: 'string', protocolType: 'string' },
  deviceGroupInfo: { groupId: 'id', path: 'string' },
  strategy: { trigger: 'string', eValidTime: 'integer' },
  timeRange: { startTime: 'string', endTime: 'string', daysOfWeek: 'string' },
};

/** Fields of the action DTOs (ActionDeviceCMD, ActionSMS, ...), `type` apart. */
const ACTION: FieldSpec = {
  id: 'string',
  appKey: 'string',
  deviceId: 'id',
  cmd: 'objectOrString',
  cmdVersion: 'string',
  msisdn: 'string',
  email: 'string',
  content: 'string',
  subject: 'string',
  title: 'string',
  accountId: 'string',
  name: 'string',
  status: 'string',
  severity: 'string',
  description: 'string',
  ruleId: 'id',
  subSystem: 'string',
  messageType: 'string',
  time: 'integer',
  deviceCommandActionPreProcessors: 'array',
};

/** Top-level fields of RuleDTO2 other than name, conditions and actions. */
const RULE: FieldSpec = {
  ruleId: 'id',
  appKey: 'string',
  description: 'string',
  author: 'string',
  logic: 'string',
  timeRange: 'object',
  matchNow: 'string',
  status: 'string',
  groupExpress: 'object',
  triggerSources: 'array',
  timezoneID: 'string',
  executor: 'string',
  refreshId: 'boolean',
  checkNullAction: 'boolean',
  priority: 'string',
  tags: 'array',
  rulePreProcessors: 'array',
};

/** Every item of an optional array must be an object; `check` looks at each. */
function eachObject(value: unknown, field: string, check: (item: Record<string, unknown>, path: string) => void = () => {}): void {
  optionalArray(value, field)?.forEach((item, index) => check(requireObject(item, `${field}[${index}]`), `${field}[${index}]`));
}

/** Checks a RuleDTO2 (field names prefixed with `name`); `ruleId` is required for updates. */
function checkRule(value: unknown, name: string, requireRuleId: boolean): Record<string, unknown> {
  const rule = requireObject(value, name);
  if (requireRuleId) requireString(rule.ruleId, `${name}.ruleId`);
  requireString(rule.name, `${name}.name`);
  checkFields(rule, RULE, name);
  requireArray(rule.conditions, `${name}.conditions`).forEach((item, index) => {
    const path = `${name}.conditions[${index}]`;
    const condition = requireObject(item, path);
    requireString(condition.type, `${path}.type`);
    checkFields(condition, CONDITION, path);
    for (const [key, spec] of Object.entries(NESTED_IN_CONDITION)) {
      const nested = condition[key];
      if (nested !== undefined && nested !== null) checkFields(nested as Record<string, unknown>, spec, `${path}.${key}`);
    }
  });
  requireArray(rule.actions, `${name}.actions`).forEach((item, index) => {
    const path = `${name}.actions[${index}]`;
    const action = requireObject(item, path);
    requireString(action.type, `${path}.type`);
    checkFields(action, ACTION, path);
    if (action.cmd !== undefined && action.cmd !== null && typeof action.cmd === 'object') {
      checkFields(action.cmd as Record<string, unknown>, { messageType: 'string', serviceId: 'string' }, `${path}.cmd`);
    }
    eachObject(action.deviceCommandActionPreProcessors, `${path}.deviceCommandActionPreProcessors`, (pre, prePath) => checkFields(pre, { processor: 'string' }, prePath));
  });
  if (rule.timeRange !== undefined && rule.timeRange !== null) {
    checkFields(rule.timeRange as Record<string, unknown>, NESTED_IN_CONDITION.timeRange!, `${name}.timeRange`);
  }
  if (rule.groupExpress !== undefined && rule.groupExpress !== null) {
    const express = rule.groupExpress as Record<string, unknown>;
    checkFields(express, { operator: 'string' }, `${name}.groupExpress`);
    eachObject(express.groupElements, `${name}.groupExpress.groupElements`, (element, path) => checkFields(element, { operator: 'string', elements: 'array' }, path));
  }
  eachObject(rule.triggerSources, `${name}.triggerSources`, (source, path) => {
    requireString(source.type, `${path}.type`);
    checkFields(source, { deviceId: 'id', serviceId: 'string' }, path);
  });
  eachObject(rule.rulePreProcessors, `${name}.rulePreProcessors`, (pre, path) => checkFields(pre, { processor: 'string' }, path));
  return rule;
}

/** The rule statuses a status change may set. */
const RULE_STATUSES = ['active', 'inactive'] as const;

/**
 * One `{ruleId, status}` pair: both go into a URL path or are matched against stored rules, so both are required;
 * `status` is `active` or `inactive`.
 */
function checkStatusChange(value: unknown, name: string): { ruleId: string; status: string } {
  const input = requireObject(value, name);
  const ruleId = requireString(input.ruleId, `${name}.ruleId`);
  const status = oneOf(requireString(input.status, `${name}.status`), `${name}.status`, RULE_STATUSES);
  return { ruleId, status };
}

/**
 * Rules: create, update, delete, query, enable or disable (Java SDK `RuleEngine`).
 * `appId` is the authorised application whose rules are meant (null for your own); it is sent as `?appId=`
 * whenever given. `accessToken` may be null while the refresh timer runs.
 */
@injectable()
export class RuleEngine extends ServiceBase {
  /** The operations this class sends: HTTP method, path and documented success status. */
  static readonly api: ApiTable = API;

  constructor(@inject(NorthApiClient) client: NorthApiClient) {
    super(client);
  }

  /**
   * Creates a rule.
   * @param rule - the rule; `name`, `conditions` and `actions` are required, `ruleId` is assigned by the platform
   * @param appId - the authorised application the rule is created for, or null for your own
   * @param accessToken - a token, or null while the refresh timer runs
   * @returns the id of the new rule
   */
  async createRule(rule: RuleDTO2, appId: string | null = null, accessToken: string | null = null): Promise<RuleCreateOrUpdateOutDTO> {
    const input = checkRule(rule, 'rule', false);
    return this.call(API.createRule, { query: { appId: appIdArgument(appId) }, json: compactDeep(input, 'rule') }, accessToken);
  }

  /**
   * Replaces a rule: `rule.ruleId` names the rule, the other fields are its new content.
   * @param rule - the new content, with the `ruleId` of an existing rule
   * @param appId - the authorised application the rule belongs to, or null for your own
   * @param accessToken - a token, or null while the refresh timer runs
   * @returns the id of the rule
   */
  async updateRule(rule: RuleDTO2, appId: string | null = null, accessToken: string | null = null): Promise<RuleCreateOrUpdateOutDTO> {
    const input = checkRule(rule, 'rule', true);
    return this.call(API.updateRule, { query: { appId: appIdArgument(appId) }, json: compactDeep(input, 'rule') }, accessToken);
  }

  /**
   * Deletes a rule.
   * @param ruleId - the rule
   * @param appId - the authorised application the rule belongs to, or null for your own
   * @param accessToken - a token, or null while the refresh timer runs
   */
  async deleteRule(ruleId: string, appId: string | null = null, accessToken: string | null = null): Promise<void> {
    await this.call(API.deleteRule, { params: { ruleId }, query: { appId: appIdArgument(appId) } }, accessToken);
  }

  /**
   * Lists rules, optionally filtered by name and author. The platform answers a JSON array.
   * @param qrInDTO - the filters; `appId` names the authorised application whose rules are listed
   * @param accessToken - a token, or null while the refresh timer runs
   * @returns the matching rules
   */
  async queryRules(qrInDTO: QueryRulesInDTO2, accessToken: string | null = null): Promise<RuleDTO2[]> {
    const input = requireObject(qrInDTO, 'qrInDTO');
    const query = {
      ...optionalStrings(input, 'qrInDTO', ['name', 'author']),
      appId: appIdArgument(input.appId, 'qrInDTO.appId'),
      select: optionalString(input.select, 'qrInDTO.select'),
    };
    return this.call(API.queryRules, { query }, accessToken);
  }

  /**
   * Activates or deactivates one rule (`PUT .../rules/{ruleId}/status/{status}` with an empty JSON object).
   * @param ursInDTO - the rule and its new status, `active` or `inactive`
   * @param appId - the authorised application the rule belongs to, or null for your own
   * @param accessToken - a token, or null while the refresh timer runs
   */
  async updateRuleStatus(ursInDTO: UpdateRuleStatusInDTO, appId: string | null = null, accessToken: string | null = null): Promise<void> {
    const { ruleId, status } = checkStatusChange(ursInDTO, 'ursInDTO');
    await this.call(API.updateRuleStatus, { params: { ruleId, status }, query: { appId: appIdArgument(appId) }, json: {} }, accessToken);
  }

  /**
   * Activates or deactivates several rules. The call succeeds as a whole; each rule's outcome is in `responses`.
   * @param ubrsInDTO - the `{ruleId, status}` pairs; each status is `active` or `inactive`
   * @param appId - the authorised application the rules belong to, or null for your own
   * @param accessToken - a token, or null while the refresh timer runs
   * @returns the overall result and one response per rule
   */
  async updateBatchRuleStatus(ubrsInDTO: UpdateBatchRuleStatusInDTO, appId: string | null = null, accessToken: string | null = null): Promise<UpdateBatchRuleStatusOutDTO> {
    const input = requireObject(ubrsInDTO, 'ubrsInDTO');
    const requests = requireArray(input.requests, 'ubrsInDTO.requests').map((item, index) => checkStatusChange(item, `ubrsInDTO.requests[${index}]`));
    return this.call(API.updateBatchRuleStatus, { query: { appId: appIdArgument(appId) }, json: { requests } }, accessToken);
  }
}
