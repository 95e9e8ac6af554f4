import { container as rootContainer, Lifecycle, type DependencyContainer } from './di.js';
import { Authentication } from './auth/authentication.js';
import { NorthApiClient, type NorthApiClientOptions } from './client/north-api-client.js';
import { DeviceManagement } from './services/device-management.js';
import { DataCollection } from './services/data-collection.js';
import { SignalDelivery } from './services/signal-delivery.js';
import { DeviceServiceInvocation } from './services/device-service-invocation.js';
import { SubscriptionManagement } from './services/subscription-management.js';
import { BatchProcess } from './services/batch-process.js';
import { DeviceGroupManagement } from './services/device-group-management.js';
import { DeviceUpgrade } from './services/device-upgrade.js';
import { RuleEngine } from './services/rule-engine.js';

/** Every class the container resolves besides the client, one instance each per container. */
export const SERVICE_CLASSES = [
  Authentication,
  DeviceManagement,
  DataCollection,
  SignalDelivery,
  DeviceServiceInvocation,
  SubscriptionManagement,
  BatchProcess,
  DeviceGroupManagement,
  DeviceUpgrade,
  RuleEngine,
] as const;

/**
 * A child container holding one NorthApiClient built from `options`, and resolving Authentication and every service
 * class (one instance each per container). Nothing is registered in tsyringe's global container, so any number of
 * containers, for any number of apps, live side by side.
 */
export function createNorthApiContainer(options: NorthApiClientOptions = {}): DependencyContainer {
  const child = rootContainer.createChildContainer();
  child.registerInstance(NorthApiClient, new NorthApiClient(options));
  for (const service of SERVICE_CLASSES) {
    child.register(service as new (...args: never[]) => unknown, { useClass: service as new (...args: never[]) => unknown }, { lifecycle: Lifecycle.ContainerScoped });
  }
  return child;
}
