// os-getConsoleOutput (nova compute/api.py get_console_output, manager get_console_output and
// _tail_log; api/openstack/compute/console_output.py): what the container printed, read from the
// host's Docker at once (Nova makes a synchronous RPC call too). A server that has no container
// yet (no host) is "not ready" (409), as Nova's check_instance_host; deleting or migrating → 409.
import type { AuthContext } from '../../../identity/auth-context.js';
import { authorize } from '../../../identity/policy.js';
import { InstanceNotReady } from '../../../errors.js';
import type { InstanceRow } from '../../../db/repositories/instances-repo.js';
import type { HostRegistry } from '../../hosts/host-registry.js';
import { assertRejectedState } from '../guards-extra.js';
import { TaskState } from '../states.js';
import { assertHostUp, type HostDown } from './host-up.js';

export class ConsoleOutputApi {
  constructor(
    private readonly hosts: HostRegistry,
    private readonly hostDown?: HostDown,
  ) {}

  /**
   * `length`: the number of last lines to return; undefined/null or -1 (any negative): all.
   * 0 returns '' (Nova's _tail_log). Control characters other than \t and \n are removed, as Nova's controller does.
   */
  async get(auth: AuthContext, instance: InstanceRow, length: number | undefined): Promise<string> {
    authorize(auth, 'write', 'os_compute_api:os-console-output');
    if (!instance.host_id || !instance.container_id) throw InstanceNotReady(instance.uuid);
    assertRejectedState(instance, [TaskState.DELETING, TaskState.MIGRATING], 'get_console_output');
    await assertHostUp(this.hostDown, instance, 'get_console_output');
    const driver = await this.hosts.driverFor(instance.host_id);
    if (length === 0) return '';
    const tail = length === undefined || length < 0 ? undefined : length;
    const raw = await driver.getConsoleOutput(instance.uuid, tail);
    // Docker answers '' for a container that is gone (drift); say so rather than show an empty console.
    if (raw === '' && (await driver.getInfo(instance.uuid)).status === 'missing') throw InstanceNotReady(instance.uuid);
    return raw.replace(/[\x00-\x08\x0B-\x1F]/g, '');
  }
}

/** Nova's `length`: an integer, a numeric string ("5", "-1"), or null/absent (validated by the schema). */
export function parseConsoleLength(v: unknown): number | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === 'number' ? v : Number.parseInt(String(v), 10);
}
