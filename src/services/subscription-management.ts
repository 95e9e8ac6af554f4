import { inject, injectable } from '../di.js';
import { NorthApiClient } from '../client/north-api-client.js';
import type {
  DeleteBatchSubInDTO,
  ManagementDataNotifyType,
  QueryBatchSubInDTO,
  QueryBatchSubOutDTO,
  SubDeviceDataInDTO,
  SubDeviceManagementDataInDTO,
  SubscriptionDTO,
} from '../dto/subscription-management.js';
import type { ApiTable } from './api-table.js';
import { ServiceBase } from './service-base.js';
import { appIdArgument, compact, invalid, optionalString, optionalStrings, paging, requireObject, requireString } from './validation.js';

const SUB = '/iocm/app/sub/v1.2.0/subscriptions';

const API = {
  // The authorised app of a service-data subscription travels in the body (`sddInDTO.appId`); the query carries
  // only `ownerFlag`.
  subDeviceData: { method: 'POST', path: SUB, status: 201, appParam: 'ownerFlag' },
  subDeviceManagementData: { method: 'POST', path: '/iodm/app/sub/v1.1.0/subscribe', status: 200 },
  querySingleSubscription: { method: 'GET', path: `${SUB}/{subscriptionId}`, status: 200, appParam: 'appId' },
  queryBatchSubscriptions: { method: 'GET', path: SUB, status: 200, appParam: 'appId' },
  deleteSingleSubscription: { method: 'DELETE', path: `${SUB}/{subscriptionId}`, status: 204, appParam: 'appId' },
  deleteBatchSubscriptions: { method: 'DELETE', path: SUB, status: 204, appParam: 'appId' },
} as const satisfies ApiTable;

/**
 * The management-data notification types; no service-data type has one of these names. `satisfies` keeps out any
 * name the DTO's `ManagementDataNotifyType` lacks, and `EveryManagementTypeListed` any it has that is missing.
 */
const MANAGEMENT_NOTIFY_TYPES = [
  'swUpgradeStateChangeNotify',
  'swUpgradeResultNotify',
  'fwUpgradeStateChangeNotify',
  'fwUpgradeResultNotify',
] as const satisfies readonly ManagementDataNotifyType[];

type ManagementNotifyType = (typeof MANAGEMENT_NOTIFY_TYPES)[number];

/** Compiles only while `T` is `true`. */
type Holds<T extends true> = T;

/** Compiles only while `MANAGEMENT_NOTIFY_TYPES` lists every type of the DTO's `ManagementDataNotifyType`. */
type EveryManagementTypeListed = Holds<ManagementDataNotifyType extends ManagementNotifyType ? true : false>;

const MANAGEMENT_TYPES: ReadonlySet<unknown> = new Set(MANAGEMENT_NOTIFY_TYPES);

/** The expectation of a wrong management notification type: `must be a, b, c or d`. */
const MANAGEMENT_TYPE_EXPECTATION = `must be ${MANAGEMENT_NOTIFY_TYPES.slice(0, -1).join(', ')} or ${MANAGEMENT_NOTIFY_TYPES.at(-1)}`;

/** Documented maximum length of a callback URL. */
const MAX_CALLBACK_URL_LENGTH = 1024;

/** `ownerFlag`: null/undefined (not sent), a boolean, or the strings "true" / "false"; sent as a string. */
function ownerFlagArgument(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === true || value === 'true') return 'true';
  if (value === false || value === 'false') return 'false';
  throw invalid('ownerFlag', 'must be a boolean or the string true or false');
}

/**
 * Subscriptions to service-data and management-data push notifications (Java SDK `SubscriptionManagement`).
 * `appId` is the authorised application whose notifications are meant (null for your own); it is sent whenever
 * given. `accessToken` may be null while the refresh timer runs.
 */
@injectable()
export class SubscriptionManagement extends ServiceBase {
  /** The operations this class sends: HTTP method, path and documented success status. */
  static readonly api: ApiTable = API;

  constructor(@inject(NorthApiClient) client: NorthApiClient) {
    super(client);
  }

  /**
   * Subscribes to management-data (software / firmware upgrade) notifications; the Java SDK overload of
   * `subDeviceData` that takes a SubDeviceManagementDataInDTO. The same as {@link SubscriptionManagement.subDeviceManagementData}.
   * This form is taken only when the notification type is a management type and at most two arguments are given:
   * a management type with a third (ownerFlag) argument is refused with 1007.
   *
   * @param sdmdInDTO - notification type and callback URL
   * @param accessToken - token to use, or null while the refresh timer runs
   */
  subDeviceData(sdmdInDTO: SubDeviceManagementDataInDTO, accessToken?: string | null): Promise<void>;
  /**
   * Subscribes to service-data notifications of your application or of an authorised one (`sddInDTO.appId`).
   * Subscribing the same notification type and URL again answers the existing subscription. A management-data
   * notification type (sw/fwUpgrade...) is refused with 1007 here: use the two-argument form or
   * {@link SubscriptionManagement.subDeviceManagementData}.
   *
   * @param sddInDTO - notification type, callback URL and optional authorised application
   * @param ownerFlag - sent as the `ownerFlag` query parameter when given: true when the callback URL belongs to the
   *   owner (authorising) application, false when it belongs to the authorised application
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns the subscription
   */
  subDeviceData(sddInDTO: SubDeviceDataInDTO, ownerFlag?: boolean | 'true' | 'false' | null, accessToken?: string | null): Promise<SubscriptionDTO>;
  async subDeviceData(
    inDTO: SubDeviceDataInDTO | SubDeviceManagementDataInDTO,
    second: boolean | string | null = null,
    accessToken: string | null = null,
  ): Promise<SubscriptionDTO | void> {
    // The two overloads are told apart by notifyType (the management types never occur for service data) and by
    // the argument count: the management form takes (dto, accessToken), so a third argument means the caller meant
    // the service-data form, whose ownerFlag must not be taken for a token.
    if (inDTO !== null && typeof inDTO === 'object' && MANAGEMENT_TYPES.has((inDTO as { notifyType?: unknown }).notifyType)) {
      if (arguments.length <= 2) return this.subDeviceManagementData(inDTO as SubDeviceManagementDataInDTO, second as string | null);
      throw invalid(
        'sddInDTO.notifyType',
        'is a management-data type, which takes no ownerFlag: use the two-argument form subDeviceData(sdmdInDTO, accessToken) or subDeviceManagementData',
      );
    }
    const input = requireObject(inDTO, 'sddInDTO');
    const notifyType = requireString(input.notifyType, 'sddInDTO.notifyType');
    const callbackUrl = requireString(input.callbackUrl, 'sddInDTO.callbackUrl', MAX_CALLBACK_URL_LENGTH);
    const appId = appIdArgument(input.appId, 'sddInDTO.appId');
    const ownerFlag = ownerFlagArgument(second);
    return this.call(API.subDeviceData, { query: { ownerFlag }, json: compact({ notifyType, callbackUrl, appId }) }, accessToken);
  }

  /**
   * Subscribes to management-data notifications (software / firmware upgrade state and result). The platform
   * answers 200 without a body.
   *
   * @param sdmdInDTO - notification type and callback URL (`callbackurl`, or `callbackUrl`, sent as `callbackurl`)
   * @param accessToken - token to use, or null while the refresh timer runs
   */
  async subDeviceManagementData(sdmdInDTO: SubDeviceManagementDataInDTO, accessToken: string | null = null): Promise<void> {
    const input = requireObject(sdmdInDTO, 'sdmdInDTO');
    const notifyType = requireString(input.notifyType, 'sdmdInDTO.notifyType');
    if (!MANAGEMENT_TYPES.has(notifyType)) {
      throw invalid('sdmdInDTO.notifyType', MANAGEMENT_TYPE_EXPECTATION);
    }
    // `callbackurl` is read unless only `callbackUrl` is given; messages name the spelling that was read.
    const key = (input.callbackurl === undefined || input.callbackurl === null) && input.callbackUrl !== undefined && input.callbackUrl !== null ? 'callbackUrl' : 'callbackurl';
    const callbackurl = requireString(input[key], `sdmdInDTO.${key}`, MAX_CALLBACK_URL_LENGTH);
    await this.call(API.subDeviceManagementData, { json: { notifyType, callbackurl } }, accessToken);
  }

  /**
   * One service-data subscription.
   *
   * @param subscriptionId - the subscription
   * @param appId - authorised application that owns the subscription, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   */
  async querySingleSubscription(subscriptionId: string, appId: string | null = null, accessToken: string | null = null): Promise<SubscriptionDTO> {
    return this.call(API.querySingleSubscription, { params: { subscriptionId }, query: { appId: appIdArgument(appId) } }, accessToken);
  }

  /**
   * A page of the service-data subscriptions, optionally of one notification type.
   *
   * @param qbsInDTO - filter (appId, notifyType) and page (pageNo, pageSize)
   * @param accessToken - token to use, or null while the refresh timer runs
   */
  async queryBatchSubscriptions(qbsInDTO: QueryBatchSubInDTO, accessToken: string | null = null): Promise<QueryBatchSubOutDTO> {
    const input = requireObject(qbsInDTO, 'qbsInDTO');
    const query = {
      appId: appIdArgument(input.appId, 'qbsInDTO.appId'),
      notifyType: optionalString(input.notifyType, 'qbsInDTO.notifyType'),
      ...paging(input, 'qbsInDTO', 1),
    };
    return this.call(API.queryBatchSubscriptions, { query }, accessToken);
  }

  /**
   * Deletes one service-data subscription. The platform answers 204.
   *
   * @param subscriptionId - the subscription
   * @param appId - authorised application that owns the subscription, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   */
  async deleteSingleSubscription(subscriptionId: string, appId: string | null = null, accessToken: string | null = null): Promise<void> {
    await this.call(API.deleteSingleSubscription, { params: { subscriptionId }, query: { appId: appIdArgument(appId) } }, accessToken);
  }

  /**
   * Deletes all service-data subscriptions of the application, or those of one notification type and / or callback
   * URL. The platform answers 204.
   *
   * @param dbsInDTO - which subscriptions (appId, notifyType, callbackUrl; all optional)
   * @param accessToken - token to use, or null while the refresh timer runs
   */
  async deleteBatchSubscriptions(dbsInDTO: DeleteBatchSubInDTO, accessToken: string | null = null): Promise<void> {
    const input = requireObject(dbsInDTO, 'dbsInDTO');
    const query = {
      appId: appIdArgument(input.appId, 'dbsInDTO.appId'),
      ...optionalStrings(input, 'dbsInDTO', ['notifyType', 'callbackUrl']),
    };
    await this.call(API.deleteBatchSubscriptions, { query }, accessToken);
  }
}
