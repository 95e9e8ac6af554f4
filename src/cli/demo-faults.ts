import type { Simulator } from '../simulator/index.js';

/** What the demo's fault phase injected, by fault kind, and the logins from elsewhere. */
export interface FaultPhaseReport {
  injected: Record<string, number>;
  foreignLogins: number;
}

export interface FaultPhase {
  /** Switches every fault off and tells what was injected. */
  stop(): FaultPhaseReport;
}

const REFRESH = '/iocm/app/sec/v1.1.0/refreshToken';
const PULSE_MS = 400;

/** What the fault phase does, for the demo's output. */
export const FAULT_PHASE_DESCRIPTION =
  'latency 150 ms on 20 % of requests; every 0.4 s a burst of two 503 answers or one connection reset on GETs, and a 503 from the refresh endpoint; one login from elsewhere';

/**
 * Switches faults on in the simulator until `stop()`: latency on a share of all requests, and pulses of 503 answers
 * and connection resets on GET calls and of 503 on the refresh endpoint. A pulse replaces the previous one, so a call
 * meets at most two faulty answers in a row, which its retries ride out; the refresher rides out the refresh 503s.
 */
export function startFaultPhase(simulator: Simulator): FaultPhase {
  const since = Date.now();
  const latency = simulator.addFault({ kind: 'latency', latencyMs: 150, probability: 0.2 });
  let business: string | undefined;
  let refresh: string | undefined;
  let pulses = 0;
  const pulse = (): void => {
    if (business) simulator.removeFault(business);
    if (refresh) simulator.removeFault(refresh);
    business =
      pulses % 2 === 0
        ? simulator.addFault({ kind: 'status', status: 503, method: 'GET', path: '/iocm/app/*', times: 2 })
        : simulator.addFault({ kind: 'reset', method: 'GET', path: '/iocm/app/*', times: 1 });
    refresh = simulator.addFault({ kind: 'status', status: 503, method: 'POST', path: REFRESH, times: 1 });
    pulses += 1;
  };
  pulse();
  const timer = setInterval(pulse, PULSE_MS);
  simulator.loginFromElsewhere(simulator.apps[0]!.appId);
  return {
    stop: () => {
      clearInterval(timer);
      for (const id of [latency, business, refresh]) if (id) simulator.removeFault(id);
      const injected: Record<string, number> = {};
      for (const event of simulator.events()) {
        if (event.type !== 'fault' || event.time < since) continue;
        const kind = /^(\w+)/.exec(event.detail ?? '')?.[1] ?? 'fault';
        injected[kind] = (injected[kind] ?? 0) + 1;
      }
      return { injected, foreignLogins: 1 };
    },
  };
}
