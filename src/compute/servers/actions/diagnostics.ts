// GET /servers/{id}/diagnostics (nova server_diagnostics.py, compute/api.py get_diagnostics and
// get_instance_diagnostics): admin only; read from the host's Docker at once (Nova's RPC call).
// A server without a container (not scheduled, or its container gone) is "not ready" (409).
import type { AuthContext } from '../../../identity/auth-context.js';
import { authorize } from '../../../identity/policy.js';
import { InstanceNotReady } from '../../../errors.js';
import { addressesOf, type InstanceRow } from '../../../db/repositories/instances-repo.js';
import type { HostRegistry } from '../../hosts/host-registry.js';
import type { InstanceInfo, InstanceStats } from '../../../virt/driver.js';
import { TaskState } from '../states.js';
import { assertRejectedState } from '../guards-extra.js';
import { PowerState } from '../../../virt/power-state.js';
import { assertHostUp, type HostDown } from './host-up.js';

export interface DiagnosticsData {
  instance: InstanceRow;
  info: InstanceInfo;
  stats: InstanceStats;
  hostOs: string;
  /** MAC of the server's first address (the container's eth0), null when it has no network */
  mac: string | null;
}

export class DiagnosticsApi {
  constructor(
    private readonly hosts: HostRegistry,
    private readonly hostDown?: HostDown,
  ) {}

  async get(auth: AuthContext, instance: InstanceRow): Promise<DiagnosticsData> {
    authorize(auth, 'admin', 'os_compute_api:os-server-diagnostics');
    if (!instance.host_id) throw InstanceNotReady(instance.uuid);
    assertRejectedState(instance, [TaskState.DELETING, TaskState.MIGRATING], 'get_diagnostics');
    await assertHostUp(this.hostDown, instance, 'get_diagnostics');
    const driver = await this.hosts.driverFor(instance.host_id);
    const info = await driver.getInfo(instance.uuid);
    if (info.status === 'missing' || info.powerState === PowerState.NOSTATE) throw InstanceNotReady(instance.uuid);
    const [stats, host] = await Promise.all([driver.getStats(instance.uuid), driver.hostInfo().catch(() => undefined)]);
    return {
      instance,
      info,
      stats,
      hostOs: host?.operatingSystem ?? 'linux',
      mac: addressesOf(instance)[0]?.mac ?? null,
    };
  }
}
