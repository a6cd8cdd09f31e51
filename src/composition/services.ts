// The composition root: every service object is built here, once, from the injected dependencies.
// Nothing else calls `new` on a service.
import type { Database } from '../db/knex.js';
import type { Config } from '../config.js';
import type { Clock } from '../db/time.js';
import type { DriverFactory } from '../virt/driver.js';
import { IdentityRepo } from '../db/repositories/identity-repo.js';
import { TokenService } from '../identity/token-service.js';
import { NoAuth } from '../identity/noauth.js';
import { IdentityService } from '../identity/identity-service.js';
import { IdentityAdmin } from '../identity/identity-admin.js';
import { RoleAdmin } from '../identity/role-admin.js';
import { LoginThrottle } from '../identity/login-throttle.js';
import { LoginFailuresRepo } from '../db/repositories/login-failures-repo.js';
import { ApplicationCredentialsRepo } from '../db/repositories/application-credentials-repo.js';
import { ApplicationCredentials } from '../identity/application-credentials.js';
import { HostRegistry } from '../compute/hosts/host-registry.js';
import { FlavorsRepo } from '../db/repositories/flavors-repo.js';
import { FlavorService } from '../compute/flavors/flavor-service.js';
import { ImagesRepo } from '../db/repositories/images-repo.js';
import { ImageStore } from '../images/image-store.js';
import { ImageService } from '../images/image-service.js';
import { ImageImporter } from '../images/image-importer.js';
import { QuotasRepo } from '../db/repositories/quotas-repo.js';
import { KeypairsRepo } from '../db/repositories/keypairs-repo.js';
import { QuotaService } from '../compute/quotas/quotas.js';
import { KeypairService } from '../compute/keypairs/keypair-service.js';
import { HostHealth } from '../compute/hosts/host-health.js';
import { ComputeServices } from '../compute/hosts/compute-services.js';
import { HostUsageRepo } from '../db/repositories/host-usage-repo.js';
import { UsageRepo } from '../db/repositories/usage-repo.js';
import { TenantUsageService } from '../compute/usage/tenant-usage.js';
import { ServerGroupsRepo } from '../db/repositories/server-groups-repo.js';
import { ServerGroupService } from '../compute/server-groups/server-groups.js';
import { createComputeServices } from './servers.js';
import { createDrift } from './drift.js';
import { createServerActions } from './server-actions.js';
import { createMoreServerActions } from './more-server-actions.js';
import { Aggregates } from '../compute/hosts/aggregates.js';
import { AggregatesRepo } from '../db/repositories/aggregates-repo.js';
import { ZonedHostsRepo } from '../compute/hosts/host-zones.js';
import { AggregateImageCache } from '../compute/hosts/image-cache.js';
import { ExternalEvents } from '../compute/servers/external-events.js';
import { imageCacheHandler } from '../worker/manager/image-cache.js';
import { handleHostEvents } from '../worker/manager/external-events.js';
import { IMAGE_CACHE_TASK } from '../compute/tasks.js';
import { createNetworkServices } from './network.js';

export interface ServiceDeps {
  config: Config;
  db: Database;
  clock: Clock;
  driverFactory: DriverFactory;
}

export function createServices(deps: ServiceDeps) {
  const { config, db, clock, driverFactory } = deps;
  const identityRepo = new IdentityRepo(db);
  const tokens = new TokenService(identityRepo, clock, config.tokenTtlSeconds);
  // Nova's noauth2: only when configured (the auth plugin then also believes any other token).
  const noauth =
    config.authStrategy === 'noauth2' ? new NoAuth(identityRepo, tokens, clock, config.tokenTtlSeconds) : null;
  const loginThrottle = new LoginThrottle(new LoginFailuresRepo(db), clock);
  const identity = new IdentityService(identityRepo, tokens, loginThrottle);
  const identityAdmin = new IdentityAdmin(identityRepo, tokens, loginThrottle, clock);
  const roleAdmin = new RoleAdmin(identityRepo, tokens);
  // Keystone application credentials; tokens issued from one are checked against it.
  const applicationCredentials = new ApplicationCredentials(
    new ApplicationCredentialsRepo(db),
    identityRepo,
    tokens,
    loginThrottle,
    clock,
  );
  tokens.useApplicationCredentials(applicationCredentials);
  identity.useApplicationCredentials(applicationCredentials);
  // Host rows as every reader sees them: each with the zone its aggregates give it (compute/hosts/host-zones.ts).
  const hostsRepo = new ZonedHostsRepo(db);
  const hosts = new HostRegistry(hostsRepo, driverFactory, clock);
  const flavorsRepo = new FlavorsRepo(db);
  const flavors = new FlavorService(
    flavorsRepo,
    db,
    clock,
    async (id) => (await identityRepo.findProjectById(id)) !== undefined,
  );
  const quotas = new QuotaService(db, new QuotasRepo(db), clock);
  const keypairs = new KeypairService(db, new KeypairsRepo(db), quotas, clock);
  const hostHealth = new HostHealth(hosts, hostsRepo, clock, config.heartbeatIntervalSeconds);
  // os-services, os-hypervisors and availability zones: the hosts, their heartbeat and their servers.
  const hostOverview = new ComputeServices(hostsRepo, new HostUsageRepo(db), hostHealth, clock);
  const tenantUsage = new TenantUsageService(new UsageRepo(db), clock);
  const serverGroups = new ServerGroupService(db, new ServerGroupsRepo(db), quotas, clock);
  const imagesRepo = new ImagesRepo(db);
  const imageStore = new ImageStore(config.dataDir, config.imageMaxBytes);
  const images = new ImageService(db, imagesRepo, imageStore, clock);
  const imageImporter = new ImageImporter(imagesRepo, imageStore, clock);
  images.onDeleted((id, loads) => imageImporter.unloadEverywhere(id, loads, (hostId) => hosts.driverFor(hostId)));
  // The network service (Neutron v2.0 subset) over the same hosts' engines.
  const network = createNetworkServices({
    config,
    db,
    clock,
    hosts,
    hostsRepo,
    log: (msg, err) => {
      if (config.logLevel !== 'silent')
        console.error(JSON.stringify({ level: 'warn', msg, err: err instanceof Error ? err.message : err }));
    },
  });
  const computeServices = createComputeServices({
    config,
    db,
    clock,
    hosts,
    hostsRepo,
    flavors,
    images,
    imageImporter,
    quotas,
    keypairs,
    hostHealth,
    serverGroups,
    network,
  });
  // Drift: Docker events + periodic power sync, under the worker's per-server mutex.
  const drift = createDrift({
    config,
    db,
    clock,
    hosts,
    locks: computeServices.worker.locks,
    actions: computeServices.instanceActions,
    network,
  });
  // Server actions (power, lock, console output, …): compute-API objects plus their worker handlers.
  const serverActions = createServerActions({
    config,
    db,
    clock,
    hosts,
    hostsRepo,
    imagesRepo,
    hostHealth,
    ...computeServices,
  });
  // Snapshot/backup, rebuild, resize, shelve and the serial console: API objects plus worker handlers.
  const moreServerActions = createMoreServerActions({
    config,
    db,
    clock,
    hosts,
    images,
    imagesRepo,
    flavors,
    quotas,
    keypairs,
    hostDown: serverActions.apiDeps.hostDown,
    ...computeServices,
  });
  // Aggregates (an admin's, and the configured zones read-only) and 2.81 image pre-caching on their hosts (a worker task).
  const aggregates = new Aggregates(
    new AggregatesRepo(db),
    hostsRepo,
    computeServices.instancesRepo,
    clock,
    config.defaultAvailabilityZone,
  );
  hostOverview.onHostDeleted((host) => aggregates.forgetHost(host));
  const { worker, computeManager } = computeServices;
  worker.registerHandler(
    IMAGE_CACHE_TASK,
    imageCacheHandler({
      hostsRepo,
      hosts,
      hostHealth,
      imagesRepo,
      imageLoader: imageImporter,
      log: computeManager.log,
    }),
  );
  const aggregateImageCache = new AggregateImageCache(db, worker, images, aggregates);
  // os-server-external-events: the API side decides, the manager's side (under the per-server lock) acts.
  const externalEvents = new ExternalEvents({
    db,
    instances: computeServices.instancesRepo,
    hostsRepo,
    actions: computeServices.instanceActions,
    log: computeManager.log,
    hostEvents: (requestId, events) => handleHostEvents({ ...computeManager, locks: worker.locks }, requestId, events),
  });
  return {
    ...computeServices,
    ...moreServerActions,
    network,
    serverActions,
    drift,
    aggregates,
    aggregateImageCache,
    externalEvents,
    config,
    db,
    clock,
    identityRepo,
    tokens,
    noauth,
    identity,
    identityAdmin,
    roleAdmin,
    applicationCredentials,
    loginThrottle,
    hostsRepo,
    hosts,
    flavorsRepo,
    flavors,
    imagesRepo,
    imageStore,
    images,
    imageImporter,
    quotas,
    keypairs,
    hostHealth,
    hostOverview,
    tenantUsage,
    serverGroups,
  };
}

export type Services = ReturnType<typeof createServices>;
