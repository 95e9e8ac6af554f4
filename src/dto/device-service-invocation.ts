// Request and response types of DeviceServiceInvocation. Field names are the platform's wire names.

/** Header of a command to an agent or gateway device (Java SDK CommandNA2CloudHeader). */
export interface CommandNA2CloudHeader {
  /** `ACK` (the device confirms the command) or `NOACK`; the SDK refuses other values. Required. */
  mode: string;
  /** Sender, e.g. `/users/{userId}`. */
  from?: string;
  /** Receiver. */
  to?: string;
  /** Kind of receiver, e.g. `GATEWAY`. */
  toType?: string;
  /** Command name as defined in the device profile (e.g. `PUT`, `DISCOVERY`, `REMOVE`). Required. */
  method: string;
  /** Identifies the request; the platform generates one when absent. */
  requestId?: string;
  /** URL the platform posts the device's confirmation to (note the upper-case `URL`). */
  callbackURL?: string;
}

/** Command for POST .../sendCommand (Java SDK CommandDTO2). */
export interface CommandDTO2 {
  /** Required. */
  header: CommandNA2CloudHeader;
  /** Command parameters keyed by the profile's parameter names. */
  body?: Record<string, unknown>;
}

/** Answer of POST .../sendCommand (Java SDK InvokeDeviceServiceOutDTO). */
export interface InvokeDeviceServiceOutDTO {
  /** The request's id (the one given in the header, or generated). */
  requestId: string;
  /** Delivery status of the command, e.g. `SENT`. */
  status: string;
  /** Platform time of the answer, `yyyyMMdd'T'HHmmss'Z'`. */
  timeStamp: string;
}
