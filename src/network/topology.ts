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

export async function ensureDefaultTopology(
  s: TopologyDeps,
  o: { adminProjectId: string; privateNetworkId: string; publicCidr: string; privateCidr: string },
) {
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
  if (!(await s.repo.network(o.privateNetworkId))) {
    await s.repo.insertNetwork({ ...base, id: o.privateNetworkId, name: 'private', shared: true, external: false });
  }
  if (!(await s.repo.network(PUBLIC_NETWORK_ID))) {
    await s.repo.insertNetwork({ ...base, id: PUBLIC_NETWORK_ID, name: 'public', shared: false, external: true });
  }
  for (const [id, network_id, cidr, name] of [
    [PRIVATE_SUBNET_ID, o.privateNetworkId, o.privateCidr, 'private-subnet'],
    [PUBLIC_SUBNET_ID, PUBLIC_NETWORK_ID, o.publicCidr, 'public-subnet'],
  ] as const) {
    if (await s.repo.subnet(id)) continue;
    await s.nets.createSubnet(admin, { network_id, ip_version: 4, cidr, name }, { id });
  }
  if (!(await s.routersRepo.router(ROUTER1_ID))) {
    await s.routers.create(
      admin,
      { name: 'router1', external_gateway_info: { network_id: PUBLIC_NETWORK_ID } },
      o.adminProjectId,
      { id: ROUTER1_ID },
    );
    await s.routers.addInterface(admin, ROUTER1_ID, { subnet_id: PRIVATE_SUBNET_ID });
  }
}
