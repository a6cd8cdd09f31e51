// Builds the server-action services (compute-API side) and registers their worker handlers.
// Called once from the composition root; the result is `services.serverActions`.
import type { Database } from '../db/knex.js';
import type { Config } from '../config.js';
import type { Clock } from '../db/time.js';
import type { InstancesRepo } from '../db/repositories/instances-repo.js';
import type { ImagesRepo } from '../db/repositories/images-repo.js';
import type { TaskRunner } from '../worker/task-runner.js';
import type { InstanceActions } from '../compute/servers/instance-actions.js';
import type { HostRegistry } from '../compute/hosts/host-registry.js';
import type { HostsRepo } from '../db/repositories/hosts-repo.js';
import type { ManagerDeps } from '../worker/manager/deps.js';
import { registerPowerHandlers, type PowerManagerDeps } from '../worker/manager/power.js';
import type { ActionApiDeps } from '../compute/servers/actions/begin-action.js';
import { PowerApi } from '../compute/servers/actions/power.js';
import { LockApi } from '../compute/servers/actions/lock.js';
import { ConsoleOutputApi } from '../compute/servers/actions/console-output.js';
import { InstanceActionsApi } from '../compute/servers/instance-actions-api.js';
import { AdminActionsApi } from '../compute/servers/actions/admin-actions.js';
import { DiagnosticsApi } from '../compute/servers/actions/diagnostics.js';
import { SoftDeleteApi } from '../compute/servers/actions/soft-delete.js';
import { registerSoftDeleteHandlers } from '../worker/manager/soft-delete.js';
import type { ComputeApi } from '../compute/servers/compute-api.js';
import { InstanceActionsQueries } from '../db/repositories/instance-actions-queries.js';
import type { InstanceActionsRepo } from '../db/repositories/instance-actions-repo.js';

export interface ServerActionsDeps {
  config: Config;
  db: Database;
  clock: Clock;
  instancesRepo: InstancesRepo;
  imagesRepo: ImagesRepo;
  worker: TaskRunner;
  instanceActions: InstanceActions;
  instanceActionsRepo: InstanceActionsRepo;
  hosts: HostRegistry;
  hostsRepo: HostsRepo;
  computeManager: ManagerDeps;
  compute: ComputeApi;
  /** heartbeat state: an action on a server whose host is down is refused (begin-action.ts) */
  hostHealth?: { isUp(host: { last_seen_at: string | null; forced_down: boolean }): boolean };
}

export function createServerActions(d: ServerActionsDeps) {
  const health = d.hostHealth;
  const apiDeps: ActionApiDeps = {
    db: d.db,
    clock: d.clock,
    instances: d.instancesRepo,
    worker: d.worker,
    actions: d.instanceActions,
    hostDown: health
      ? async (hostId) => {
          const host = await d.hostsRepo.findById(hostId);
          return host && !health.isUp({ last_seen_at: host.last_seen_at, forced_down: Boolean(host.forced_down) })
            ? host.name
            : null;
        }
      : undefined,
  };
  const powerManager: PowerManagerDeps = {
    ...d.computeManager,
    stopTimeoutSeconds: d.config.stopTimeoutSeconds,
    findImage: (ref) => d.imagesRepo.find(ref),
  };
  registerPowerHandlers(d.worker, powerManager);
  registerSoftDeleteHandlers(d.worker, powerManager);
  const softDelete = new SoftDeleteApi(apiDeps, d.compute, d.config.reclaimInstanceIntervalSeconds);
  if (softDelete.enabled) d.compute.useSoftDelete(softDelete);
  return {
    /** what every action's compute-API method needs (beginAction); part 2's actions reuse it */
    apiDeps,
    /** the worker-side deps with the stop timeout (for handlers that power a container off) */
    powerManager,
    power: new PowerApi(apiDeps),
    lock: new LockApi(apiDeps),
    consoleOutput: new ConsoleOutputApi(d.hosts, apiDeps.hostDown),
    admin: new AdminActionsApi(apiDeps, d.hostsRepo),
    diagnostics: new DiagnosticsApi(d.hosts, apiDeps.hostDown),
    /** restore / forceDelete and the reclaimer (start/stop with the background work) */
    softDelete,
    instanceActions: new InstanceActionsApi(
      d.instancesRepo,
      d.instanceActionsRepo,
      new InstanceActionsQueries(d.db),
      d.hostsRepo,
    ),
  };
}

export type ServerActions = ReturnType<typeof createServerActions>;
