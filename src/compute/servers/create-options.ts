// The server-create options that Nova hands to other services (Cinder for block devices, Neutron
// for security groups) or to the hypervisor (personality files), checked with Nova's answers.
// novadock has no block storage and one security group per project, so most of what these options
// can ask for is refused with the 400 Nova gives when the volume, snapshot or group is not there.
import { BadRequest, QuotaExceeded } from '../../errors.js';

// ---- personality (nova compute/api.py _check_injected_file_quota) --------------------------------
/** One `personality` item: contents are base64 (the schema checked that). */
export interface PersonalityFile {
  path: string;
  contents: string;
}

export interface InjectedFileLimits {
  injected_files: number;
  injected_file_path_bytes: number;
  injected_file_content_bytes: number;
}

const over = (value: number, limit: number) => limit >= 0 && value > limit;
/** Python's len() of a str: code points, not UTF-16 units. */
const pyLen = (s: string) => Array.from(s).length;

/**
 * Nova's quota check on injected files (DbQuotaDriver.limit_check): the count first, then the
 * longest path and the longest (still base64) contents, each over when above the project's or the
 * user's limit; the path is reported before the contents, and the number shown is the project's
 * limit, as in Nova. OverQuota is a 403 on create and rebuild.
 */
export function assertInjectedFileQuota(
  files: readonly Partial<PersonalityFile>[],
  limits: InjectedFileLimits,
  userLimits: InjectedFileLimits = limits,
): asserts files is PersonalityFile[] {
  if (files.length === 0) return;
  // The schema lets an item lack either key; Nova's older API answered this way (newer ones fail).
  for (const f of files)
    for (const key of ['path', 'contents'] as const) {
      if (typeof f[key] !== 'string') throw new BadRequest(`Bad personality format: missing '${key}'`);
    }
  const complete = files as PersonalityFile[];
  const overEither = (value: number, key: keyof InjectedFileLimits) =>
    over(value, limits[key]) || over(value, userLimits[key]);
  if (overEither(files.length, 'injected_files')) throw new QuotaExceeded('Personality file limit exceeded');
  const maxPath = Math.max(...complete.map((f) => pyLen(f.path)));
  const maxContent = Math.max(...complete.map((f) => pyLen(f.contents)));
  if (overEither(maxPath, 'injected_file_path_bytes')) {
    throw new QuotaExceeded(`Personality file path exceeds maximum ${limits.injected_file_path_bytes}`);
  }
  if (overEither(maxContent, 'injected_file_content_bytes')) {
    throw new QuotaExceeded(`Personality file content exceeds maximum ${limits.injected_file_content_bytes}`);
  }
}

// ---- security groups (nova compute/api.py _check_requested_secgroups, network/security_group_api) --
/**
 * Nova passes "default" through untouched and asks Neutron for any other name or id among the
 * project's groups. The project's only group here is its default one (by name or by its id).
 */
export function assertSecurityGroups(names: readonly string[], defaultGroupId: string): void {
  for (const name of new Set(names)) {
    if (name === 'default' || name === defaultGroupId) continue;
    throw new BadRequest(`Unable to find security_group with name or id '${name}'`);
  }
}

// ---- block device mappings (api servers.py _process_bdms_for_create, block_device.py from_api,
// compute/api.py _validate_bdm and block_device.get_bdm_image_metadata) -----------------------
export interface LegacyBdm {
  virtual_name?: string;
  volume_id?: string;
  snapshot_id?: string;
  volume_size?: number | string;
  device_name?: string;
  delete_on_termination?: boolean | string;
  no_device?: unknown;
}
export interface BdmV2 extends LegacyBdm {
  source_type?: 'volume' | 'image' | 'snapshot' | 'blank';
  destination_type?: 'local' | 'volume';
  uuid?: string;
  image_id?: string;
  boot_index?: number | string | null;
  volume_type?: string | null;
  guest_format?: string;
  device_type?: string;
  disk_bus?: string;
  tag?: string;
}

const INVALID = 'Block Device Mapping is Invalid: ';
const NO_BLOCK_STORAGE =
  `${INVALID}novadock has no block storage: only the boot image can be mapped ` +
  '(source_type image, destination_type local, boot_index 0, uuid = imageRef).';

/** What the mappings leave: the image to boot, images they name (to look up) and whether the rest needs block storage. */
export interface BootFromMappings {
  /** '' when only mappings were given (Nova then boots from them) */
  imageRef: string;
  /** images a mapping names other than imageRef: each must exist ("failed to get image X.") */
  imagesToCheck: string[];
  /** the mappings ask for a volume or a second disk, which novadock cannot give */
  needsBlockStorage: boolean;
}

/** The answer once every named image exists and the mappings still ask for block storage. */
export const noBlockStorage = () => new BadRequest(NO_BLOCK_STORAGE);
export const bdmImageNotFound = (id: string) => new BadRequest(`${INVALID}failed to get image ${id}.`);

/**
 * Checks block_device_mapping(_v2) as Nova does and returns the image to boot. The one mapping
 * novadock can honour is the ephemeral root disk from the boot image; every volume, snapshot or
 * extra disk gets the answer Nova gives when Cinder does not have it.
 */
export function resolveBlockDeviceMappings(
  imageRef: string | undefined,
  legacy: readonly LegacyBdm[] | undefined,
  v2: readonly BdmV2[] | undefined,
): BootFromMappings {
  const legacyList = legacy ?? [];
  const v2List = v2 ?? [];
  if (legacyList.length > 0 && v2List.length > 0) {
    throw new BadRequest('Using different block_device_mapping syntaxes is not allowed in the same request.');
  }
  const imageSpecified = imageRef !== undefined && imageRef !== '';
  const mappings = legacyList.length > 0 ? legacyList : v2List;
  if (legacyList.length === 0) v2List.forEach((m) => fromApi(m, imageSpecified));
  if (!imageSpecified && mappings.length === 0) throw new BadRequest('Missing imageRef attribute');
  const real = mappings.filter((m) => !m.no_device);
  if (real.length === 0) {
    if (!imageSpecified)
      throw new BadRequest(
        `${INVALID}Boot sequence for the instance and image/block device mapping combination is not valid.`,
      );
    return { imageRef: imageRef, imagesToCheck: [], needsBlockStorage: false };
  }
  return legacyList.length > 0
    ? checkLegacy(
        imageRef,
        legacyList.filter((m) => !m.no_device),
      )
    : checkV2(imageRef, real);
}

/** block_device.py BlockDeviceDict.from_api (+ its constructor's required-field check). */
function fromApi(m: BdmV2, imageSpecified: boolean): void {
  if (m.no_device) return;
  const source = m.source_type;
  if (source === 'blank' && m.uuid) throw new BadRequest(`${INVALID}Invalid device UUID.`);
  if (source !== 'blank' && !m.uuid) throw new BadRequest(`${INVALID}Missing device UUID.`);
  if (source === 'image' && m.destination_type === 'local' && !(imageSpecified && bootIndex(m) === 0)) {
    throw new BadRequest(`${INVALID}Mapping image to local is not supported.`);
  }
  if (m.destination_type === 'local' && m.volume_type) {
    throw new BadRequest(`${INVALID}Specifying a volume_type with destination_type=local is not supported.`);
  }
  if (source === 'volume' && m.volume_type)
    throw new BadRequest(`${INVALID}Specifying volume type to existing volume is not supported.`);
  // Nova stores uuid as <source_type>_id: without a source_type that is the bogus field "None_id".
  if (source === undefined) throw new BadRequest(`${INVALID}Following fields are invalid: None_id`);
}

function bootIndex(m: BdmV2): number {
  return m.boot_index === undefined || m.boot_index === null ? -1 : Number(m.boot_index);
}

function checkV2(imageRef: string | undefined, mappings: BdmV2[]): BootFromMappings {
  const imageSpecified = !!imageRef;
  const idOf = (m: BdmV2) => m.uuid ?? m.image_id ?? m.volume_id ?? m.snapshot_id ?? '';
  // Without imageRef the boot mapping gives the image metadata (get_bdm_image_metadata): its
  // volume or snapshot is looked up first.
  const boot = mappings.find((m) => bootIndex(m) === 0);
  if (!imageSpecified && boot) {
    if (boot.source_type === 'volume') throw new BadRequest(`${INVALID}failed to get volume ${idOf(boot)}.`);
    if (boot.source_type === 'snapshot') throw new BadRequest(`Snapshot ${idOf(boot)} could not be found.`);
  }
  // compute/api.py _get_volumes_for_bdms: every pre-existing volume is fetched from Cinder.
  const volume = mappings.find((m) => m.source_type === 'volume');
  if (volume) throw new BadRequest(`Volume ${idOf(volume)} could not be found.`);
  // _validate_bdm: boot indexes 0, 1, 2 … with at least one.
  const indexes = mappings
    .map(bootIndex)
    .filter((i) => i >= 0)
    .sort((a, b) => a - b);
  if (indexes.length === 0 || indexes.some((v, i) => v !== i)) {
    throw new BadRequest(
      `${INVALID}Boot sequence for the instance and image/block device mapping combination is not valid.`,
    );
  }
  const imagesToCheck: string[] = [];
  for (const m of mappings) {
    if (m.source_type === 'image') {
      if (idOf(m) !== imageRef) imagesToCheck.push(idOf(m));
      if (m.destination_type === 'volume' && !m.volume_size) {
        throw new BadRequest("Images with destination_type 'volume' need to have a non-zero size specified");
      }
    } else if (m.source_type === 'snapshot') {
      throw new BadRequest(`${INVALID}failed to get snapshot ${idOf(m)}.`);
    } else if (m.source_type === 'blank' && m.destination_type === 'volume' && !m.volume_size) {
      throw new BadRequest("Blank volumes (source: 'blank', dest: 'volume') need to have non-zero size");
    }
  }
  // What is left would need Cinder (a new volume) or a second disk: neither exists here. The one
  // mapping honoured is the root disk from the boot image, which Nova allows only with imageRef.
  const honoured = (m: BdmV2) => m.source_type === 'image' && m.destination_type === 'local' && bootIndex(m) === 0;
  return {
    imageRef: imageRef ?? '',
    imagesToCheck,
    needsBlockStorage: !imageSpecified || mappings.some((m) => !honoured(m)),
  };
}

/** Legacy mappings (block_device.from_legacy_mapping): volumes and snapshots, or extra local disks. */
function checkLegacy(imageRef: string | undefined, mappings: LegacyBdm[]): BootFromMappings {
  // block_device.get_device_letter: /dev/vda1 → "a", the root disk.
  const isRoot = (m: LegacyBdm) =>
    (m.device_name ?? '')
      .replace(/^\/dev\//, '')
      .replace(/^(x?v|s|h)d/, '')
      .replace(/\d+/g, '') === 'a';
  if (!imageRef) {
    const boot = mappings.find((m) => isRoot(m) && (m.volume_id || m.snapshot_id));
    if (boot?.snapshot_id) throw new BadRequest(`Snapshot ${boot.snapshot_id} could not be found.`);
    if (boot?.volume_id) throw new BadRequest(`${INVALID}failed to get volume ${boot.volume_id}.`);
  }
  const volume = mappings.find((m) => m.volume_id);
  if (volume) throw new BadRequest(`Volume ${volume.volume_id} could not be found.`);
  if (!imageRef)
    throw new BadRequest(
      `${INVALID}Boot sequence for the instance and image/block device mapping combination is not valid.`,
    );
  const snapshot = mappings.find((m) => m.snapshot_id);
  if (snapshot) throw new BadRequest(`${INVALID}failed to get snapshot ${snapshot.snapshot_id}.`);
  return { imageRef, imagesToCheck: [], needsBlockStorage: true };
}
