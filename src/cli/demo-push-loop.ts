// The demo's push loop on the embedded simulator: the application subscribes to deviceDataChanged, a simulated
// device reports data, the application's receiver gets the push and answers with a command (callbackUrl: the
// receiver's command path), the device acknowledges it and the command's status callbacks come back. Every
// platform call passes accessToken = null while the refresh timer runs.
import { errorMessage } from '../errors.js';
import { sleep } from '../http/abort.js';
import type { Simulator } from '../simulator/index.js';
import {
  PushMessageReceiver,
  type NotifyDeviceDataChangedDTO,
  type NotifyNBCommandStatusChangedDTO,
  type PushReceiverAddress,
  type SignalDelivery,
  type SubscriptionManagement,
} from '../index.js';

/** How far the loop got; a loop is complete when each count equals `reports`. */
export interface PushLoopCounts {
  reports: number;
  dataPushes: number;
  commands: number;
  successfulCallbacks: number;
  failures: number;
}

/** Gap between the acknowledgement steps of the simulated device. */
const DEVICE_ANSWER_MS = 30;

/**
 * The application side: on reported data it sends the device a command; on command status callbacks it lets the
 * (simulated) device acknowledge, and counts the SUCCESSFUL ones.
 */
class DemoReceiver extends PushMessageReceiver {
  commandUrl = '';
  readonly counts: PushLoopCounts = { reports: 0, dataPushes: 0, commands: 0, successfulCallbacks: 0, failures: 0 };
  private readonly deviceTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly commands: SignalDelivery,
    private readonly simulator: Simulator,
    private readonly say: (line: string) => void,
  ) {
    super();
  }

  override async handleDeviceDataChanged(message: NotifyDeviceDataChangedDTO): Promise<void> {
    this.counts.dataPushes += 1;
    const celsius = Number(message.service.data?.['celsius']);
    const speed = celsius >= 30 ? 3 : 1;
    const command = await this.commands.postDeviceCommand(
      {
        deviceId: message.deviceId,
        command: { serviceId: 'Fan', method: 'SET_SPEED', paras: { speed } },
        callbackUrl: this.commandUrl,
        expireTime: 0,
      },
      null,
      null,
    );
    this.counts.commands += 1;
    this.say(`push deviceDataChanged: ${message.service.serviceId} ${JSON.stringify(message.service.data)} -> command ${command.commandId} SET_SPEED ${speed}`);
  }

  override async handleNBCommandStateChanged(message: NotifyNBCommandStatusChangedDTO): Promise<void> {
    const status = message.result.resultCode;
    this.say(`command callback ${message.commandId}: ${status}`);
    if (status === 'SENT') {
      // The device is a separate party: it answers a moment later, not from inside the application's handler.
      this.device(() => this.simulator.acknowledgeCommand(message.commandId, 'DELIVERED'));
    } else if (status === 'DELIVERED') {
      this.device(() => this.simulator.acknowledgeCommand(message.commandId, 'SUCCESSFUL', { fan: 'set' }));
    } else if (status === 'SUCCESSFUL') {
      this.counts.successfulCallbacks += 1;
    } else {
      this.counts.failures += 1;
    }
  }

  private device(step: () => void): void {
    const timer = setTimeout(() => {
      this.deviceTimers.delete(timer);
      try {
        step();
      } catch (error) {
        this.counts.failures += 1;
        this.say(`device failed to acknowledge: ${errorMessage(error)}`);
      }
    }, DEVICE_ANSWER_MS);
    this.deviceTimers.add(timer);
  }

  override async close(): Promise<void> {
    for (const timer of this.deviceTimers) clearTimeout(timer);
    this.deviceTimers.clear();
    await super.close();
  }
}

/** A running push loop: the device reports on a timer until `finish()`. */
export interface PushLoop {
  readonly address: PushReceiverAddress;
  readonly counts: PushLoopCounts;
  /** Stops the reports, waits (up to `settleMs`) for the loops under way to complete, closes the receiver. */
  finish(settleMs?: number): Promise<PushLoopCounts>;
}

/**
 * Starts the receiver over HTTPS (its certificate signed by the simulator's CA, which the simulator trusts),
 * subscribes to deviceDataChanged and lets the device report every `reportEveryMs`.
 */
export async function startPushLoop(options: {
  simulator: Simulator;
  subscriptions: SubscriptionManagement;
  commands: SignalDelivery;
  deviceId: string;
  reportEveryMs: number;
  say: (line: string) => void;
}): Promise<PushLoop> {
  const { simulator, deviceId, say } = options;
  const receiver = new DemoReceiver(options.commands, simulator, say);
  receiver.on('error', (error) => {
    receiver.counts.failures += 1;
    say(`receiver: ${error.message}`);
  });
  const address = await receiver.listen({ host: simulator.host, port: 0, tls: simulator.issueServerCertificate(simulator.host) });
  receiver.commandUrl = address.commandUrl;
  try {
    await options.subscriptions.subDeviceData({ notifyType: 'deviceDataChanged', callbackUrl: address.subscriptionUrl }, null, null);
  } catch (error) {
    await receiver.close();
    throw error;
  }
  say(`receiver listening at ${address.url}, subscribed to deviceDataChanged`);

  const counts = receiver.counts;
  const report = (): void => {
    const celsius = 20 + ((counts.reports * 7) % 15);
    counts.reports += 1;
    say(`device reports Temperature ${JSON.stringify({ celsius })}`);
    try {
      simulator.reportDeviceData(deviceId, 'Temperature', { celsius });
    } catch (error) {
      counts.failures += 1;
      say(`device failed to report: ${errorMessage(error)}`);
    }
  };
  report();
  const timer = setInterval(report, options.reportEveryMs);

  return {
    address,
    counts,
    async finish(settleMs = 5000) {
      clearInterval(timer);
      const until = Date.now() + settleMs;
      while (Date.now() < until && counts.failures === 0 && counts.successfulCallbacks < counts.reports) {
        await sleep(50);
      }
      await receiver.close();
      return { ...counts };
    },
  };
}

/** True when every report went all the way round: push, command, SUCCESSFUL callback, and nothing failed. */
export function loopComplete(counts: PushLoopCounts): boolean {
  return counts.reports > 0 && counts.failures === 0 && counts.dataPushes === counts.reports && counts.commands === counts.reports && counts.successfulCallbacks === counts.reports;
}
