/**
 * Platform error answers. Route handlers throw {@link ApiError}; the server
 * turns it into a JSON body with `Content-Type: application/json`.
 */

/** Body shape of an error answer. Most errors use `error_code`/`error_desc`;
 *  the API gateway's token rejection uses `resultcode`/`resultmsg`. */
export type ErrorBody = { error_code: string; error_desc: string } | { resultcode: string; resultmsg: string };

export class ApiError extends Error {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers: Record<string, string>;

  constructor(status: number, body: ErrorBody, headers: Record<string, string> = {}) {
    super('error_code' in body ? `${body.error_code} ${body.error_desc}` : `${body.resultcode} ${body.resultmsg}`);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** A platform error answer: `{"error_code": code, "error_desc": desc}` with the given HTTP status. */
export function platformError(status: number, code: string, desc: string): ApiError {
  return new ApiError(status, { error_code: code, error_desc: desc });
}

/** Documented (or documented-looking) platform errors, one factory per case. */
export const Errors = {
  // Authentication
  requiredParameterMissing: () => platformError(400, '102202', 'Required Parameter is null or empty.'),
  appIdOrSecretWrong: () => platformError(401, '100208', 'AppId or secret is not right.'),
  appKeyMissing: () => platformError(401, '100025', 'AppId for auth not exist.'),
  invalidAccessToken: () => new ApiError(403, { resultcode: '1010005', resultmsg: 'Invalid access token or appId.' }),
  throttled: () => platformError(403, '1010009', 'app throttle exceed.'),
  // Authorised-application access (?appId=)
  appNotExist: () => platformError(403, '100203', 'The application is not existed.'),
  appNotAuthorized: () => platformError(403, '100217', 'The application hasn\'t been authorized.'),
  // Generic request problems
  badRequest: () => platformError(400, '100007', 'Bad request message.'),
  invalidParameter: () => platformError(400, '100405', 'The request parameter is invalid.'),
  /** The generic answer to malformed input where the platform documents no more specific code. */
  invalidInput: () => platformError(400, '100022', 'The input is invalid.'),
  /**
   * Unknown route, and an unknown resource where no more specific code is documented (a subscription, a rule).
   * 100225 is the code the platform documents for a missing resource (HTTP 404).
   */
  notFound: () => platformError(404, '100225', 'The resource is not found'),
  methodNotAllowed: (allow: string[]) =>
    new ApiError(405, { error_code: '100007', error_desc: 'Bad request message.' }, { Allow: allow.join(', ') }),
  payloadTooLarge: () => platformError(413, '100007', 'Bad request message.'),
  internal: (status = 500) => platformError(status, '50252', 'Internal server error.'),
  // Device management
  deviceNotExist: () => platformError(404, '100403', 'The device is not existed.'),
  nodeIdDuplicated: () => platformError(400, '100426', 'The nodeId is duplicated.'),
  deviceAlreadyBound: () => platformError(400, '100416', 'The device has already been binded.'),
  deviceOnline: () => platformError(400, '100611', 'Device is online.'),
  // Tasks
  /** An unknown upgrade task (documented), also answered for an unknown batch task. */
  taskNotFound: () => platformError(404, '123009', 'The requested task does not exist.'),
} as const;
