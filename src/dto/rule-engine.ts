// Request and response types of RuleEngine. Field names are the platform's wire names.
//
// The platform documents the shapes of rule conditions, actions and trigger sources, but not the full list of their
// `type` strings: `type` is therefore a plain string everywhere. Values seen in the platform's samples are quoted in
// the field comments.

/** The device property a {@link ConditionDeviceData} watches (Java SDK `CondiotionDeviceInfo`, sic). */
export interface CondiotionDeviceInfo {
  /** The device; not empty when given. */
  deviceId?: string;
  /** `serviceId/propertyName` as defined in the device profile, e.g. `Brightness/brightness`. */
  path?: string;
}

/** The device type a {@link ConditionDeviceTypeData} watches (every device of that type). */
export interface DeviceTypeInfo {
  manufacturerId?: string;
  model?: string;
  deviceType?: string;
  protocolType?: string;
  /** `serviceId/propertyName`. */
  path?: string;
}

/** The device group a {@link ConditionDeviceGroupData} watches. */
export interface DeviceGroupInfo {
  /** The device group; not empty when given. */
  groupId?: string;
  /** `serviceId/propertyName`. */
  path?: string;
}

/** When a satisfied data condition triggers. */
export interface Strategy {
  /** Trigger mode, e.g. `pulse` (each time the condition becomes true). */
  trigger?: string;
  /** Validity of a reported value, in seconds. */
  eValidTime?: number;
}

/** Condition on the data one device reports. */
export interface ConditionDeviceData {
  /** Condition type, e.g. `DEVICE_DATA`. */
  type: string;
  /** Id of the condition inside the rule (referred to by `groupExpress`). */
  id?: string;
  deviceInfo?: CondiotionDeviceInfo;
  /** Comparison operator, e.g. `>`, `<`, `=`, `between`. */
  operator?: string;
  /** Value compared with, as a string (`"80"`). */
  value?: string;
  /** Data passed through to the actions. */
  transInfo?: unknown;
  /** Seconds the condition must hold before it counts. */
  duration?: number;
  strategy?: Strategy;
}

/** Condition on the data every device of a type reports. */
export interface ConditionDeviceTypeData {
  /** Condition type. */
  type: string;
  id?: string;
  deviceInfo?: DeviceTypeInfo;
  operator?: string;
  value?: string;
  transInfo?: unknown;
  /** Seconds the condition must hold. */
  duration?: number;
  strategy?: Strategy;
}

/** Condition on the data the devices of a group report. */
export interface ConditionDeviceGroupData {
  /** Condition type. */
  type: string;
  id?: string;
  deviceGroupInfo?: DeviceGroupInfo;
  operator?: string;
  value?: string;
  transInfo?: unknown;
  /** Seconds the condition must hold; a string in this DTO of the Java SDK (a number is accepted too). */
  duration?: string | number;
  strategy?: Strategy;
}

/** Condition true once a day at a given time. */
export interface ConditionDailyTimer {
  /** Condition type. */
  type: string;
  id?: string;
  /** Time of day, `HH:mm`. */
  time?: string;
  /** Days the timer fires, e.g. `1,2,3,4,5`. */
  daysOfWeek?: string;
}

/** Condition true every `interval` minutes inside a time range. */
export interface ConditionCycleTimer {
  /** Condition type. */
  type: string;
  id?: string;
  timeRange?: TimeRange;
  /** Period, in minutes. */
  interval?: number;
}

/** Condition true when nothing was detected. */
export interface ConditionNoDetected {
  /** Condition type. */
  type: string;
  id?: string;
  description?: string;
}

/** Any rule condition. */
export type RuleCondition =
  | ConditionDeviceData
  | ConditionDeviceTypeData
  | ConditionDeviceGroupData
  | ConditionDailyTimer
  | ConditionCycleTimer
  | ConditionNoDetected;

/** The command an {@link ActionDeviceCMD} sends (Java SDK `CMD`). */
export interface CMD {
  /** Command name from the device profile, e.g. `PUT`. */
  messageType?: string;
  /** Command parameters, keyed by the profile's parameter names. */
  messageBody?: unknown;
  serviceId?: string;
}

/** A pre-processing step applied to a device command before it is sent. */
export interface DeviceCommandActionPreProcessor {
  processor?: string;
  param?: unknown;
}

/** Action: send a command to a device. */
export interface ActionDeviceCMD {
  /** Action type, e.g. `DEVICE_CMD`. */
  type: string;
  /** Id of the action inside the rule. */
  id?: string;
  appKey?: string;
  /** The device the command goes to; not empty when given. */
  deviceId?: string;
  cmd?: CMD;
  cmdVersion?: string;
  cmdMetaData?: unknown;
  transInfo?: unknown;
  deviceCommandActionPreProcessors?: DeviceCommandActionPreProcessor[];
}

/** Action: send a text message. */
export interface ActionSMS {
  /** Action type. */
  type: string;
  id?: string;
  /** Phone number. */
  msisdn?: string;
  content?: string;
  subject?: string;
  title?: string;
  accountId?: string;
}

/** Action: send an e-mail. */
export interface ActionEmail {
  /** Action type. */
  type: string;
  id?: string;
  email?: string;
  content?: string;
  subject?: string;
  title?: string;
  accountId?: string;
}

/** Action: raise or clear a device alarm. */
export interface ActionDeviceAlarm {
  /** Action type. */
  type: string;
  id?: string;
  name?: string;
  status?: string;
  severity?: string;
  description?: string;
}

/** Action: wait before the next action. */
export interface ActionDelay {
  /** Action type. */
  type: string;
  id?: string;
  /** Delay (a long integer in the Java SDK). */
  time?: number;
  transInfo?: unknown;
}

/** Action: act on another rule. */
export interface ActionRule {
  /** Action type. */
  type: string;
  id?: string;
  /** The other rule; not empty when given. */
  ruleId?: string;
  /** What to do with that rule (a string here, unlike {@link ActionDeviceCMD}.cmd). */
  cmd?: string;
}

/** Action: send a command to a subsystem. */
export interface ActionEiCMD {
  /** Action type. */
  type: string;
  id?: string;
  subSystem?: string;
  /** Not empty when given. */
  deviceId?: string;
  messageType?: string;
  messageBody?: unknown;
}

/** Any rule action. */
export type RuleAction = ActionDeviceCMD | ActionSMS | ActionEmail | ActionDeviceAlarm | ActionDelay | ActionRule | ActionEiCMD;

/** A trigger source: the data of one device service. */
export interface TriggerSourceDevice {
  /** Trigger source type. */
  type: string;
  /** The device whose data triggers the rule; not empty when given. */
  deviceId?: string;
  serviceId?: string;
}

/** A trigger source: a timer. */
export interface TriggerSourceTimer {
  /** Trigger source type. */
  type: string;
}

/** Any trigger source. */
export type TriggerSource = TriggerSourceDevice | TriggerSourceTimer;

/** When a rule (or a cycle timer) is in force. */
export interface TimeRange {
  /** Start, `HH:mm`. */
  startTime?: string;
  /** End, `HH:mm`. */
  endTime?: string;
  /** Days, e.g. `1,2,3,4,5`. */
  daysOfWeek?: string;
}

/** One group of conditions combined by an operator (Java SDK `GroupElement2`). */
export interface GroupElement2 {
  /** The conditions combined: their `id`s (inferred from the platform's samples). */
  elements?: unknown[];
  /** `and` (the Java SDK's default) or `or`. */
  operator?: string;
}

/** How condition groups combine (Java SDK `GroupExpress2`). */
export interface GroupExpress2 {
  /** `and` (the Java SDK's default) or `or`. */
  operator?: string;
  groupElements?: GroupElement2[];
}

/** A pre-processing step of the whole rule. */
export interface RulePreProcessor {
  processor?: string;
  param?: unknown;
}

/** A rule (Java SDK `RuleDTO2`): what createRule and updateRule send, and what queryRules answers. */
export interface RuleDTO2 {
  /** Set by the platform on creation; required by updateRule. Not empty when given. */
  ruleId?: string;
  /** The application the rule belongs to (set by the platform). */
  appKey?: string;
  /** Rule name. Required. */
  name: string;
  description?: string;
  /** Who wrote the rule; the platform's samples use the appId. */
  author?: string;
  /** Required, at least one. */
  conditions: RuleCondition[];
  /** How the conditions combine, e.g. `and` / `or`. */
  logic?: string;
  timeRange?: TimeRange;
  /** Required, at least one. */
  actions: RuleAction[];
  /** Whether the rule is evaluated at once against current data (a string in the Java SDK, e.g. `"yes"`). */
  matchNow?: string;
  /** `active` or `inactive`; new rules are active when absent. */
  status?: string;
  groupExpress?: GroupExpress2;
  triggerSources?: TriggerSource[];
  /** Time zone of the time conditions, e.g. `Asia/Shanghai`. */
  timezoneID?: string;
  /** Data passed through to the actions. */
  transData?: unknown;
  executor?: string;
  refreshId?: boolean;
  checkNullAction?: boolean;
  priority?: string;
  /** Rule tags (element shape not documented). */
  tags?: unknown[];
  rulePreProcessors?: RulePreProcessor[];
}

/** What createRule and updateRule answer. */
export interface RuleCreateOrUpdateOutDTO {
  ruleId: string;
}

/** queryRules filters (every field optional; sent as query parameters). */
export interface QueryRulesInDTO2 {
  /** Rule name (exact match). */
  name?: string;
  /** Rule author (exact match). */
  author?: string;
  /** The authorised application whose rules are listed; null for your own. */
  appId?: string;
  /** Extra fields to return (not documented further). */
  select?: string;
}

/** updateRuleStatus input, and one entry of {@link UpdateBatchRuleStatusInDTO}. */
export interface UpdateRuleStatusInDTO {
  ruleId: string;
  /** `active` or `inactive`; the SDK refuses any other value with 1007. */
  status: string;
}

/** updateBatchRuleStatus input. */
export interface UpdateBatchRuleStatusInDTO {
  /** At least one. */
  requests: UpdateRuleStatusInDTO[];
}

/** Overall result of a batch status change (Java SDK `RuleResultBodyDTO`). */
export interface RuleResultBodyDTO {
  /**
   * Overall result code, a string. The platform does not document its values; the SDK passes it through unchanged.
   * Read each rule's outcome from {@link UpdateBatchRuleStatusOutDTO.responses} rather than from this code.
   */
  result_code: string;
  result_desc: string;
}

/** The error of one failed entry of a batch status change. */
export interface RuleStatusError {
  error_code: string;
  error_desc: string;
}

/** The outcome for one rule of a batch status change. */
export interface RuleStatusResponse {
  ruleId: string;
  /** Present only when the change failed for this rule. */
  response?: RuleStatusError;
}

/** What updateBatchRuleStatus answers. */
export interface UpdateBatchRuleStatusOutDTO {
  result: RuleResultBodyDTO;
  responses: RuleStatusResponse[];
}
