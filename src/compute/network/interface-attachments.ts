// os-interface (nova attach_interfaces.py and compute/api.py attach_interface / detach_interface,
// Zed): a server's ports listed and shown from the network service's records; attach makes or binds
// one port and plugs it into the container live (Nova's synchronous call: the worker's step runs
// under the server's lock before the answer); detach is queued (Nova's cast) and unplugs it live.
import type { AuthContext } from '../../identity/auth-context.js';
import { authorize, isAdmin } from '../../identity/policy.js';
import { ApiError, BadRequest, Conflict, Forbidden, NotFound } from '../../errors.js';
import type { Database } from '../../db/knex.js';
import type { InstanceRow } from '../../db/repositories/instances-repo.js';
import type { NetworksRepo, PortRow } from '../../db/repositories/neutron-networks-repo.js';
import type { InstanceInterfacesRepo } from '../../db/repositories/instance-interfaces-repo.js';
import type { InstanceActions } from '../servers/instance-actions.js';
import type { TaskQueue } from '../tasks.js';
import { assertActionable } from '../servers/guards.js';
import { VmState } from '../servers/states.js';
import { dockerMacFor } from '../../network/ip.js';
import type { NovaNetwork } from './nova-network.js';
import type { NetworkRequest, RequestedNetworks } from './requested-networks.js';
import { InterfacePortNotFound, PortCreateError } from './errors.js';

export const DETACH_INTERFACE_TASK = 'detach_interface';
export interface DetachInterfacePayload {
  portId: string;
}

/** nova compute/api.py attach_interface / detach_interface: check_instance_state. */
const INTERFACE_VM_STATES = [VmState.ACTIVE, VmState.PAUSED, VmState.STOPPED];

export interface AttachRequest {
  netId?: string;
  portId?: string;
  fixedIp?: string;
  tag?: string;
}

export interface InterfaceAttachmentDeps {
  db: Database;
  repo: NetworksRepo;
  interfaces: InstanceInterfacesRepo;
  novaNetwork: NovaNetwork;
  requested: RequestedNetworks;
  actions: InstanceActions;
  worker: TaskQueue;
  /** the worker's attach step under the server's lock (composition wires it) */
  attach(instance: InstanceRow, r: NetworkRequest, requesterIsAdmin: boolean, requestId: string): Promise<PortRow>;
}

export class InterfaceAttachments {
  constructor(private readonly d: InterfaceAttachmentDeps) {}

  /** The server's ports with their tags (list_ports(device_id=…)). */
  async list(instance: InstanceRow): Promise<{ port: PortRow; tag: string | null }[]> {
    const tags = new Map((await this.d.interfaces.list(instance.uuid)).map((i) => [i.port_id, i.tag]));
    return (await this.d.novaNetwork.ports(instance.uuid)).map((port) => ({ port, tag: tags.get(port.id) ?? null }));
  }

  async show(instance: InstanceRow, portId: string): Promise<{ port: PortRow; tag: string | null }> {
    const port = await this.d.repo.port(portId);
    if (!port) throw InterfacePortNotFound(portId);
    if (port.device_id !== instance.uuid)
      throw new NotFound(`Instance ${instance.uuid} does not have a port with id ${portId}`);
    return { port, tag: (await this.d.interfaces.find(portId))?.tag ?? null };
  }

  async attach(
    auth: AuthContext,
    requestId: string,
    instance: InstanceRow,
    a: AttachRequest,
  ): Promise<{ port: PortRow; tag: string | null }> {
    authorize(auth, 'write', 'os_compute_api:os-attach-interfaces:create');
    if (a.netId && a.portId) throw new BadRequest('Must not input both network_id and port_id');
    if (a.fixedIp && !a.netId) throw new BadRequest('Must input network_id when request IP address');
    assertActionable(instance, auth, { vmState: INTERFACE_VM_STATES, taskState: [null] }, 'attach_interface');
    const c = { projectId: auth.projectId ?? '', isAdmin: isAdmin(auth) };
    const r = await this.request(c, instance, a);
    // Docker: one endpoint per container and network; a chosen MAC only on the create-time interface
    const own = await this.d.novaNetwork.ports(instance.uuid);
    if (own.some((p) => p.network_id === r.networkId)) {
      throw new BadRequest(
        `Instance ${instance.uuid} already has an interface on network ${r.networkId}: a container has one interface per network.`,
      );
    }
    await this.d.db.transaction((trx) =>
      this.d.actions.start(trx, {
        instanceUuid: instance.uuid,
        action: 'attach_interface',
        requestId,
        userId: auth.userId,
        projectId: auth.projectId,
      }),
    );
    try {
      const port = await this.d.attach(instance, r, c.isAdmin, requestId);
      return { port, tag: r.tag ?? null };
    } catch (err) {
      if (err instanceof PortCreateError) throw new ApiError(err.attachStatus, err.message);
      if (err instanceof ApiError) throw err;
      throw new ApiError(500, `Failed to attach network adapter device to ${instance.uuid}`);
    }
  }

  /** The port or network to attach, checked as Nova's allocation checks it (statuses of attach_interfaces.py). */
  private async request(
    c: { projectId: string; isAdmin: boolean },
    instance: InstanceRow,
    a: AttachRequest,
  ): Promise<NetworkRequest> {
    const tag = a.tag ? { tag: a.tag } : {};
    if (a.portId) {
      const port = await this.d.repo.port(a.portId);
      const net = port && (await this.d.repo.network(port.network_id));
      if (!port || !(c.isAdmin || port.project_id === c.projectId || net?.project_id === c.projectId))
        throw InterfacePortNotFound(a.portId);
      if (port.device_id) throw new Conflict(`Port ${a.portId} is still in use.`);
      if (port.project_id !== instance.project_id)
        throw new BadRequest(`Port ${a.portId} not usable for instance ${instance.uuid}.`);
      if (!port.fixed_ips.length) throw new BadRequest(`Port ${a.portId} requires a FixedIP in order to be used.`);
      const v4 = port.fixed_ips.find((f) => !f.ip_address.includes(':'))?.ip_address;
      if (v4 && port.mac_address !== dockerMacFor(v4)) {
        throw new BadRequest(
          `Port ${a.portId} has the chosen MAC address ${port.mac_address}: Docker sets a MAC only on a container's first interface, at create.`,
        );
      }
      await this.d.requested.assertSubnets([port.network_id]);
      return { networkId: port.network_id, portId: port.id, ...tag };
    }
    if (a.netId) {
      const n = await this.d.repo.network(a.netId.toLowerCase());
      if (!n || !(c.isAdmin || n.project_id === c.projectId || n.shared || n.external))
        throw new NotFound(`Network ${a.netId} could not be found.`);
      if (n.external && !n.shared && !c.isAdmin)
        throw new Forbidden(`It is not allowed to create an interface on external network ${n.id}`);
      await this.d.requested.assertSubnets([n.id]);
      return { networkId: n.id, ...(a.fixedIp ? { fixedIp: a.fixedIp } : {}), ...tag };
    }
    let net;
    try {
      net = await this.d.requested.autoNetwork(c);
    } catch (err) {
      if (err instanceof Conflict) throw new BadRequest(err.message);
      throw err;
    }
    if (!net)
      throw new BadRequest(`No specific network was requested and none are available for project '${c.projectId}'.`);
    await this.d.requested.assertSubnets([net.id]);
    return { networkId: net.id, ...tag };
  }

  /** Queued as Nova casts it; a port the server does not have is 404 here (Nova's manager would log it). */
  async detach(auth: AuthContext, requestId: string, instance: InstanceRow, portId: string): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:os-attach-interfaces:delete');
    assertActionable(instance, auth, { vmState: INTERFACE_VM_STATES, taskState: [null] }, 'detach_interface');
    if (!(await this.d.novaNetwork.ports(instance.uuid)).some((p) => p.id === portId))
      throw InterfacePortNotFound(portId);
    await this.d.db.transaction(async (trx) => {
      await this.d.actions.start(trx, {
        instanceUuid: instance.uuid,
        action: 'detach_interface',
        requestId,
        userId: auth.userId,
        projectId: auth.projectId,
      });
      await this.d.worker.enqueue(trx, {
        instanceUuid: instance.uuid,
        kind: DETACH_INTERFACE_TASK,
        payload: { portId } satisfies DetachInterfacePayload,
        requestId,
      });
    });
  }
}
