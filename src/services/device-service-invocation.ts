import { inject, injectable } from '../di.js';
import { NorthApiClient } from '../client/north-api-client.js';
import type { CommandDTO2, InvokeDeviceServiceOutDTO } from '../dto/device-service-invocation.js';
import type { ApiTable } from './api-table.js';
import { ServiceBase } from './service-base.js';
import { appIdArgument, compactDeep, oneOf, optionalObject, optionalStrings, requireObject, requireString } from './validation.js';

const API = {
  // Success status unconfirmed by the platform docs; 202 (accepted for immediate delivery, not cached) is the likely one.
  invokeDeviceService: {
    method: 'POST',
    path: '/iocm/app/signaltrans/v1.1.0/devices/{deviceId}/services/{serviceId}/sendCommand',
    status: 202,
    appParam: 'appId',
  },
} as const satisfies ApiTable;

/** Header fields that are optional strings. */
const OPTIONAL_HEADER_FIELDS = ['from', 'to', 'toType', 'requestId', 'callbackURL'] as const;

/**
 * Commands to agent and gateway devices (sendCommand) (Java SDK `DeviceServiceInvocation`). The platform delivers
 * them at once and never caches them: an offline device makes the call fail.
 * `accessToken` may be null while the refresh timer runs.
 */
@injectable()
export class DeviceServiceInvocation extends ServiceBase {
  /** The operations this class sends: HTTP method, path and documented success status. */
  static readonly api: ApiTable = API;

  constructor(@inject(NorthApiClient) client: NorthApiClient) {
    super(client);
  }

  /**
   * Sends a command to a service of a device (an agent or gateway device, e.g. to discover or remove its children).
   * @param deviceId - the device
   * @param serviceId - the service of the device profile the command belongs to
   * @param commandDTO - the command header (`mode`, `ACK` or `NOACK`, and `method` required) and its body
   * @param appId - authorised application owning the device, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns the request id, the delivery status and the platform's time stamp
   */
  async invokeDeviceService(deviceId: string, serviceId: string, commandDTO: CommandDTO2, appId: string | null = null, accessToken: string | null = null): Promise<InvokeDeviceServiceOutDTO> {
    const input = requireObject(commandDTO, 'commandDTO');
    const header = requireObject(input.header, 'commandDTO.header');
    const mode = oneOf(requireString(header.mode, 'commandDTO.header.mode'), 'commandDTO.header.mode', ['ACK', 'NOACK']);
    const method = requireString(header.method, 'commandDTO.header.method');
    const { from, to, toType, requestId, callbackURL } = optionalStrings(header, 'commandDTO.header', OPTIONAL_HEADER_FIELDS);
    const body = optionalObject(input.body, 'commandDTO.body');
    const json = compactDeep({ header: { mode, from, to, toType, method, requestId, callbackURL }, body }, 'commandDTO');
    return this.call(API.invokeDeviceService, { params: { deviceId, serviceId }, query: { appId: appIdArgument(appId) }, json }, accessToken);
  }
}
