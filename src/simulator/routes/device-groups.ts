/**
 * DeviceGroupManagement routes: create, modify, delete and query groups, list
 * a group's members, add and remove members.
 *
 * Every route names the authorised application with `?accessAppId=` (not
 * `?appId=`); creation may also name it with the body's `appId`.
 *
 * Success statuses follow the REST reference pages of the group APIs (200 for
 * all of them, deletion included). Errors: unknown group 200 / 100603, unknown
 * device 404 / 100403, bad input 400 / 100405, and the limits of
 * `GroupErrors`.
 */
import { Errors } from '../errors.js';
import { GroupErrors, liveMembers, MAX_DEVICE_IDS_PER_REQUEST, type GroupRecord } from '../groups.js';
import { page, pagingParams, UNSIGNED_INTEGER } from '../query-params.js';
import { bodyApp, type BusinessContext, type BusinessRouteOptions, type RouteResult, type Router } from '../router.js';
import type { AppState } from '../state.js';
import { optionalString } from '../util.js';

export const DEV_GROUPS_PATH = '/iocm/app/devgroup/v1.3.0/devGroups';
export const GROUP_MEMBERS_PATH = '/iocm/app/dm/v1.2.0/devices/ids';
export const ADD_MEMBERS_PATH = '/iocm/app/dm/v1.1.0/devices/addDevGroupTagToDevices';
export const REMOVE_MEMBERS_PATH = '/iocm/app/dm/v1.1.0/devices/deleteDevGroupTagFromDevices';

const GROUP_ROUTE: BusinessRouteOptions = { appParam: 'accessAppId' };

/** Documented: 1 to 50 characters, letters and digits only. */
const NAME_PATTERN = /^[A-Za-z0-9]{1,50}$/;
const MAX_DESCRIPTION_LENGTH = 1024;
/** Page size when none is given (documented default 10 for members; assumed for the group list too). */
const DEFAULT_PAGE_SIZE = 10;
/** Largest page size (documented `Integer(1000)` for members; assumed for the group list too). */
const MAX_PAGE_SIZE = 1000;
/** Paging of the group and member lists: pageNo and pageSize written as digits only (a minus sign is malformed, 400 / 100405). */
const PAGE_LIMITS = { defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE, syntax: UNSIGNED_INTEGER };

const invalid = Errors.invalidParameter;

/** Fields every group answer carries; `description` is null when none was given. */
function groupView(group: GroupRecord, app: AppState): Record<string, unknown> {
  return {
    name: group.name,
    description: group.description ?? null,
    id: group.id,
    appId: group.appId,
    maxDevNum: group.maxDevNum,
    curDevNum: liveMembers(group, app.devices).length,
  };
}

function detailView(group: GroupRecord, app: AppState): Record<string, unknown> {
  return { ...groupView(group, app), creator: group.creator };
}

function optionalName(body: Record<string, unknown>): string | undefined {
  const name = body['name'];
  if (name === undefined || name === null) return undefined;
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) throw invalid();
  return name;
}

function optionalDescription(body: Record<string, unknown>): string | undefined {
  const description = body['description'];
  if (description === undefined || description === null) return undefined;
  if (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH) throw invalid();
  return description;
}

function optionalMaxDevNum(body: Record<string, unknown>): number | undefined {
  const value = body['maxDevNum'];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid();
  return value;
}

/**
 * A device-id list: strings, at most `MAX_DEVICE_IDS_PER_REQUEST` of them (more: 400 / 100609), each a device
 * of `app` (else 404 / 100403).
 */
function deviceIdList(value: unknown, app: AppState, required: boolean): string[] {
  if (value === undefined || value === null) {
    if (required) throw invalid();
    return [];
  }
  if (!Array.isArray(value) || (required && value.length === 0)) throw invalid();
  if (value.some((id) => typeof id !== 'string' || id === '')) throw invalid();
  if (value.length > MAX_DEVICE_IDS_PER_REQUEST) throw GroupErrors.tooManyDevices();
  const ids = value as string[];
  for (const id of ids) app.devices.require(id);
  return ids;
}

function createGroup(ctx: BusinessContext): RouteResult {
  const body = ctx.jsonObject();
  const name = optionalName(body);
  if (name === undefined) throw invalid();
  const description = optionalDescription(body);
  const maxDevNum = optionalMaxDevNum(body) ?? 0;
  // The body's appId names an authorised application, checked like ?accessAppId= (100203 / 100217).
  const app = bodyApp(ctx, optionalString(body, 'appId', invalid));
  const deviceIds = deviceIdList(body['deviceIds'], app, false);
  const group = app.groups.create({
    name,
    ...(description !== undefined ? { description } : {}),
    maxDevNum,
    creator: ctx.caller.appId,
    deviceIds,
  });
  return { status: 200, body: { ...groupView(group, app), deviceIds: liveMembers(group, app.devices) } };
}

function modifyGroup(ctx: BusinessContext): RouteResult {
  const app = ctx.target;
  const group = app.groups.require(ctx.params['devGroupId']!);
  const body = ctx.jsonObject();
  const name = optionalName(body);
  if (name === undefined) throw invalid();
  const description = optionalDescription(body);
  const maxDevNum = optionalMaxDevNum(body);
  app.groups.modify(
    group,
    { name, ...(description !== undefined ? { description } : {}), ...(maxDevNum !== undefined ? { maxDevNum } : {}) },
    app.devices,
  );
  return { status: 200, body: groupView(group, app) };
}

function deleteGroup(ctx: BusinessContext): RouteResult {
  const app = ctx.target;
  const group = app.groups.require(ctx.params['devGroupId']!);
  app.groups.delete(group.id);
  return { status: 200 };
}

function querySingleGroup(ctx: BusinessContext): RouteResult {
  const app = ctx.target;
  return { status: 200, body: detailView(app.groups.require(ctx.params['devGroupId']!), app) };
}

/** Groups of the app, optionally only the one with exactly the given name, a page at a time. */
function queryGroups(ctx: BusinessContext): RouteResult {
  const app = ctx.target;
  const { pageNo, pageSize } = pagingParams(ctx.query, PAGE_LIMITS, invalid);
  const name = ctx.query['name'];
  const all = app.groups.list().filter((g) => name === undefined || name === '' || g.name === name);
  return {
    status: 200,
    body: { totalCount: all.length, pageNo, pageSize, list: page(all, pageNo, pageSize).map((g) => detailView(g, app)) },
  };
}

function queryMembers(ctx: BusinessContext): RouteResult {
  const app = ctx.target;
  const devGroupId = ctx.query['devGroupId'];
  if (devGroupId === undefined || devGroupId === '') throw invalid();
  const { pageNo, pageSize } = pagingParams(ctx.query, PAGE_LIMITS, invalid);
  const members = liveMembers(app.groups.require(devGroupId), app.devices);
  return { status: 200, body: { totalCount: members.length, pageNo, pageSize, deviceIds: page(members, pageNo, pageSize) } };
}

function memberChange(ctx: BusinessContext): { app: AppState; group: GroupRecord; deviceIds: string[] } {
  const app = ctx.target;
  const body = ctx.jsonObject();
  const devGroupId = body['devGroupId'];
  if (typeof devGroupId !== 'string' || devGroupId === '') throw invalid();
  const group = app.groups.require(devGroupId);
  return { app, group, deviceIds: deviceIdList(body['deviceIds'], app, true) };
}

function addMembers(ctx: BusinessContext): RouteResult {
  const { app, group, deviceIds } = memberChange(ctx);
  app.groups.addMembers(group, deviceIds, app.devices);
  return { status: 200, body: { devGroupId: group.id, deviceIds } };
}

/** Removes devices from the group; devices of the app that are not members are ignored. */
function removeMembers(ctx: BusinessContext): RouteResult {
  const { app, group, deviceIds } = memberChange(ctx);
  app.groups.removeMembers(group, deviceIds);
  return { status: 200 };
}

export function registerDeviceGroupRoutes(router: Router): void {
  router.business('POST', DEV_GROUPS_PATH, createGroup, GROUP_ROUTE);
  router.business('GET', DEV_GROUPS_PATH, queryGroups, GROUP_ROUTE);
  router.business('GET', `${DEV_GROUPS_PATH}/{devGroupId}`, querySingleGroup, GROUP_ROUTE);
  router.business('PUT', `${DEV_GROUPS_PATH}/{devGroupId}`, modifyGroup, GROUP_ROUTE);
  router.business('DELETE', `${DEV_GROUPS_PATH}/{devGroupId}`, deleteGroup, GROUP_ROUTE);
  router.business('GET', GROUP_MEMBERS_PATH, queryMembers, GROUP_ROUTE);
  router.business('POST', ADD_MEMBERS_PATH, addMembers, GROUP_ROUTE);
  router.business('POST', REMOVE_MEMBERS_PATH, removeMembers, GROUP_ROUTE);
}
