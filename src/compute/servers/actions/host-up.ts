// Work for a server whose compute service is down (its Docker Engine missed its heartbeats) would
// only fail later, quietly: every action that needs the engine is refused up front with Nova's 409
// "Compute service of <host> is unavailable at this time." (nova exception.py
// ComputeServiceUnavailable; compute/api.py check_instance_host(check_is_up=True)). Actions that only
// change the database (lock, unlock, resetState …) and delete (Nova deletes locally then) go on.
import { Conflict } from '../../../errors.js';
import type { InstanceRow } from '../../../db/repositories/instances-repo.js';

/** The host's name when its compute service is down, else null. */
export type HostDown = (hostId: number) => Promise<string | null>;

export async function assertHostUp(
  hostDown: HostDown | undefined,
  instance: InstanceRow,
  method: string,
): Promise<void> {
  if (!hostDown || instance.host_id === null) return;
  const down = await hostDown(instance.host_id);
  if (down) {
    throw new Conflict(
      `Cannot '${method}' instance ${instance.uuid}: Compute service of ${down} is unavailable at this time.`,
    );
  }
}
