// Nova v2.1 routes under /compute/v2.1. Each resource registers its own file here.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services';
import { keypairRoutes } from './keypairs';
import { quotaSetRoutes } from './quota-sets';
import { limitsRoutes } from './limits';
import { computeServiceRoutes } from './compute-services';
import { hypervisorRoutes } from './hypervisors';
import { availabilityZoneRoutes } from './availability-zones';
import { simpleTenantUsageRoutes } from './simple-tenant-usage';
import { serverGroupRoutes } from './server-groups';
import { aggregateRoutes } from './aggregates';
import { flavorRoutes } from './flavors';
import { flavorExtraSpecRoutes } from './flavor-extra-specs';
import { flavorAccessRoutes } from './flavor-access';
import { serverRoutes } from './servers';
import { serverActionRoutes } from './server-actions';
import { remoteConsoleRoutes } from './remote-consoles';
import { instanceActionRoutes } from './instance-actions';
import { serverDiagnosticsRoutes } from './server-diagnostics';
import { serverMetadataRoutes } from './server-metadata';
import { serverTagRoutes } from './server-tags';
import { serverIpRoutes } from './server-ips';
import { imageProxyRoutes } from './images';

export async function computeRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  // Resources register here: servers, flavors, keypairs, limits, …
  await app.register(keypairRoutes, opts);
  await app.register(quotaSetRoutes, opts);
  await app.register(limitsRoutes, opts);
  await app.register(computeServiceRoutes, opts);
  await app.register(hypervisorRoutes, opts);
  await app.register(availabilityZoneRoutes, opts);
  await app.register(simpleTenantUsageRoutes, opts);
  await app.register(serverGroupRoutes, opts);
  await app.register(aggregateRoutes, opts);
  await app.register(flavorRoutes, opts);
  await app.register(flavorExtraSpecRoutes, opts);
  await app.register(flavorAccessRoutes, opts);
  await app.register(serverRoutes, opts);
  await app.register(serverActionRoutes, opts);
  await app.register(remoteConsoleRoutes, opts);
  await app.register(instanceActionRoutes, opts);
  await app.register(serverDiagnosticsRoutes, opts);
  await app.register(serverMetadataRoutes, opts);
  await app.register(serverTagRoutes, opts);
  await app.register(serverIpRoutes, opts);
  await app.register(imageProxyRoutes, opts);
}
