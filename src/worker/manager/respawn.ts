// Shared worker steps for the build and for the actions that replace or image a server's container
// (rebuild, unshelve, snapshot, shelve): the container spec from the server row (as build does), a
// task_state step, and the failure path (fault + task_state back to None, optionally ERROR).
import type { ImageRow } from '../../compute/ports.js';
import { imageProperties } from '../../db/repositories/images-repo.js';
import { flavorOf, type InstanceRow } from '../../db/repositories/instances-repo.js';
import type { ComputeHostRow } from '../../db/repositories/hosts-repo.js';
import type { ComputeDriver, InstanceInfo, SpawnInterface } from '../../virt/driver.js';
import { DriverError, InstanceNotFound, InstanceNotReady } from '../../errors.js';
import type { ManagerDeps } from './deps.js';
import { splitCommand } from './command-line.js';
import { withSpawnSlot } from './spawn-gate.js';
import { isPreempted, recordFault } from './safety.js';
import { metadataEnvironment } from './metadata-env.js';
import type { PersonalityFile } from '../../compute/servers/create-options.js';

/**
 * Loads `image` on the host, writes a fresh config drive and creates + starts the container, with
 * `files` (personality) written into it before it starts. Nova keeps no copy of injected files:
 * they live on in the server's disk (here: the container, and the image a shelve commits), and a
 * rebuild injects only the files its own request names.
 */
export async function spawnFromImage(
  d: ManagerDeps,
  instance: InstanceRow,
  image: ImageRow,
  host: ComputeHostRow,
  driver: ComputeDriver,
  files: PersonalityFile[] = [],
): Promise<InstanceInfo> {
  const props = imageProperties(image);
  // A rebuild may drop user_data: start the drive from nothing so no old file survives.
  await d.configDrives.remove(instance.uuid);
  // The metadata of this moment (create, rebuild, unshelve) goes into the config drive and, as
  // nova-docker did, into the environment (metadata-env.ts); a later metadata change reaches
  // neither until the next respawn: a running process cannot be given new environment.
  const metadata = await d.metadata.get(instance.uuid);
  const { env, skipped } = metadataEnvironment(metadata);
  if (skipped.length > 0)
    d.log.warn({ instance: instance.uuid, keys: skipped }, "metadata not passed as environment (NUL or '=')");
  // The image as recorded on the host, without asking Docker first: if the engine lost it, the
  // spawn says "No such image" and is tried once more after a checked load.
  const [dockerImage, interfaces, mounts] = await Promise.all([
    d.imageLoader.ensureLoaded(image, host.id, driver, { trustRecord: true }),
    interfacesFor(d, instance, host, driver),
    d.configDrives.write(instance, metadata),
  ]);
  // A bounded number of spawns at a time per host (spawn-gate.ts).
  const spawnOf = (imageId: string) =>
    withSpawnSlot(host.id, () =>
      driver.spawn({
        instanceUuid: instance.uuid,
        projectId: instance.project_id,
        hostname: instance.hostname,
        image: imageId,
        memoryMb: instance.memory_mb,
        vcpus: instance.vcpus,
        pidsLimit: pidsLimitOf(d, instance),
        command: props.os_command_line ? splitCommand(props.os_command_line) : undefined,
        tty: props.novadock_tty ? !/^(false|0|no|off)$/i.test(props.novadock_tty) : true,
        env,
        interfaces,
        mounts,
        ...(files.length
          ? { files: files.map((f) => ({ path: f.path, contents: Buffer.from(f.contents, 'base64') })) }
          : {}),
      }),
    );
  try {
    return await spawnOf(dockerImage);
  } catch (err) {
    if (!(err instanceof DriverError && err.kind === 'not-found' && /no such image/i.test(err.message))) throw err;
    return spawnOf(await d.imageLoader.ensureLoaded(image, host.id, driver));
  }
}

/** The container's interfaces: its ports' (the network service's); a server from before it keeps its legacy network. */
async function interfacesFor(
  d: ManagerDeps,
  instance: InstanceRow,
  host: ComputeHostRow,
  driver: ComputeDriver,
): Promise<SpawnInterface[]> {
  const own = await d.novaNetwork.spawnInterfaces(instance.uuid, host.id);
  if (own.length || !instance.network) return own;
  const legacy = await d.networks.attachFor(instance.network, host.id, driver);
  return legacy ? [{ network: legacy }] : [];
}

/**
 * After a spawn: the server's ports are ACTIVE on the host (floating IPs attached) and its network
 * info cache is rebuilt from them; the value for addresses_json. A legacy server: what Docker reports.
 */
export async function networkInfoAfterSpawn(
  d: ManagerDeps,
  instance: InstanceRow,
  host: ComputeHostRow,
  info: InstanceInfo,
): Promise<string | null> {
  const cache = await d.novaNetwork.plugged(instance.uuid, host, info);
  if (!cache) return instance.network ? JSON.stringify(info.addresses) : null;
  return cache.length ? JSON.stringify(cache) : null;
}

export function pidsLimitOf(d: ManagerDeps, instance: Pick<InstanceRow, 'flavor_json'>): number {
  const pids = Number(flavorOf(instance).extra_specs?.['novadock:pids_limit']);
  return Number.isInteger(pids) && pids > 0 ? pids : d.pidsLimit;
}

/** task_state `from` → `to` (compare-and-swap), with more column changes if given. */
export async function step(
  d: ManagerDeps,
  uuid: string,
  from: readonly (string | null)[],
  to: string | null,
  more: Partial<InstanceRow> = {},
): Promise<void> {
  await d.instances.updateWithExpectedTaskState(
    uuid,
    { ...more, task_state: to, updated_at: d.clock.now().toISOString() },
    from,
  );
}

/** The server's host and its driver; a server without a host cannot be acted on. */
export async function hostAndDriver(
  d: ManagerDeps,
  instance: InstanceRow,
): Promise<{ host: ComputeHostRow; driver: ComputeDriver }> {
  const host = instance.host_id ? await d.hostsRepo.findById(instance.host_id) : undefined;
  if (!host) throw InstanceNotReady(instance.uuid);
  return { host, driver: await d.hosts.driverFor(host.id) };
}

/**
 * Nova's reverts_task_state + wrap_instance_fault for a multi-step action: record a fault, put
 * task_state back to None from any of `taskStates` (unless a delete took over), and apply `more`
 * (e.g. vm_state error). Returns quietly.
 */
export async function failAction(
  d: ManagerDeps,
  uuid: string,
  err: unknown,
  host: string | null,
  taskStates: readonly string[],
  more: Partial<InstanceRow> = {},
): Promise<void> {
  if (isPreempted(err)) return;
  d.log.warn({ err, instance: uuid }, 'server action failed');
  const now = await d.instances.findByUuid(uuid);
  if (!now || now.deleted || (now.task_state !== null && !taskStates.includes(now.task_state))) return;
  await recordFault(d, uuid, err, host);
  await step(d, uuid, taskStates, null, more).catch((e) => {
    if (!isPreempted(e) && !(e instanceof Error && e.message === InstanceNotFound(uuid).message)) throw e;
  });
}
