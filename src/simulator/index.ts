/**
 * Embedded OceanConnect northbound platform simulator
 * (`oceanconnect-north-sdk/simulator`).
 */
export type {
  CommandAcknowledgement,
  DeviceDataReportOptions,
  FaultKind,
  FaultRule,
  PushAttempt,
  PushDelivery,
  PushOptions,
  RecordedRequest,
  RemoteSimulator,
  Simulator,
  SimulatorAddress,
  SimulatorApp,
  SimulatorEvent,
  SimulatorEventType,
  SimulatorOptions,
  SimulatorStats,
  ServiceDataReport,
  ServiceInvocation,
  UpgradePackageInput,
} from './types.js';
export { startSimulator, MAX_BODY_BYTES } from './server.js';
export { MAX_RECORDED_BODY_BYTES } from './state.js';
export { startSimulatorProcess } from './remote.js';
export { runSimulatorCli, CLI_USAGE } from './standalone.js';
export type { CliStreams } from './standalone.js';
