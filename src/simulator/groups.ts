/**
 * Device groups of one application.
 *
 * A group's members are device ids of the group's application. Membership is
 * read lazily: ids of devices that no longer exist are dropped whenever the
 * members are read, so deleting a device removes it from every group without
 * the device store knowing about groups.
 *
 * Batch tasks and upgrade tasks find a group's devices with
 * `groupMembers` (by id) or `groupMembersByName`.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceStore } from './devices.js';
import { platformError } from './errors.js';
import type { AppState } from './state.js';

/** Groups one application may have; creating one more answers 200 / 100607. */
export const MAX_GROUPS_PER_APP = 1000;
/** Device ids one create / add / remove request may carry (documented `List<String>(1000)`). */
export const MAX_DEVICE_IDS_PER_REQUEST = 1000;

/**
 * Error answers of the device-group routes. 100607 and 100609 are documented; 100603 (with HTTP 200) and 100601 are
 * documented for the group APIs as well. The duplicate-name code is not documented: 400 / 100602 is an assumption.
 */
export const GroupErrors = {
  /** Documented as HTTP 200 with error_code 100603 for the group APIs. */
  groupNotExist: () => platformError(200, '100603', 'The device group is not existed.'),
  /** Assumption: the platform documents a duplicate-name error without its code. */
  nameUsed: () => platformError(400, '100602', 'The device group name has been used.'),
  /** The group is already full (curDevNum reached maxDevNum) and the request adds devices. */
  groupFull: () => platformError(200, '100601', 'The number of device in the group has reach the max.'),
  groupLimit: () => platformError(200, '100607', 'The devGroup has reached the limit.'),
  tooManyDevices: () => platformError(400, '100609', 'Too much devices to add.'),
} as const;

export interface GroupRecord {
  /** devGroupId. */
  readonly id: string;
  name: string;
  description?: string;
  /** Owning application. */
  readonly appId: string;
  /** 0 = no limit. */
  maxDevNum: number;
  /** The application that created the group (the caller, which may differ from the owner when authorised). */
  readonly creator: string;
  readonly createTime: number;
  /** Member device ids, in the order they were added. */
  readonly members: Set<string>;
}

export interface NewGroup {
  name: string;
  description?: string;
  maxDevNum: number;
  creator: string;
  deviceIds: string[];
}

export class GroupStore {
  private readonly byId = new Map<string, GroupRecord>();

  constructor(readonly appId: string) {}

  get size(): number {
    return this.byId.size;
  }

  /** Groups in creation order. */
  list(): GroupRecord[] {
    return [...this.byId.values()];
  }

  get(devGroupId: string): GroupRecord | undefined {
    return this.byId.get(devGroupId);
  }

  /** The group, or 200 / 100603. */
  require(devGroupId: string): GroupRecord {
    const group = this.byId.get(devGroupId);
    if (!group) throw GroupErrors.groupNotExist();
    return group;
  }

  findByName(name: string): GroupRecord | undefined {
    for (const group of this.byId.values()) if (group.name === name) return group;
    return undefined;
  }

  /**
   * Creates a group. The caller has checked the device ids against the app's devices; limits and the name are
   * checked here.
   */
  create(input: NewGroup): GroupRecord {
    if (this.byId.size >= MAX_GROUPS_PER_APP) throw GroupErrors.groupLimit();
    if (this.findByName(input.name)) throw GroupErrors.nameUsed();
    const members = new Set(input.deviceIds);
    if (input.maxDevNum > 0 && members.size > input.maxDevNum) throw GroupErrors.tooManyDevices();
    const group: GroupRecord = {
      id: randomUUID(),
      name: input.name,
      ...(input.description !== undefined ? { description: input.description } : {}),
      appId: this.appId,
      maxDevNum: input.maxDevNum,
      creator: input.creator,
      createTime: Date.now(),
      members,
    };
    this.byId.set(group.id, group);
    return group;
  }

  /** Renames (400 / 100602 when another group has the name) and updates description and limit. */
  modify(group: GroupRecord, changes: { name: string; description?: string; maxDevNum?: number }, devices: DeviceStore): void {
    const other = this.findByName(changes.name);
    if (other && other.id !== group.id) throw GroupErrors.nameUsed();
    if (changes.maxDevNum !== undefined && changes.maxDevNum > 0 && liveMembers(group, devices).length > changes.maxDevNum) {
      // Assumption: a limit below the current member count is refused rather than truncating the group.
      throw GroupErrors.tooManyDevices();
    }
    group.name = changes.name;
    if (changes.description !== undefined) group.description = changes.description;
    if (changes.maxDevNum !== undefined) group.maxDevNum = changes.maxDevNum;
  }

  /**
   * Adds devices (already checked to exist). Ids already in the group are not counted twice. A full group answers
   * 200 / 100601; a request that would overflow the limit answers 400 / 100609 and adds nothing.
   */
  addMembers(group: GroupRecord, deviceIds: string[], devices: DeviceStore): void {
    const current = liveMembers(group, devices).length;
    const added = new Set(deviceIds.filter((id) => !group.members.has(id))).size;
    if (group.maxDevNum > 0 && added > 0) {
      if (current >= group.maxDevNum) throw GroupErrors.groupFull();
      if (current + added > group.maxDevNum) throw GroupErrors.tooManyDevices();
    }
    for (const id of deviceIds) group.members.add(id);
  }

  /** Removes devices; ids that are not members are ignored. */
  removeMembers(group: GroupRecord, deviceIds: string[]): void {
    for (const id of deviceIds) group.members.delete(id);
  }

  delete(devGroupId: string): GroupRecord | undefined {
    const group = this.byId.get(devGroupId);
    if (group) this.byId.delete(devGroupId);
    return group;
  }
}

/** The group's member ids that are still devices of the app (stale ids are dropped on the way). */
export function liveMembers(group: GroupRecord, devices: DeviceStore): string[] {
  const ids: string[] = [];
  for (const id of group.members) {
    if (devices.get(id)) ids.push(id);
    else group.members.delete(id);
  }
  return ids;
}

/**
 * Device ids of a group of `app`, in the order they were added; undefined when the app has no such group. For batch
 * tasks (GroupIdList) and upgrade tasks (deviceGroups).
 */
export function groupMembers(app: AppState, devGroupId: string): string[] | undefined {
  const group = app.groups.get(devGroupId);
  return group ? liveMembers(group, app.devices) : undefined;
}

/** Like `groupMembers`, with the group named by its name (unique per app); for batch tasks' GroupList. */
export function groupMembersByName(app: AppState, name: string): string[] | undefined {
  const group = app.groups.findByName(name);
  return group ? liveMembers(group, app.devices) : undefined;
}
