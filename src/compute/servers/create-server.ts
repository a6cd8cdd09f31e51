// Server create (nova compute/api.py create, _provision_instances): the request checked in Nova's
// order (forced host, flavor, image, block devices, zone, key pair, quotas), then every server of
// the request written with its build task in one transaction. It never waits for Docker.
import { randomPassword } from './admin-password.js';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AuthContext } from '../../identity/auth-context.js';
import { authorize, isAdmin } from '../../identity/policy.js';
import {
  AvailabilityZoneNotAvailable,
  BadRequest,
  InvalidKeyName,
  NotFound,
  PolicyForbids,
  computeHostNotFound,
} from '../../errors.js';
import { type FlavorSnapshot, type InstanceRow, type NewInstance } from '../../db/repositories/instances-repo.js';
import { BUILD_TASK, type BuildPayload } from '../tasks.js';
import type { ImageRow } from '../ports.js';
import { TaskState, VmState } from './states.js';
import {
  assertInjectedFileQuota,
  bdmImageNotFound,
  noBlockStorage,
  resolveBlockDeviceMappings,
  type BdmV2,
  type LegacyBdm,
  type PersonalityFile,
} from './create-options.js';
import { parseAvailabilityZone, zoneForForcedHost } from './zone-request.js';
import { PowerState } from '../../virt/power-state.js';
import { checkMultipleInstances, parseNetworks, type NetworksInput } from '../network/requested-networks.js';
import { PortLimitExceeded } from '../network/errors.js';
import type { ComputeApiDeps } from './compute-api-deps.js';
import { accessIp } from './access-ips.js';

export type NetworksRequest = NetworksInput;

export interface CreateServerInput {
  name: string;
  imageRef: string | undefined;
  flavorRef: string;
  minCount: number;
  maxCount: number;
  networks: NetworksRequest;
  metadata: Record<string, string>;
  userData: string | null;
  keyName: string | null;
  availabilityZone: string | null;
  accessIPv4: string | null;
  accessIPv6: string | null;
  description: string | null;
  tags: string[];
  hostname: string | null;
  adminPass: string | null;
  configDrive: boolean;
  /** 2.74: host and/or hypervisor_hostname (admin only); both name a compute host here */
  requestedHost: string | null;
  /** 2.63 trusted_image_certificates (kept and shown; signature verification is not done here) */
  trustedCerts: string[] | null;
  /** the `group` scheduler hint: a server group uuid */
  serverGroup?: string | null;
  /** below 2.57: files to inject (base64 contents) */
  personality?: PersonalityFile[];
  blockDeviceMapping?: LegacyBdm[];
  blockDeviceMappingV2?: BdmV2[];
  /** security group names or ids (the project's groups in the network service) */
  securityGroups?: string[];
}

export interface CreateServerResult {
  instances: InstanceRow[];
  reservationId: string;
  adminPass: string;
}

export async function createServers(
  d: ComputeApiDeps,
  auth: AuthContext,
  requestId: string,
  input: CreateServerInput,
): Promise<CreateServerResult> {
  authorize(auth, 'write', 'os_compute_api:servers:create');
  const projectId = auth.projectId!;
  if (input.minCount > input.maxCount) throw new BadRequest('min_count must be <= max_count');
  // servers.py _get_requested_networks, then compute/api.py create's checks for several servers
  const requested = parseNetworks(input.networks);
  checkMultipleInstances(requested, input.maxCount);
  // "zone:host[:node]" forces a host (admins only), before anything else as in Nova's API
  const zoneRequest = parseAvailabilityZone(input.availabilityZone);
  const forcedHostName = zoneRequest.forcedHost ?? zoneRequest.forcedNode;
  if (forcedHostName !== null) {
    if (!isAdmin(auth)) throw PolicyForbids('os_compute_api:servers:create:forced_host');
    if (input.requestedHost) {
      throw new BadRequest(
        'One mechanism with host and/or hypervisor_hostname and another mechanism with zone:host:node are mutually exclusive.',
      );
    }
  }
  // Block device mappings first, as Nova's API does: they decide whether imageRef may be missing.
  const mapped = resolveBlockDeviceMappings(input.imageRef, input.blockDeviceMapping, input.blockDeviceMappingV2);

  const flavorId = lastPathSegment(input.flavorRef);
  const flavor = await d.flavors.find(flavorId, auth);
  if (!flavor) throw new BadRequest(`Flavor ${flavorId} could not be found.`);
  if (flavor.disabled) throw new BadRequest('Flavor is disabled.');
  // 2.90: one hostname cannot name several servers (nova compute/api.py create,
  // AmbiguousHostnameForMultipleInstances), checked before the image as there.
  if (input.hostname && input.maxCount > 1)
    throw new BadRequest('Unable to allocate a single hostname to multiple instances');
  for (const id of mapped.imagesToCheck) {
    await d.images.getForBoot(auth, id).catch((err) => {
      throw err instanceof NotFound ? bdmImageNotFound(id) : err;
    });
  }
  if (mapped.needsBlockStorage) throw noBlockStorage();
  const image = await bootImage(d, auth, lastPathSegment(mapped.imageRef));
  if (image.min_ram && flavor.memory_mb < Number(image.min_ram))
    throw new BadRequest("Flavor's memory is too small for requested image.");

  const keypair = input.keyName ? await d.keypairs.findForUser(auth.userId, input.keyName) : undefined;
  if (input.keyName && !keypair) throw InvalidKeyName();
  await d.quotas.assertMetadataItems(projectId, Object.keys(input.metadata).length, auth.userId);
  const personality = input.personality ?? [];
  if (personality.length) {
    assertInjectedFileQuota(
      personality,
      await d.quotas.limitsFor(projectId),
      await d.quotas.limitsForUser(projectId, auth.userId),
    );
  }
  // _check_requested_secgroups, then _check_requested_networks (validate_networks): may lower max_count
  const networks = await d.requestedNetworks.validate(
    { projectId, isAdmin: isAdmin(auth) },
    requested,
    input.maxCount,
    input.securityGroups,
  );
  if (networks.maxCount < input.minCount) throw PortLimitExceeded();
  const maxCount = Math.min(input.maxCount, networks.maxCount);
  // A forced host skips the zone check (Nova checks the zone only without one) and decides the zone.
  let zone = zoneRequest.zone;
  let requestedHostId: number | null;
  if (forcedHostName !== null) {
    const host = await d.hostsRepo.findByName(forcedHostName);
    if (!host) throw new BadRequest(`Compute host ${forcedHostName} could not be found.`);
    zone = zoneForForcedHost(zone, host.availability_zone);
    requestedHostId = host.id;
  } else {
    if (zone) await assertZone(d, zone);
    requestedHostId = input.requestedHost ? await requestedHost(d, auth, input.requestedHost) : null;
  }
  const extraSpecs = await d.flavors.extraSpecs(flavor.id);
  const snapshot: FlavorSnapshot = {
    id: flavor.id,
    name: flavor.name,
    memory_mb: flavor.memory_mb,
    vcpus: flavor.vcpus,
    root_gb: flavor.root_gb,
    ephemeral_gb: flavor.ephemeral_gb,
    swap: flavor.swap,
    extra_specs: extraSpecs,
  };
  const reservationId = `r-${randomToken(8)}`;
  const adminPass = input.adminPass ?? randomPassword(12);
  const now = d.clock.now().toISOString();

  const rows = await d.db.transaction(async (trx) => {
    const count = await d.quotas.allowedInstances(trx, projectId, {
      min: input.minCount,
      max: maxCount,
      vcpus: flavor.vcpus,
      memoryMb: flavor.memory_mb,
      userId: auth.userId,
    });
    const created: InstanceRow[] = [];
    for (let i = 0; i < count; i++) {
      const uuid = randomUUID();
      const name = count > 1 ? `${input.name}-${i + 1}` : input.name;
      const row: NewInstance = {
        uuid,
        project_id: projectId,
        user_id: auth.userId,
        display_name: name,
        display_description: input.description,
        hostname: input.hostname ?? sanitizeHostname(name, uuid),
        host_id: null,
        availability_zone: zone,
        flavor_id: flavor.id,
        vcpus: flavor.vcpus,
        memory_mb: flavor.memory_mb,
        root_gb: flavor.root_gb,
        ephemeral_gb: flavor.ephemeral_gb,
        swap_mb: flavor.swap,
        flavor_json: JSON.stringify(snapshot),
        image_ref: image.id,
        key_name: keypair?.name ?? null,
        key_data: keypair?.public_key ?? null,
        user_data: input.userData,
        config_drive: input.configDrive ? 'True' : '',
        access_ip_v4: accessIp(input.accessIPv4, 'ipv4'),
        access_ip_v6: accessIp(input.accessIPv6, 'ipv6'),
        vm_state: VmState.BUILDING,
        task_state: TaskState.SCHEDULING,
        power_state: PowerState.NOSTATE,
        locked: false,
        locked_by: null,
        locked_reason: null,
        reservation_id: reservationId,
        launch_index: i,
        launched_at: null,
        terminated_at: null,
        created_at: now,
        updated_at: now,
        deleted_at: null,
        deleted: false,
        progress: 0,
        container_id: null,
        network: null,
        addresses_json: null,
        server_group_id: null,
        trusted_certs: input.trustedCerts ? JSON.stringify(input.trustedCerts) : null,
      };
      await d.instances.insert(row, trx);
      await d.metadata.set(uuid, input.metadata, false, trx);
      if (input.tags.length) await d.tags.replace(uuid, input.tags, trx);
      await d.actions.start(trx, {
        instanceUuid: uuid,
        action: 'create',
        requestId,
        userId: auth.userId,
        projectId,
      });
      await d.worker.enqueue(trx, {
        instanceUuid: uuid,
        kind: BUILD_TASK,
        payload: {
          image,
          hostId: requestedHostId,
          ...(personality.length ? { files: personality } : {}),
          networks: {
            requests: networks.requests,
            ...(networks.securityGroupIds ? { securityGroupIds: networks.securityGroupIds } : {}),
            requesterIsAdmin: isAdmin(auth),
          },
        } satisfies BuildPayload,
        requestId,
      });
      created.push({ ...row, id: 0 });
    }
    // The `group` scheduler hint: membership (and its quota) is decided with the rows, so the
    // scheduler sees the group when the build task runs after this commit.
    if (input.serverGroup) {
      if (!d.serverGroups) throw new BadRequest('Server groups are not available.');
      const group = await d.serverGroups
        .addMembers(
          trx,
          auth,
          input.serverGroup,
          created.map((c) => c.uuid),
        )
        .catch((err) => {
          if (err instanceof NotFound)
            throw new BadRequest(`Invalid server group ${input.serverGroup}: it could not be found.`);
          throw err;
        });
      await d.instances.setServerGroup(
        created.map((c) => c.uuid),
        group.row.uuid,
        trx,
      );
      for (const c of created) c.server_group_id = group.row.uuid;
    }
    return created;
  });
  return { instances: rows, reservationId, adminPass };
}

async function bootImage(d: ComputeApiDeps, auth: AuthContext, ref: string): Promise<ImageRow> {
  let image: ImageRow;
  try {
    image = await d.images.getForBoot(auth, ref);
  } catch (err) {
    if (err instanceof NotFound) throw new BadRequest('Can not find requested image');
    throw err;
  }
  d.images.assertBootable?.(image);
  return image;
}

/** 2.74 requested destination: admins only; the host must exist. */
async function requestedHost(d: ComputeApiDeps, auth: AuthContext, name: string): Promise<number> {
  if (!isAdmin(auth)) throw PolicyForbids('compute:servers:create:requested_destination');
  const host = await d.hostsRepo.findByName(name);
  if (!host) throw new BadRequest(computeHostNotFound(name));
  return host.id;
}

async function assertZone(d: ComputeApiDeps, zone: string): Promise<void> {
  const hosts = await d.hostsRepo.list();
  if (!hosts.some((h) => h.availability_zone === zone && !h.disabled)) {
    throw AvailabilityZoneNotAvailable();
  }
}

export function lastPathSegment(ref: string): string {
  const trimmed = ref.replace(/\/+$/, '');
  return trimmed.includes('/') ? trimmed.slice(trimmed.lastIndexOf('/') + 1) : trimmed;
}

/** nova utils.sanitize_hostname: a DNS label from a display name. */
export function sanitizeHostname(name: string, uuid: string): string {
  let h = name.normalize('NFKD').replace(/[^\x00-\x7f]/g, '');
  h = h
    .replace(/[ _.]/g, '-')
    .replace(/[^\w.-]+/g, '')
    .toLowerCase();
  h = h
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, 63)
    .replace(/[.-]+$/g, '');
  return h || `server-${uuid}`;
}

function randomToken(n: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join('');
}
