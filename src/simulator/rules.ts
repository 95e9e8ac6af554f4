/**
 * Rules of one application (RuleEngine). A rule is kept as the JSON object the application sent, with the
 * platform's fields (`ruleId`, `appKey`, `status`) filled in. Rules are stored, never executed.
 */
import { randomUUID } from 'node:crypto';
import { Errors, type ApiError } from './errors.js';

/** The statuses a rule can have. */
export const RULE_STATUSES = ['active', 'inactive'] as const;
export type RuleStatus = (typeof RULE_STATUSES)[number];

export function isRuleStatus(value: unknown): value is RuleStatus {
  return value === 'active' || value === 'inactive';
}

/**
 * Errors of the rule routes. The platform documents no error table for the rule API: bad input uses the generic
 * 400 / 100022 "The input is invalid." and an unknown rule the generic 404 / 100225 "The resource is not found".
 */
export const RuleErrors = {
  invalidInput: Errors.invalidInput,
  ruleNotFound: Errors.notFound,
} as const satisfies Record<string, () => ApiError>;

/** A stored rule: the RuleDTO2 fields as JSON. */
export type RuleRecord = Record<string, unknown> & { ruleId: string; appKey: string; status: RuleStatus };

export class RuleStore {
  private readonly byId = new Map<string, RuleRecord>();

  constructor(readonly appId: string) {}

  get size(): number {
    return this.byId.size;
  }

  /** Every rule, oldest first. */
  list(): RuleRecord[] {
    return [...this.byId.values()];
  }

  get(ruleId: string): RuleRecord | undefined {
    return this.byId.get(ruleId);
  }

  /** The rule, or 404 / 100225. */
  require(ruleId: string): RuleRecord {
    const rule = this.byId.get(ruleId);
    if (!rule) throw RuleErrors.ruleNotFound();
    return rule;
  }

  /** Stores a new rule under a generated id; `status` defaults to active. */
  create(fields: Record<string, unknown>): RuleRecord {
    const ruleId = randomUUID().replace(/-/g, '');
    const status = isRuleStatus(fields['status']) ? fields['status'] : 'active';
    const rule: RuleRecord = { ...fields, ruleId, appKey: this.appId, status };
    this.byId.set(ruleId, rule);
    return rule;
  }

  /** Replaces the content of an existing rule (404 / 100225 if unknown); the status is kept unless given. */
  replace(ruleId: string, fields: Record<string, unknown>): RuleRecord {
    const old = this.require(ruleId);
    const status = isRuleStatus(fields['status']) ? fields['status'] : old.status;
    const rule: RuleRecord = { ...fields, ruleId, appKey: this.appId, status };
    this.byId.set(ruleId, rule);
    return rule;
  }

  delete(ruleId: string): RuleRecord | undefined {
    const rule = this.byId.get(ruleId);
    if (rule) this.byId.delete(ruleId);
    return rule;
  }

  /** Sets the status of an existing rule (404 / 100225 if unknown). */
  setStatus(ruleId: string, status: RuleStatus): RuleRecord {
    const rule = this.require(ruleId);
    rule.status = status;
    return rule;
  }
}
