// Floating IPs (l3_db): an address held by a network:floatingip port on an external network,
// associated with a port's fixed IPv4 address when a router links the port's subnet to that
// network. The dataplane makes it real: the port's container gets a second interface on the
// external network's Docker bridge with the floating address (design E5), live, both ways.
import { randomUUID } from 'node:crypto';
import type { Database, Db } from '../db/knex.js';
import type { NetworksRepo, PortRow } from '../db/repositories/neutron-networks-repo.js';
import type { FloatingIpRow, FloatingIpsRepo } from '../db/repositories/neutron-l3-repo.js';
import type { NeutronQuotas } from './quotas.js';
import type { PortService } from './port-service.js';
import type { RouterService } from './router-service.js';
import type { Caller, Clock } from './network-service.js';
import {
  BadRequest,
  ExternalGatewayForFloatingIPNotFound,
  FloatingIPNotFound,
  FloatingIPPortAlreadyAssociated,
  NetworkNotFound,
  PolicyNotAuthorized,
  PortNotFound,
  InUse,
} from './errors.js';

export type { FloatingIpRow };

/** What makes a floating IP reachable; implemented over the virt drivers. */
export interface FloatingIpDataplane {
  /** Connects the port's container (if it has one) to the external network with the address; false when the port is not plugged. */
  attach(fip: FloatingIpRow, port: PortRow): Promise<boolean>;
  /** Removes that interface; a container or endpoint already gone is success. */
  detach(fip: FloatingIpRow, port: PortRow): Promise<void>;
}

export class FloatingIpService {
  constructor(
    private readonly db: Database,
    private readonly repo: NetworksRepo,
    private readonly fipsRepo: FloatingIpsRepo,
    private readonly ports: PortService,
    private readonly routers: RouterService,
    private readonly quotas: NeutronQuotas,
    private readonly dataplane: FloatingIpDataplane,
    private readonly clock: Clock,
  ) {}

  private now = () => this.clock.now().toISOString();

  private row(id: string, trx: Db = this.db): Promise<FloatingIpRow | undefined> {
    return this.fipsRepo.fip(id, trx);
  }

  async get(c: Caller, id: string): Promise<FloatingIpRow> {
    const f = await this.row(id);
    if (!f || !(c.isAdmin || f.project_id === c.projectId)) throw FloatingIPNotFound(id);
    return f;
  }

  async list(c: Caller): Promise<FloatingIpRow[]> {
    return this.fipsRepo.fips(c.isAdmin ? {} : { project_id: c.projectId });
  }

  async create(
    c: Caller,
    b: {
      floating_network_id: string;
      floating_ip_address?: string;
      subnet_id?: string;
      port_id?: string | null;
      fixed_ip_address?: string | null;
      description?: string;
    },
    project: string,
  ): Promise<FloatingIpRow> {
    const n = await this.repo.network(b.floating_network_id);
    if (!n || !(c.isAdmin || n.external || n.shared || n.project_id === c.projectId))
      throw NetworkNotFound(b.floating_network_id);
    if (!c.isAdmin && b.floating_ip_address !== undefined)
      throw PolicyNotAuthorized('(rule:create_floatingip and rule:create_floatingip:floating_ip_address)');
    if (!n.external) throw BadRequest('floatingip', `Network ${n.id} is not a valid external network`);
    const id = randomUUID();
    const fip = await this.db.transaction(async (trx) => {
      const subnets = await this.repo.subnets({ network_id: [n.id] }, trx);
      if (!subnets.some((s) => s.ip_version === 4))
        throw BadRequest('floatingip', `Network ${n.id} does not contain any IPv4 subnet`);
      await this.quotas.check(trx, project, { floatingip: 1 });
      const fixed =
        b.subnet_id || b.floating_ip_address
          ? [{ subnet_id: b.subnet_id, ip_address: b.floating_ip_address }]
          : [{ subnet_id: subnets.find((s) => s.ip_version === 4)!.id }];
      const port = await this.ports.create(
        { projectId: '', isAdmin: true },
        {
          network_id: n.id,
          fixed_ips: fixed.map((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined))),
          device_id: id,
          device_owner: 'network:floatingip',
        },
        { project: '', trusted: true, trx },
      );
      await this.repo.updatePort(port.id, { status: 'N/A' }, this.now(), trx);
      const now = this.now();
      const row: FloatingIpRow = {
        id,
        project_id: project,
        floating_network_id: n.id,
        floating_ip_address: port.fixed_ips[0].ip_address,
        floating_port_id: port.id,
        fixed_port_id: null,
        fixed_ip_address: null,
        router_id: null,
        status: 'DOWN',
        description: b.description ?? '',
        created_at: now,
        updated_at: now,
        revision_number: 1,
      };
      await this.fipsRepo.insert(row, trx);
      return row;
    });
    if (b.port_id) return this.update(c, id, { port_id: b.port_id, fixed_ip_address: b.fixed_ip_address ?? undefined });
    return fip;
  }

  /** port_id: associate (or move); null: disassociate. The dataplane follows the record; a failed attach undoes it. */
  async update(
    c: Caller,
    id: string,
    b: { port_id?: string | null; fixed_ip_address?: string | null; description?: string },
  ): Promise<FloatingIpRow> {
    const cur = await this.get(c, id);
    if (b.fixed_ip_address && !b.port_id)
      throw BadRequest('floatingip', 'fixed_ip_address cannot be specified without a port_id');
    const oldPort = cur.fixed_port_id ? await this.repo.port(cur.fixed_port_id) : undefined;
    let next: { port: PortRow; ip: string; router: string } | null = null;
    if (b.port_id) next = await this.associationFor(c, cur, b.port_id, b.fixed_ip_address ?? undefined);
    const changing =
      (b.port_id !== undefined && (next?.port.id ?? null) !== cur.fixed_port_id) ||
      (next && next.ip !== cur.fixed_ip_address);
    await this.db.transaction(async (trx) => {
      const changes: Partial<FloatingIpRow> = { updated_at: this.now() };
      if (b.description !== undefined) changes.description = b.description;
      if (b.port_id !== undefined) {
        Object.assign(
          changes,
          next
            ? { fixed_port_id: next.port.id, fixed_ip_address: next.ip, router_id: next.router, status: 'DOWN' }
            : { fixed_port_id: null, fixed_ip_address: null, router_id: null, status: 'DOWN' },
        );
      }
      await this.fipsRepo.update(id, changes, trx, true);
    });
    if (changing) {
      if (oldPort) await this.dataplane.detach(cur, oldPort);
      if (next) {
        const fip = (await this.row(id))!;
        try {
          const live = await this.dataplane.attach(fip, next.port);
          await this.fipsRepo.update(id, { status: live ? 'ACTIVE' : 'DOWN' });
        } catch (e) {
          await this.fipsRepo.update(id, {
            fixed_port_id: null,
            fixed_ip_address: null,
            router_id: null,
            status: 'DOWN',
          });
          throw e;
        }
      }
    }
    return (await this.row(id))!;
  }

  private async associationFor(c: Caller, fip: FloatingIpRow, portId: string, fixedIp?: string) {
    const port = await this.repo.port(portId);
    const portNet = port && (await this.repo.network(port.network_id));
    if (!port || !(c.isAdmin || port.project_id === c.projectId || portNet?.project_id === c.projectId))
      throw PortNotFound(portId);
    if (port.project_id !== fip.project_id && !c.isAdmin) {
      throw BadRequest(
        'floatingip',
        `Cannot process floating IP association with Port ${port.id}, since that port is owned by a different tenant`,
      );
    }
    let ip: string, subnetId: string;
    if (fixedIp) {
      if (fixedIp.includes(':'))
        throw BadRequest(
          'floatingip',
          `Cannot process floating IP association with ${fixedIp}, since that is not an IPv4 address`,
        );
      const f = port.fixed_ips.find((x) => x.ip_address === fixedIp);
      if (!f) throw BadRequest('floatingip', `Port ${port.id} does not have fixed ip ${fixedIp}`);
      ip = f.ip_address;
      subnetId = f.subnet_id;
    } else {
      const v4 = port.fixed_ips.filter((x) => !x.ip_address.includes(':'));
      if (!v4.length)
        throw BadRequest('floatingip', `Cannot add floating IP to port ${port.id} that has no fixed IPv4 addresses`);
      if (v4.length > 1)
        throw BadRequest(
          'floatingip',
          `Port ${port.id} has multiple fixed IPv4 addresses.  Must provide a specific IPv4 address when assigning a floating IP`,
        );
      ip = v4[0].ip_address;
      subnetId = v4[0].subnet_id;
    }
    const subnet = (await this.repo.subnet(subnetId))!;
    const router = await this.routers.routerFor(port, subnet, fip.floating_network_id);
    if (!router) throw ExternalGatewayForFloatingIPNotFound(fip.floating_network_id, subnet.id, port.id);
    const others = (await this.fipsRepo.fips({ floating_network_id: fip.floating_network_id })).filter(
      (o) => o.id !== fip.id && o.fixed_port_id,
    );
    if (others.some((o) => o.fixed_port_id === port.id && o.fixed_ip_address === ip)) {
      throw FloatingIPPortAlreadyAssociated({
        address: fip.floating_ip_address,
        fipId: fip.id,
        portId: port.id,
        fixedIp: ip,
        netId: fip.floating_network_id,
      });
    }
    // Docker: one endpoint per container and network (design F7)
    if (port.device_id) {
      const siblings = new Set((await this.repo.ports({ device_id: [port.device_id] })).map((p) => p.id));
      const clash = others.find((o) => siblings.has(o.fixed_port_id!));
      if (clash) {
        throw InUse(
          `Cannot associate floating IP ${fip.floating_ip_address} (${fip.id}) with port ${port.id}: device ${port.device_id} already has floating IP ${clash.floating_ip_address} on external network ${fip.floating_network_id}, and a container takes one address per Docker network`,
        );
      }
      if (
        (await this.repo.ports({ device_id: [port.device_id] })).some(
          (p) => p.network_id === fip.floating_network_id && p.id !== fip.floating_port_id,
        )
      ) {
        throw InUse(
          `Cannot associate floating IP ${fip.floating_ip_address} (${fip.id}) with port ${port.id}: device ${port.device_id} is already attached to external network ${fip.floating_network_id}`,
        );
      }
    }
    return { port, ip, router };
  }

  async delete(c: Caller, id: string): Promise<void> {
    const f = await this.get(c, id);
    const port = f.fixed_port_id ? await this.repo.port(f.fixed_port_id) : undefined;
    await this.db.transaction(async (trx) => {
      await this.fipsRepo.delete(id, trx);
      await this.repo.deletePort(f.floating_port_id, trx);
    });
    if (port) await this.dataplane.detach(f, port);
  }
}
