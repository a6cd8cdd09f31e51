// Request schemas of the servers API (nova/api/openstack/compute/schemas/servers.py,
// server_metadata.py, server_tags.py): a base per body and each microversion's change as a small
// named delta, bound to [min, max] ranges for config.bodies.
import type { VersionedSchema } from '../../../../plugins/microversion.js';
import { ajv } from '../../../../plugins/validation.js';
import {
  accessIpv4,
  accessIpv6,
  adminPassword,
  boolean,
  description,
  diskConfig,
  hostname,
  ipAddress,
  metadata,
  name,
  personality,
  positiveInteger,
  tag,
  uuid,
} from '../../../../contract/parameter-types.js';

// Nova's "base64" format: valid base64 text (padding required), as oslo's base64 check.
if (!ajv.formats.base64) {
  ajv.addFormat('base64', (s: string) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s));
}

const networkItem = (withTag: boolean) => ({
  type: 'object',
  properties: {
    fixed_ip: ipAddress,
    port: { type: ['string', 'null'], format: 'uuid' },
    uuid: { type: 'string' },
    ...(withTag ? { tag } : {}),
  },
  additionalProperties: false,
});

// Block device mappings (schemas/servers.py _legacy_block_device_mapping and _v2): checked item by
// item as Nova does, so an unknown field is the same schema 400.
const volumeSize = { type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: 1, maximum: 0x7fffffff };
const legacyBdmItem = {
  type: 'object',
  properties: {
    virtual_name: { type: 'string', maxLength: 255 },
    volume_id: uuid,
    snapshot_id: uuid,
    volume_size: volumeSize,
    device_name: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9._/-]*$' },
    delete_on_termination: boolean,
    no_device: {},
    connection_info: { type: 'string', maxLength: 16777215 },
  },
  additionalProperties: false,
};
const bdmV2Item = {
  ...legacyBdmItem,
  properties: {
    ...legacyBdmItem.properties,
    source_type: { type: 'string', enum: ['volume', 'image', 'snapshot', 'blank'] },
    uuid: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9._-]*$' },
    image_id: uuid,
    destination_type: { type: 'string', enum: ['local', 'volume'] },
    guest_format: { type: 'string', maxLength: 255 },
    device_type: { type: 'string', maxLength: 255 },
    disk_bus: { type: 'string', maxLength: 255 },
    boot_index: { type: ['integer', 'string', 'null'], pattern: '^-?[0-9]+$' },
  },
};

const baseServer = {
  type: 'object',
  properties: {
    name,
    imageRef: { type: 'string', maxLength: 255 },
    flavorRef: { type: ['string', 'integer'], minLength: 1 },
    adminPass: adminPassword,
    metadata,
    networks: { type: 'array', items: networkItem(false) },
    'OS-DCF:diskConfig': diskConfig,
    accessIPv4: accessIpv4,
    accessIPv6: accessIpv6,
    personality,
    availability_zone: { type: 'string', minLength: 1, maxLength: 255 },
    block_device_mapping: { type: 'array', items: legacyBdmItem },
    block_device_mapping_v2: { type: 'array', items: bdmV2Item },
    config_drive: boolean,
    key_name: { type: 'string', minLength: 1, maxLength: 255 },
    min_count: positiveInteger,
    max_count: positiveInteger,
    return_reservation_id: boolean,
    security_groups: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string', minLength: 1, maxLength: 255 } },
        additionalProperties: false,
      },
    },
    user_data: { type: 'string', format: 'base64', maxLength: 65535 },
  },
  required: ['name', 'flavorRef'],
  additionalProperties: false,
};

type ServerSchema = { properties: Record<string, unknown>; required: string[] } & Record<string, unknown>;

/** A copy of `server` with `change` applied (nova derives each version by deep copy + one change). */
function derive(server: ServerSchema, change: (s: ServerSchema) => void): ServerSchema {
  const copy = JSON.parse(JSON.stringify(server)) as ServerSchema;
  change(copy);
  return copy;
}

const wrap = (server: object) => ({
  type: 'object',
  properties: {
    server,
    'os:scheduler_hints': { type: 'object' },
    'OS-SCH-HNT:scheduler_hints': { type: 'object' },
  },
  required: ['server'],
  additionalProperties: false,
});

const v2_1 = baseServer as unknown as ServerSchema;
const v2_19 = derive(v2_1, (s) => {
  s.properties.description = description;
});
type BdmV2Schema = { items: { properties: Record<string, unknown> } };
const bdmV2Of = (s: ServerSchema) => s.properties.block_device_mapping_v2 as BdmV2Schema;
// 2.32 alone tags networks and block devices; 2.33 keeps the network tag only (Nova's
// create_v232/create_v233: the bdm tag was meant for 2.32 and up but merged for 2.32 only).
const v2_33 = derive(v2_19, (s) => {
  s.properties.networks = { type: 'array', items: networkItem(true) };
});
const v2_32 = derive(v2_33, (s) => {
  bdmV2Of(s).items.properties.tag = tag;
});
// 2.37: networks is required and may be "auto" or "none" instead of a list.
const v2_37 = derive(v2_33, (s) => {
  s.properties.networks = {
    oneOf: [
      { type: 'array', items: networkItem(true) },
      { type: 'string', enum: ['none', 'auto'] },
    ],
  };
  s.required = [...s.required, 'networks'];
});
// 2.42 tags block devices again.
const v2_42 = derive(v2_37, (s) => {
  bdmV2Of(s).items.properties.tag = tag;
});
const v2_52 = derive(v2_42, (s) => {
  s.properties.tags = { type: 'array', items: tag, maxItems: 50 };
});
const v2_57 = derive(v2_52, (s) => {
  delete s.properties.personality;
});
const v2_63 = derive(v2_57, (s) => {
  s.properties.trusted_image_certificates = {
    type: ['array', 'null'],
    minItems: 1,
    maxItems: 50,
    uniqueItems: true,
    items: { type: 'string', minLength: 1 },
  };
});
const v2_67 = derive(v2_63, (s) => {
  bdmV2Of(s).items.properties.volume_type = { type: ['string', 'null'], minLength: 0, maxLength: 255 };
});
const v2_74 = derive(v2_67, (s) => {
  s.properties.host = { type: 'string' };
  s.properties.hypervisor_hostname = { type: 'string' };
});
const v2_90 = derive(v2_74, (s) => {
  s.properties.hostname = hostname;
});

export const createServerBodies: VersionedSchema[] = [
  { min: '2.1', max: '2.18', schema: wrap(v2_1) },
  { min: '2.19', max: '2.31', schema: wrap(v2_19) },
  { min: '2.32', max: '2.32', schema: wrap(v2_32) },
  { min: '2.33', max: '2.36', schema: wrap(v2_33) },
  { min: '2.37', max: '2.41', schema: wrap(v2_37) },
  { min: '2.42', max: '2.51', schema: wrap(v2_42) },
  { min: '2.52', max: '2.56', schema: wrap(v2_52) },
  { min: '2.57', max: '2.62', schema: wrap(v2_57) },
  { min: '2.63', max: '2.66', schema: wrap(v2_63) },
  { min: '2.67', max: '2.73', schema: wrap(v2_67) },
  { min: '2.74', max: '2.89', schema: wrap(v2_74) },
  { min: '2.90', schema: wrap(v2_90) },
];

const updateBase = {
  type: 'object',
  properties: {
    name,
    'OS-DCF:diskConfig': diskConfig,
    accessIPv4: accessIpv4,
    accessIPv6: accessIpv6,
  },
  additionalProperties: false,
} as unknown as ServerSchema;
const update219 = derive(updateBase, (s) => {
  s.properties.description = description;
});
const update290 = derive(update219, (s) => {
  s.properties.hostname = hostname;
});
const wrapUpdate = (server: object) => ({
  type: 'object',
  properties: { server },
  required: ['server'],
  additionalProperties: false,
});

export const updateServerBodies: VersionedSchema[] = [
  { min: '2.1', max: '2.18', schema: wrapUpdate(updateBase) },
  { min: '2.19', max: '2.89', schema: wrapUpdate(update219) },
  { min: '2.90', schema: wrapUpdate(update290) },
];

// ---- metadata (server_metadata.py) -------------------------------------------------------
export const metadataBodies: VersionedSchema[] = [
  {
    min: '2.1',
    schema: { type: 'object', properties: { metadata }, required: ['metadata'], additionalProperties: false },
  },
];
export const metadataItemBodies: VersionedSchema[] = [
  {
    min: '2.1',
    schema: {
      type: 'object',
      properties: { meta: { ...metadata, minProperties: 1, maxProperties: 1 } },
      required: ['meta'],
      additionalProperties: false,
    },
  },
];

// ---- tags (server_tags.py) ---------------------------------------------------------------
export const tagsBodies: VersionedSchema[] = [
  {
    min: '2.26',
    schema: {
      type: 'object',
      properties: { tags: { type: 'array', items: tag } },
      required: ['tags'],
      additionalProperties: false,
    },
  },
];
export const TAG_PATTERN = /^[^,/]{1,60}$/;

/** Every query parameter Nova's servers list schema names (query_params_v21 …). */
const KNOWN_LIST_PARAMS = [
  'user_id',
  'project_id',
  'tenant_id',
  'launch_index',
  'image_ref',
  'image',
  'kernel_id',
  'ramdisk_id',
  'hostname',
  'key_name',
  'power_state',
  'vm_state',
  'task_state',
  'host',
  'node',
  'flavor',
  'reservation_id',
  'launched_at',
  'terminated_at',
  'availability_zone',
  'name',
  'display_name',
  'description',
  'display_description',
  'locked_by',
  'uuid',
  'root_device_name',
  'config_drive',
  'access_ip_v4',
  'access_ip_v6',
  'auto_disk_config',
  'progress',
  'sort_key',
  'sort_dir',
  'all_tenants',
  'soft_deleted',
  'deleted',
  'status',
  'changes-since',
  'changes-before',
  'ip',
  'ip6',
  'created_at',
  'block_device_mapping',
  'services',
  'metadata',
  'system_metadata',
  'info_cache',
  'security_groups',
  'pci_devices',
  'tags',
  'tags-any',
  'not-tags',
  'not-tags-any',
  'limit',
  'marker',
  'locked',
];

/** From 2.75 an unknown query parameter is a 400 (additionalProperties false). */
export const STRICT_LIST_QUERY_SCHEMA = {
  type: 'object',
  properties: Object.fromEntries(KNOWN_LIST_PARAMS.map((k) => [k, {}])),
  additionalProperties: false,
};
