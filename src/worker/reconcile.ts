// Start-up reconciliation (architecture.md "Worker"; nova compute/manager.py init_host and
// _init_instance). Runs once, before the task runner starts claiming, so that whatever a crash
// (kill -9, power loss) left behind is put straight:
//  1. task leases held by a dead process of this machine are released at once, so the rerun does
//     not wait for the lease to run out;
//  2. a server whose task_state names work that has no task row any more (a claim that never got
//     its task, e.g. the power sync's force stop) is made idle again (builds and deletes without a
//     task are worker/recovery.ts's): nothing stays in a task_state forever;
//  3. on every Docker host that answers: a container labelled as this host's (service-id = the
//     compute host's uuid) without a live server record is removed; an idle server whose container
//     is gone goes to ERROR with the fault "container missing" — a record never points at nothing
//     without saying so. A host that does not answer is left for later (the event watcher re-lists
//     it when it comes back).
import os from 'node:os';
import type { Clock } from '../db/time.js';
import type { HostRegistry } from '../compute/hosts/host-registry.js';
import type { TaskRunner } from './task-runner.js';
import type { InstancesRepo } from '../db/repositories/instances-repo.js';
import type { RecoveryQueries } from '../db/repositories/recovery-queries.js';
import type { InstanceFaultsRepo } from '../db/repositories/instance-faults-repo.js';
import { LABELS } from '../virt/driver.js';
import { TaskState, VmState } from '../compute/servers/states.js';
import { PowerState } from '../virt/power-state.js';

export interface ReconcileDeps {
  recoveryQueries: RecoveryQueries;
  clock: Clock;
  hosts: HostRegistry;
  worker: TaskRunner;
  instancesRepo: InstancesRepo;
  instanceFaultsRepo: InstanceFaultsRepo;
  log?: { warn(obj: unknown, msg?: string): void; info(obj: unknown, msg?: string): void };
}

export interface ReconcileReport {
  releasedLeases: number;
  clearedTaskStates: string[];
  removedOrphans: string[];
  markedMissing: string[];
  unreachableHosts: number[];
}

/** vm_states whose server must have a container on its host. */
const NEEDS_CONTAINER: ReadonlySet<string> = new Set([
  VmState.ACTIVE,
  VmState.STOPPED,
  VmState.PAUSED,
  VmState.SUSPENDED,
  VmState.RESCUED,
  VmState.RESIZED,
]);

/** The worker id format of TaskRunner: worker:<hostname>:<pid>:<random>. */
export function deadLocalWorker(
  claimedBy: string,
  selfId: string,
  isAlive: (pid: number) => boolean = pidAlive,
): boolean {
  const m = /^worker:([^:]+):(\d+):/.exec(claimedBy);
  if (!m || m[1] !== os.hostname() || claimedBy === selfId) return false;
  const pid = Number(m[2]);
  // Our own pid with another id: an earlier incarnation (pid 1 in a container restarts as pid 1).
  return pid === process.pid || !isAlive(pid);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function reconcileAtStartup(d: ReconcileDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    releasedLeases: 0,
    clearedTaskStates: [],
    removedOrphans: [],
    markedMissing: [],
    unreachableHosts: [],
  };
  const now = () => d.clock.now().toISOString();

  // 1. leases of dead local workers
  for (const t of await d.recoveryQueries.claimedTasks()) {
    if (!deadLocalWorker(t.claimed_by, d.worker.workerId)) continue;
    report.releasedLeases += await d.recoveryQueries.releaseLease(t.id, t.claimed_by);
  }

  // 2. task_states without a task. BUILDING and DELETING ones are worker/recovery.ts's (they go to
  // ERROR / are queued again when the runner starts); any other claim is released here.
  const withTask = await d.recoveryQueries.serversWithTasks();
  const busy = await d.recoveryQueries.busyServers({ vmState: VmState.BUILDING, taskState: TaskState.DELETING });
  for (const row of busy) {
    if (withTask.has(row.uuid)) continue;
    try {
      await d.instancesRepo.updateWithExpectedTaskState(row.uuid, { task_state: null, updated_at: now() }, [
        row.task_state,
      ]);
      report.clearedTaskStates.push(row.uuid);
    } catch (err) {
      d.log?.warn({ err, instance: row.uuid }, 'reconcile: could not reset task_state');
    }
  }

  // 3. containers vs records, per host
  const pending = await d.recoveryQueries.serversWithTasks();
  for (const host of await d.hosts.list()) {
    let listed;
    let driver;
    try {
      driver = await d.hosts.driverFor(host.id);
      listed = await driver.listInstances();
    } catch (err) {
      d.log?.warn({ err, hostId: host.id }, 'reconcile: host did not answer; left for the event watcher');
      report.unreachableHosts.push(host.id);
      continue;
    }
    const live = new Map((await d.recoveryQueries.liveOnHost(host.id)).map((r) => [r.uuid, r]));
    const present = new Set<string>();
    for (const c of listed) {
      present.add(c.instanceUuid);
      if (c.labels[LABELS.serviceId] !== host.uuid) continue; // another deployment's (or an unlabelled) container
      if (live.has(c.instanceUuid) || pending.has(c.instanceUuid)) continue;
      // Anyone's record with this uuid (another host, or deleted): only a deleted or absent one makes it an orphan.
      const rec = await d.instancesRepo.findByUuid(c.instanceUuid);
      if (rec && !rec.deleted) continue;
      try {
        await driver.destroy(c.instanceUuid);
        report.removedOrphans.push(c.instanceUuid);
      } catch (err) {
        d.log?.warn({ err, instance: c.instanceUuid }, 'reconcile: could not remove an orphaned container');
      }
    }
    for (const row of live.values()) {
      if (
        row.task_state !== null ||
        pending.has(row.uuid) ||
        present.has(row.uuid) ||
        !NEEDS_CONTAINER.has(row.vm_state)
      )
        continue;
      try {
        await d.instancesRepo.updateWithExpectedTaskState(
          row.uuid,
          { vm_state: VmState.ERROR, power_state: PowerState.NOSTATE, updated_at: now() },
          [null],
        );
        await fault(d, row.uuid, `Instance ${row.uuid} container missing`, host.name);
        report.markedMissing.push(row.uuid);
      } catch (err) {
        d.log?.warn({ err, instance: row.uuid }, 'reconcile: could not mark a server without container');
      }
    }
  }
  const changed =
    report.releasedLeases +
    report.clearedTaskStates.length +
    report.removedOrphans.length +
    report.markedMissing.length;
  if (changed) d.log?.info({ report }, 'start-up reconciliation');
  return report;
}

async function fault(d: ReconcileDeps, uuid: string, message: string, host: string | null): Promise<void> {
  await d.instanceFaultsRepo
    .add({ instance_uuid: uuid, code: 500, message, details: null, host, created_at: d.clock.now().toISOString() })
    .catch((err) => d.log?.warn({ err, instance: uuid }, 'reconcile: could not record a fault'));
}
