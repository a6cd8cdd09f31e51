// devstack's default topology, made once at first start (idempotent, under the start-up lock):
// a shared network `private` with its subnet (what `networks: auto` finds), an external network
// `public` with a subnet for floating IPs, and `router1` joining them. Stable ids, so that every
// replica and every restart agrees. All ranges come from the configured pool.
import { createHash } from 'node:crypto';
import type { NetworkService } from './network-service.js';
import type { RouterService } from './router-service.js';
import type { NetworksRepo } from '../db/repositories/neutron-networks-repo.js';
import type { RoutersRepo } from '../db/repositories/neutron-l3-repo.js';

export interface TopologyDeps {
  repo: NetworksRepo;
  routersRepo: RoutersRepo;
  nets: NetworkService;
  routers: RouterService;
}

export function stableUuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const PUBLIC_NETWORK_ID = stableUuid('novadock-network-public');
export const PRIVATE_SUBNET_ID = stableUuid('novadock-subnet-private');
export const PUBLIC_SUBNET_ID = stableUuid('novadock-subnet-public');
export const ROUTER1_ID = stableUuid('novadock-router-router1');
/** The ranges of the default pool (NOVADOCK_NETWORK_POOL 198.18.0.0/16). */
const DEFAULT_RANGES = { publicCidr: '198.18.255.0/24', privateCidr: '198.18.248.0/22' };

export interface TopologyIds {
  privateNetwork: string;
  publicNetwork: string;
  privateSubnet: string;
  publicSubnet: string;
  router1: string;
}

/**
 * The default topology's ids: the fixed ones with the default ranges; with other ranges, ids derived
 * from them, so that deployments sharing one engine (each with ranges of its own, as an engine
 * refuses overlapping ones) never share a Docker network or bridge name.
 */
export function topologyIds(privateNetworkId: string, r: { publicCidr: string; privateCidr: string }): TopologyIds {
  if (r.publicCidr === DEFAULT_RANGES.publicCidr && r.privateCidr === DEFAULT_RANGES.privateCidr) {
    return {
      privateNetwork: privateNetworkId,
      publicNetwork: PUBLIC_NETWORK_ID,
      privateSubnet: PRIVATE_SUBNET_ID,
      publicSubnet: PUBLIC_SUBNET_ID,
      router1: ROUTER1_ID,
    };
  }
  const seed = `${r.privateCidr} ${r.publicCidr}`;
  return {
    privateNetwork: stableUuid(`novadock-network-private ${seed}`),
    publicNetwork: stableUuid(`novadock-network-public ${seed}`),
    privateSubnet: stableUuid(`novadock-subnet-private ${seed}`),
    publicSubnet: stableUuid(`novadock-subnet-public ${seed}`),
    router1: stableUuid(`novadock-router-router1 ${seed}`),
  };
}

export async function ensureDefaultTopology(
  s: TopologyDeps,
  o: { adminProjectId: string; privateNetworkId: string; publicCidr: string; privateCidr: string },
) {
  const ids = topologyIds(o.privateNetworkId, o);
  const admin = { projectId: o.adminProjectId, isAdmin: true };
  const now = new Date().toISOString();
  const base = {
    project_id: o.adminProjectId,
    description: '',
    admin_state_up: true,
    port_security_enabled: true,
    mtu: 1500,
    status: 'ACTIVE',
    created_at: now,
    updated_at: now,
    revision_number: 1,
  };
  if (!(await s.repo.network(ids.privateNetwork))) {
    await s.repo.insertNetwork({ ...base, id: ids.privateNetwork, name: 'private', shared: true, external: false });
  }
  if (!(await s.repo.network(ids.publicNetwork))) {
    await s.repo.insertNetwork({ ...base, id: ids.publicNetwork, name: 'public', shared: false, external: true });
  }
  for (const [id, network_id, cidr, name] of [
    [ids.privateSubnet, ids.privateNetwork, o.privateCidr, 'private-subnet'],
    [ids.publicSubnet, ids.publicNetwork, o.publicCidr, 'public-subnet'],
  ] as const) {
    if (await s.repo.subnet(id)) continue;
    await s.nets.createSubnet(admin, { network_id, ip_version: 4, cidr, name }, { id });
  }
  if (!(await s.routersRepo.router(ids.router1))) {
    await s.routers.create(
      admin,
      { name: 'router1', external_gateway_info: { network_id: ids.publicNetwork } },
      o.adminProjectId,
      { id: ids.router1 },
    );
    await s.routers.addInterface(admin, ids.router1, { subnet_id: ids.privateSubnet });
  }
}
