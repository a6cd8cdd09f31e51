// Server view builder (nova/api/openstack/compute/views/servers.py): `create` for POST, `basic`
// for GET /servers, `show` for GET /servers/{id} and /servers/detail, `update` for PUT. Field sets
// follow Nova's response schemas per microversion (openstack-contract.md B9, the golden files):
//   2.3 extended attributes (admin) · 2.9 locked · 2.16 host_status (admin) · 2.19 description
//   2.26 tags · 2.47 embedded flavor · 2.63 trusted_image_certificates · 2.71 server_groups
//   (show/update, not list-detail) · 2.73 locked_reason · 2.75 update = show · 2.90 hostname for all.
// status is derived from (vm_state, task_state) by states.ts, never stored.
import { createHash } from 'node:crypto';
import { type AuthContext, isAdmin } from '../../../../identity/auth-context.js';
import { statusFromState } from '../../../../compute/servers/states.js';
import { novaTime } from '../../../../db/time.js';
import { addressesOf, flavorOf, type InstanceRow } from '../../../../db/repositories/instances-repo.js';
import type { InstanceFaultRow } from '../../../../db/repositories/instance-faults-repo.js';
import type { ComputeHostRow } from '../../../../db/repositories/hosts-repo.js';
import type { ServerExtras } from '../../../../compute/servers/server-extras.js';
import type { ApiVersion } from '../../../../compute/api-version.js';

export interface ServerViewContext {
  /** http://host:port (compute lives under /compute) */
  base: string;
  version: ApiVersion;
  auth: AuthContext;
  /** whether a host is up (host_status); absent: UP when the host is known */
  hostUp?: (host: ComputeHostRow) => boolean;
}

export type ShowKind = 'show' | 'detail' | 'update';

/**
 * The instances columns the full document reads: a list selects only these (and the extras' own,
 * server-extras.ts EXTRAS_COLUMNS), not the 43 of `instances.*` (1,000 rows: 7.6 -> 4.7 ms of
 * SQLite reading, most of it making strings). The row type below makes reading any other column a
 * type error.
 */
export const SERVER_VIEW_COLUMNS = [
  'id',
  'uuid',
  'display_name',
  'display_description',
  'project_id',
  'user_id',
  'image_ref',
  'flavor_json',
  'addresses_json',
  'access_ip_v4',
  'access_ip_v6',
  'availability_zone',
  'config_drive',
  'key_name',
  'hostname',
  'reservation_id',
  'launch_index',
  'user_data',
  'vm_state',
  'task_state',
  'power_state',
  'progress',
  'locked',
  'locked_reason',
  'launched_at',
  'terminated_at',
  'created_at',
  'updated_at',
  'trusted_certs',
  'server_group_id',
] as const satisfies readonly (keyof InstanceRow)[];
export type ServerViewRow = Pick<InstanceRow, (typeof SERVER_VIEW_COLUMNS)[number]>;
/** What GET /servers (the basic view) reads. */
export const SERVER_BASIC_COLUMNS = ['uuid', 'display_name'] as const satisfies readonly (keyof InstanceRow)[];
type BasicRow = Pick<InstanceRow, (typeof SERVER_BASIC_COLUMNS)[number]>;

/** nova views/servers.py _progress_statuses: only these show `progress`. */
const PROGRESS_STATUSES = new Set(['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING']);

export function serverLinks(base: string, uuid: string) {
  return [
    { rel: 'self', href: `${base}/compute/v2.1/servers/${uuid}` },
    { rel: 'bookmark', href: `${base}/compute/servers/${uuid}` },
  ];
}

/** `requestedGroups`: the request's security_groups, which Nova echoes as given ([{name: 'default'}] if none). */
export function renderServerCreate(
  ctx: ServerViewContext,
  row: InstanceRow,
  adminPass: string,
  requestedGroups?: unknown[],
): Record<string, unknown> {
  return {
    server: {
      id: row.uuid,
      links: serverLinks(ctx.base, row.uuid),
      'OS-DCF:diskConfig': 'MANUAL',
      security_groups: requestedGroups ?? [{ name: 'default' }],
      adminPass,
    },
  };
}

export function renderServerBasic(ctx: ServerViewContext, row: BasicRow): Record<string, unknown> {
  return { id: row.uuid, name: row.display_name, links: serverLinks(ctx.base, row.uuid) };
}

/** Small memo for values recomputed for every row of a list (bounded; cleared when full). */
function memo<V>(limit: number): (key: string, make: () => V) => V {
  const m = new Map<string, V>();
  return (key, make) => {
    let v = m.get(key);
    if (v === undefined) {
      if (m.size >= limit) m.clear();
      v = make();
      m.set(key, v);
    }
    return v;
  };
}
const hostIds = memo<string>(4096);
const flavorViews = memo<Record<string, unknown>>(1024);

/** Nova's hostId: sha224(project_id + host), "" while unscheduled. */
export function hostIdOf(projectId: string, hostName: string | null | undefined): string {
  if (!hostName) return '';
  return hostIds(`${projectId}\u0000${hostName}`, () =>
    createHash('sha224')
      .update(projectId + hostName)
      .digest('hex'),
  );
}

/** Nova's microsecond timestamp for launched_at/terminated_at: "2026-11-27T19:13:58.000000". */
function usageTime(iso: string | null): string | null {
  return iso ? `${iso.slice(0, 19)}.${iso.slice(20, 23)}000` : null;
}

function renderAddresses(row: Pick<InstanceRow, 'addresses_json'>, full: boolean): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const a of addressesOf(row)) {
    const item: Record<string, unknown> = { version: a.version, addr: a.addr };
    if (full) {
      item['OS-EXT-IPS:type'] = a.type ?? 'fixed';
      item['OS-EXT-IPS-MAC:mac_addr'] = a.mac;
    }
    (out[a.network] ??= []).push(item);
  }
  return out;
}

export function renderAddressesFull(row: InstanceRow): Record<string, unknown[]> {
  return renderAddresses(row, true);
}

function renderImage(ctx: ServerViewContext, row: ServerViewRow): unknown {
  if (!row.image_ref) return '';
  return { id: row.image_ref, links: [{ rel: 'bookmark', href: `${ctx.base}/compute/images/${row.image_ref}` }] };
}

function renderFlavor(ctx: ServerViewContext, row: ServerViewRow): unknown {
  // The same snapshot text repeats across a list: parse and shape it once (a fresh copy per row).
  const legacy = ctx.version.lt('2.47');
  const shaped = flavorViews(`${legacy ? 'L' : 'E'}${ctx.base}\u0000${row.flavor_json}`, () =>
    shapeFlavor(ctx, row, legacy),
  );
  return legacy
    ? { id: shaped.id, links: shaped.links }
    : { ...shaped, extra_specs: { ...(shaped.extra_specs as object) } };
}

function shapeFlavor(ctx: ServerViewContext, row: ServerViewRow, legacy: boolean): Record<string, unknown> {
  const f = flavorOf(row);
  if (legacy) {
    return { id: f.id, links: [{ rel: 'bookmark', href: `${ctx.base}/compute/flavors/${encodeURIComponent(f.id)}` }] };
  }
  return {
    vcpus: f.vcpus,
    ram: f.memory_mb,
    disk: f.root_gb,
    ephemeral: f.ephemeral_gb,
    swap: f.swap,
    original_name: f.name,
    extra_specs: f.extra_specs ?? {},
  };
}

function renderFault(fault: InstanceFaultRow, admin: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    code: fault.code,
    created: novaTime(fault.created_at),
    message: fault.message,
  };
  // Nova shows details to admins always, to others only for non-500 faults.
  if (fault.details && (admin || fault.code !== 500)) out.details = fault.details;
  return out;
}

/** The full server document for show, list-detail and (from 2.75) update. */
/** What the caller's microversion and role show, decided once per request (per context), not per server. */
interface Shown {
  admin: boolean;
  reducedUpdate: boolean;
  extendedAttributes: boolean;
  hostname: boolean;
  hostStatus: boolean;
  locked: boolean;
  lockedReason: boolean;
  description: boolean;
  tags: boolean;
  trustedCerts: boolean;
  serverGroups: boolean;
}
const shownFor = new WeakMap<ServerViewContext, Shown>();

function shown(ctx: ServerViewContext): Shown {
  let f = shownFor.get(ctx);
  if (!f) {
    const v = ctx.version;
    const admin = isAdmin(ctx.auth);
    f = {
      admin,
      reducedUpdate: v.lt('2.75'),
      extendedAttributes: v.gte('2.3') && admin,
      hostname: v.gte('2.90'),
      hostStatus: v.gte('2.16') && admin,
      locked: v.gte('2.9'),
      lockedReason: v.gte('2.73'),
      description: v.gte('2.19'),
      tags: v.gte('2.26'),
      trustedCerts: v.gte('2.63'),
      serverGroups: v.gte('2.71'),
    };
    shownFor.set(ctx, f);
  }
  return f;
}

export function renderServerShow(
  ctx: ServerViewContext,
  row: ServerViewRow,
  extras: ServerExtras,
  kind: ShowKind = 'show',
): Record<string, unknown> {
  const f = shown(ctx);
  const admin = f.admin;
  // Before 2.75 the update response is Nova's reduced document.
  if (kind === 'update' && f.reducedUpdate) return renderServerUpdateLegacy(ctx, row, extras);
  const hostName = extras.host?.name ?? null;
  const status = statusFromState(row.vm_state, row.task_state);
  const s = coreDocument(ctx, row, extras, status, hostName, true);
  s['OS-EXT-AZ:availability_zone'] = row.availability_zone ?? '';
  s.config_drive = row.config_drive ?? '';
  s.key_name = row.key_name;
  s['OS-SRV-USG:launched_at'] = usageTime(row.launched_at);
  s['OS-SRV-USG:terminated_at'] = usageTime(row.terminated_at);
  if (admin) {
    s['OS-EXT-SRV-ATTR:host'] = hostName;
    s['OS-EXT-SRV-ATTR:instance_name'] = hostName ? instanceName(row) : '';
    s['OS-EXT-SRV-ATTR:hypervisor_hostname'] = hostName;
  }
  if (f.extendedAttributes) {
    s['OS-EXT-SRV-ATTR:reservation_id'] = row.reservation_id;
    s['OS-EXT-SRV-ATTR:launch_index'] = row.launch_index;
    s['OS-EXT-SRV-ATTR:hostname'] = row.hostname;
    s['OS-EXT-SRV-ATTR:kernel_id'] = '';
    s['OS-EXT-SRV-ATTR:ramdisk_id'] = '';
    s['OS-EXT-SRV-ATTR:root_device_name'] = row.launched_at ? '/dev/sda' : null;
    s['OS-EXT-SRV-ATTR:user_data'] = row.user_data;
  } else if (f.hostname) {
    s['OS-EXT-SRV-ATTR:hostname'] = row.hostname;
  }
  s['OS-EXT-STS:task_state'] = row.task_state;
  s['OS-EXT-STS:vm_state'] = row.vm_state;
  s['OS-EXT-STS:power_state'] = row.power_state;
  s['os-extended-volumes:volumes_attached'] = [];
  if (extras.securityGroups.length) s.security_groups = extras.securityGroups.map((name) => ({ name }));
  if (extras.fault && (status === 'ERROR' || status === 'DELETED')) s.fault = renderFault(extras.fault, admin);
  if (f.hostStatus) s.host_status = hostName && extras.host ? hostStatus(ctx, extras.host) : '';
  addVersionedFields(s, ctx, row, extras, kind !== 'detail');
  return s;
}

/** PUT /servers/{id} before 2.75: the required fields plus diskConfig, accessIPs, fault, progress. */
function renderServerUpdateLegacy(
  ctx: ServerViewContext,
  row: ServerViewRow,
  extras: ServerExtras,
): Record<string, unknown> {
  const status = statusFromState(row.vm_state, row.task_state);
  const s = coreDocument(ctx, row, extras, status, extras.host?.name, false);
  if (extras.fault && (status === 'ERROR' || status === 'DELETED'))
    s.fault = renderFault(extras.fault, isAdmin(ctx.auth));
  addVersionedFields(s, ctx, row, extras, true);
  return s;
}

/** A list's servers share a few host rows: each one's status is worked out once per request (per context). */
const hostStatuses = new WeakMap<ServerViewContext, Map<ComputeHostRow, string>>();

function hostStatus(ctx: ServerViewContext, host: ComputeHostRow): string {
  let known = hostStatuses.get(ctx);
  if (!known) hostStatuses.set(ctx, (known = new Map()));
  let status = known.get(host);
  if (status === undefined) known.set(host, (status = hostStatusNow(ctx, host)));
  return status;
}

function hostStatusNow(ctx: ServerViewContext, host: ComputeHostRow): string {
  if (host.forced_down) return 'DOWN';
  if (ctx.hostUp && !ctx.hostUp(host)) return host.last_seen_at ? 'DOWN' : 'UNKNOWN';
  if (host.disabled) return 'MAINTENANCE';
  return 'UP';
}

/** Nova's instance name template instance-%08x. */
export function instanceName(row: Pick<InstanceRow, 'id'>): string {
  return `instance-${row.id.toString(16).padStart(8, '0')}`;
}

export function renderIps(row: InstanceRow): Record<string, unknown> {
  return { addresses: renderAddresses(row, false) };
}

export function renderIpsForNetwork(row: InstanceRow, network: string): Record<string, unknown> | null {
  const all = renderAddresses(row, false);
  return all[network] ? { [network]: all[network] } : null;
}

/** The fields every full server document starts with (show, detail and the pre-2.75 update). */
function coreDocument(
  ctx: ServerViewContext,
  row: ServerViewRow,
  extras: ServerExtras,
  status: string,
  hostName: string | null | undefined,
  fullAddresses: boolean,
): Record<string, unknown> {
  const s: Record<string, unknown> = {
    id: row.uuid,
    name: row.display_name,
    status,
    tenant_id: row.project_id,
    user_id: row.user_id,
    metadata: extras.metadata,
    hostId: hostIdOf(row.project_id, hostName),
    image: renderImage(ctx, row),
    flavor: renderFlavor(ctx, row),
    created: novaTime(row.created_at),
    updated: novaTime(row.updated_at ?? row.created_at),
    addresses: renderAddresses(row, fullAddresses),
    accessIPv4: row.access_ip_v4 ?? '',
    accessIPv6: row.access_ip_v6 ?? '',
    links: serverLinks(ctx.base, row.uuid),
    'OS-DCF:diskConfig': 'MANUAL',
  };
  if (PROGRESS_STATUSES.has(status)) s.progress = row.progress ?? 0;
  return s;
}

/** The fields later microversions add at the end (2.9 … 2.71); list-detail has no server_groups. */
function addVersionedFields(
  s: Record<string, unknown>,
  ctx: ServerViewContext,
  row: ServerViewRow,
  extras: ServerExtras,
  withServerGroups: boolean,
): void {
  const f = shown(ctx);
  if (f.locked) s.locked = row.locked;
  if (f.lockedReason) s.locked_reason = row.locked_reason;
  if (f.description) s.description = row.display_description;
  if (f.tags) s.tags = extras.tags;
  if (f.trustedCerts)
    s.trusted_image_certificates = row.trusted_certs ? (JSON.parse(row.trusted_certs) as string[]) : null;
  if (f.serverGroups && withServerGroups) s.server_groups = row.server_group_id ? [row.server_group_id] : [];
}
