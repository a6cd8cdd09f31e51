// The server actions Nova knows that a Docker host cannot carry out, answered as a real Nova
// deployment answers them in novadock's situation (nova-docker driver, no Neutron security groups,
// one host per container, no floating IPs): after the same policy, lock and state checks as Nova's
// compute/api.py, with the exception Nova raises at that point and its code and wording. None of
// them changes the server or records an instance action (each refusal comes where Nova refuses
// before `_record_action_start`); injectNetworkInfo is a 202 no-op because it is one in Nova too
// (the base driver's inject_network_info does nothing and nova-docker does not override it).
import type { AuthContext } from '../../../identity/auth-context.js';
import { authorize } from '../../../identity/policy.js';
import { BadRequest, Conflict, NotFound } from '../../../errors.js';
import { addressesOf, type InstanceRow } from '../../../db/repositories/instances-repo.js';
import type { HostsRepo } from '../../../db/repositories/hosts-repo.js';
import type { ImagePort } from '../../ports.js';
import { assertActionable, assertLaunched, assertNotLocked, assertState } from '../guards.js';
import { VmState } from '../states.js';

export interface UnsupportedActionsDeps {
  hostsRepo: HostsRepo;
  images: Pick<ImagePort, 'getForBoot'>;
  /** the host's name when its compute service is down (heartbeat), else null */
  hostDown?: (hostId: number) => Promise<string | null>;
  /** the id under which a project's "default" security group is shown (the views' stable id) */
  defaultGroupId: (projectId: string) => string;
}

export class UnsupportedActionsApi {
  constructor(private readonly d: UnsupportedActionsDeps) {}

  /**
   * rescue: nova-docker leaves the driver's rescue unimplemented (a container has no second disk
   * to boot a rescue system from). Refused as compute/api.py refuses an instance it cannot rescue:
   * InstanceNotRescuable, 400, before the task_state claim — so the server is not put into ERROR
   * as the failed cast would do.
   */
  async rescue(auth: AuthContext, instance: InstanceRow, rescueImageRef: string | undefined): Promise<never> {
    authorize(auth, 'write', 'os_compute_api:os-rescue');
    assertActionable(
      instance,
      auth,
      { vmState: [VmState.ACTIVE, VmState.STOPPED, VmState.ERROR], taskState: [null] },
      'rescue',
    );
    if (rescueImageRef !== undefined) {
      try {
        await this.d.images.getForBoot(auth, rescueImageRef);
      } catch (err) {
        if (err instanceof NotFound || err instanceof BadRequest)
          throw new BadRequest(`Requested rescue image '${rescueImageRef}' is not supported`);
        throw err;
      }
    }
    throw new BadRequest(
      `Instance ${instance.uuid} cannot be rescued: Driver Error: the Docker driver does not support rescue`,
    );
  }

  /** unrescue: only a RESCUED server can be unrescued, and no server here is ever rescued (409). */
  async unrescue(auth: AuthContext, instance: InstanceRow): Promise<never> {
    authorize(auth, 'write', 'os_compute_api:os-unrescue');
    assertNotLocked(instance, auth);
    assertState(instance, { vmState: [VmState.RESCUED], taskState: [null] }, 'unrescue');
    // Unreachable through the API (nothing sets vm_state rescued), kept so the method never claims success.
    throw new Conflict(`Cannot 'unrescue' instance ${instance.uuid} while it is in vm_state ${instance.vm_state}`);
  }

  /**
   * evacuate (admin): Nova first checks the target host (404 unknown, 400 same as the source),
   * then the state, then that the source compute service is DOWN (ComputeServiceInUse, 400).
   * With the source down, Nova's scheduler would rebuild elsewhere; a container's files live in
   * the dead engine, so here the answer is the scheduler's NoValidHost (400), as for migrate.
   */
  async evacuate(auth: AuthContext, instance: InstanceRow, host: string | undefined): Promise<never> {
    authorize(auth, 'admin', 'os_compute_api:os-evacuate');
    const hosts = await this.d.hostsRepo.list();
    if (host !== undefined && !hosts.some((h) => h.name === host))
      throw new NotFound(`Compute host ${host} not found.`);
    const source = hosts.find((h) => h.id === instance.host_id);
    if (host !== undefined && source?.name === host) throw new BadRequest("The target host can't be the same one.");
    assertState(instance, { vmState: [VmState.ACTIVE, VmState.STOPPED, VmState.ERROR], taskState: [null] }, 'evacuate');
    assertLaunched(instance, 'evacuate');
    if (source && this.d.hostDown && (await this.d.hostDown(source.id)) === null) {
      throw new BadRequest(`Compute service of ${source.name} is still in use.`);
    }
    throw new BadRequest(
      "No valid host was found. A server's container cannot be rebuilt on another Docker host (evacuate is not supported)",
    );
  }

  /** addSecurityGroup: the only group is the project's "default", which every networked server is already in. */
  async addSecurityGroup(auth: AuthContext, instance: InstanceRow, name: string): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:os-security-groups:add');
    this.resolveGroup(auth, instance, name);
    this.assertHasPorts(instance);
    // Neutron keeps a port's groups as a set: adding the group it already has changes nothing (202).
  }

  /**
   * removeSecurityGroup: the Docker bridge cannot shut a container out of its project's default
   * group (members always reach each other), so removing it is refused with 409 — one of the codes
   * Nova's removeSecurityGroup answers — instead of pretending the traffic is now blocked.
   */
  async removeSecurityGroup(auth: AuthContext, instance: InstanceRow, name: string): Promise<never> {
    authorize(auth, 'write', 'os_compute_api:os-security-groups:remove');
    this.resolveGroup(auth, instance, name);
    this.assertHasPorts(instance);
    throw new Conflict(
      `Security group ${name} cannot be removed from instance ${instance.uuid}: a container on the Docker bridge is always in its project's default group`,
    );
  }

  /** injectNetworkInfo (admin): lock-checked, then the driver's no-op (202, nothing recorded). */
  async injectNetworkInfo(auth: AuthContext, instance: InstanceRow): Promise<void> {
    authorize(auth, 'admin', 'os_compute_api:os-admin-actions:inject_network_info');
    assertNotLocked(instance, auth);
  }

  /** addFixedIp (< 2.44): a container has one address per network (Docker's), never a second one. */
  async addFixedIp(auth: AuthContext, instance: InstanceRow, networkId: string | number): Promise<never> {
    authorize(auth, 'write', 'os_compute_api:os-multinic:add');
    assertNotLocked(instance, auth);
    throw new BadRequest(`No fixed IP addresses available for network: ${networkId}`);
  }

  /** removeFixedIp (< 2.44): an address the server does not have is Nova's 400; its only address cannot go. */
  async removeFixedIp(auth: AuthContext, instance: InstanceRow, address: string): Promise<never> {
    authorize(auth, 'write', 'os_compute_api:os-multinic:remove');
    assertNotLocked(instance, auth);
    const own = addressesOf(instance).find((a) => a.addr === address);
    if (!own) throw new BadRequest(`Instance ${instance.uuid} does not have fixed IP '${address}'.`);
    throw new BadRequest(
      `Instance ${instance.uuid} cannot remove fixed IP '${address}': it is the container's only address on network ${own.network}`,
    );
  }

  /**
   * addFloatingIp (< 2.44): nova floating_ips.py checks the server's fixed IPs first (400s), then
   * looks the floating IP up; novadock has no floating IPs, so that lookup is the 404.
   */
  async addFloatingIp(
    auth: AuthContext,
    instance: InstanceRow,
    address: string,
    fixedAddress: string | undefined,
  ): Promise<never> {
    authorize(auth, 'write', 'os_compute_api:os-floating-ips:add');
    const fixed = addressesOf(instance);
    if (fixed.length === 0) throw new BadRequest('Instance network is not ready yet');
    if (fixedAddress !== undefined && !fixed.some((a) => a.addr === fixedAddress))
      throw new BadRequest('Specified fixed address not assigned to instance');
    if (fixedAddress === undefined && !fixed.some((a) => a.version === 4)) {
      throw new BadRequest(
        `Unable to associate floating IP ${address} to any fixed IPs for instance ${instance.uuid}. Instance has no fixed IPv4 addresses to associate.`,
      );
    }
    throw new NotFound('floating IP not found');
  }

  /** removeFloatingIp (< 2.44): Nova looks the address up first; none exists here (404). */
  async removeFloatingIp(auth: AuthContext, _instance: InstanceRow, address: string): Promise<never> {
    authorize(auth, 'write', 'os_compute_api:os-floating-ips:remove');
    throw new NotFound(`Floating IP not found for address ${address}.`);
  }

  /** nova security_group_api: name or id, looked up in the caller's project (Neutron's find_resourceid_by_name_or_id). */
  private resolveGroup(auth: AuthContext, instance: InstanceRow, name: string): void {
    if (name.trim() === '') throw new BadRequest('Security group name cannot be empty');
    const known = new Set([
      'default',
      this.d.defaultGroupId(auth.projectId ?? ''),
      this.d.defaultGroupId(instance.project_id),
    ]);
    if (!known.has(name)) throw new NotFound(`Security group ${name} is not found for project ${auth.projectId ?? ''}`);
  }

  /** A server without a network has no port to put a group on. */
  private assertHasPorts(instance: InstanceRow): void {
    if (!instance.network)
      throw new NotFound(`instance_id ${instance.uuid} could not be found as device id on any ports`);
  }
}
