// Server networking without Neutron: one service-owned Docker bridge network per host, "private",
// in the 198.18.0.0/16 benchmarking range, for networks "auto" (and a list naming it); "none" means
// no network at all. The network is created once per host and remembered, so only the first boot
// on a host pays for it.
import { createHash } from 'node:crypto';
import type { ComputeDriver } from '../../virt/driver.js';

export const PRIVATE_NETWORK = 'private';
/** null: the engine picks the next free /24 of its address pool (198.18.0.0/16, docker-up.sh). */
export const PRIVATE_SUBNET: string | null = null;
/** A stable id for the private network (what a networks list names with "uuid"). */
export const PRIVATE_NETWORK_ID = stableUuid(`novadock-network-${PRIVATE_NETWORK}`);

export type NetworkRequest = { kind: 'auto' } | { kind: 'none' };

export class Networks {
  private ensured = new Map<number, Promise<void>>();

  /** The Docker network for the request on this host (created when missing), or null. */
  async attachFor(request: string | null, hostId: number, driver: ComputeDriver): Promise<string | null> {
    if (request === null) return null;
    let p = this.ensured.get(hostId);
    if (!p) {
      p = driver.ensureNetwork(request, PRIVATE_SUBNET);
      this.ensured.set(hostId, p);
      p.catch(() => this.ensured.delete(hostId));
    }
    await p;
    return request;
  }

  /** Forget what was ensured (the engine may have lost the network). */
  reset(hostId?: number): void {
    if (hostId === undefined) this.ensured.clear();
    else this.ensured.delete(hostId);
  }
}

function stableUuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
