// Body schemas of createImage, createBackup, rebuild, resize, unshelve and os-getSerialConsole
// (nova/api/openstack/compute/schemas/servers.py, create_backup.py, shelve.py, remote_consoles.py).
import {
  accessIpv4,
  accessIpv6,
  adminPassword,
  boolean,
  description,
  diskConfig,
  hostname,
  metadata,
  name,
  nonNegativeInteger,
  obj,
  personality,
  uuid,
  wrap,
} from '../../../../contract/parameter-types.js';

export const createImageSchema = wrap('createImage', obj({ name, metadata }, ['name']));

export const createBackupSchema = wrap(
  'createBackup',
  obj(
    {
      name,
      backup_type: { type: 'string' },
      rotation: nonNegativeInteger,
      metadata,
    },
    ['name', 'backup_type', 'rotation'],
  ),
);

const rebuildBase: Record<string, object> = {
  name,
  imageRef: uuid,
  adminPass: adminPassword,
  metadata,
  preserve_ephemeral: boolean,
  'OS-DCF:diskConfig': diskConfig,
  accessIPv4: accessIpv4,
  accessIPv6: accessIpv6,
  personality,
};
const rebuild219 = { ...rebuildBase, description };
const rebuild254: Record<string, object> = {
  ...rebuild219,
  key_name: { type: ['string', 'null'], minLength: 1, maxLength: 255 },
};
// 2.57 drops personality (file injection) and adds user_data.
const rebuild257 = {
  ...Object.fromEntries(Object.entries(rebuild254).filter(([k]) => k !== 'personality')),
  user_data: { type: ['string', 'null'], format: 'base64', maxLength: 65535 },
};
const rebuild263 = {
  ...rebuild257,
  trusted_image_certificates: {
    type: ['array', 'null'],
    minItems: 1,
    maxItems: 50,
    uniqueItems: true,
    items: { type: 'string', minLength: 1 },
  },
};
const rebuild290 = { ...rebuild263, hostname };
const rebuild = (p: Record<string, object>) => wrap('rebuild', obj(p, ['imageRef']));
export const rebuildBodies = [
  { min: '2.1', max: '2.18', schema: rebuild(rebuildBase) },
  { min: '2.19', max: '2.53', schema: rebuild(rebuild219) },
  { min: '2.54', max: '2.56', schema: rebuild(rebuild254) },
  { min: '2.57', max: '2.62', schema: rebuild(rebuild257) },
  { min: '2.63', max: '2.89', schema: rebuild(rebuild263) },
  { min: '2.90', schema: rebuild(rebuild290) },
];

export const resizeSchema = wrap(
  'resize',
  obj({ flavorRef: { type: ['string', 'integer'], minLength: 1 }, 'OS-DCF:diskConfig': diskConfig }, ['flavorRef']),
);

export const unshelveBodies = [
  // Nova has no unshelve schema below 2.77: whatever the body holds is ignored.
  { min: '2.1', max: '2.76', schema: wrap('unshelve', {}) },
  // 2.77-2.90: null, or an object that must name the zone ({"unshelve": {}} is a 400).
  {
    min: '2.77',
    max: '2.90',
    schema: wrap('unshelve', {
      type: ['object', 'null'],
      properties: { availability_zone: name },
      required: ['availability_zone'],
      additionalProperties: false,
    }),
  },
  {
    min: '2.91',
    schema: wrap('unshelve', {
      type: ['object', 'null'],
      properties: { availability_zone: { type: ['string', 'null'] }, host: { type: 'string' } },
      additionalProperties: false,
    }),
  },
];

export const getSerialConsoleSchema = wrap(
  'os-getSerialConsole',
  obj({ type: { type: 'string', enum: ['serial'] } }, ['type']),
);
/** The other deprecated console actions (nova schemas/remote_consoles.py get_*_console). */
export const legacyConsoleSchemas: Record<string, { protocol: string; schema: object }> = {
  'os-getVNCConsole': {
    protocol: 'vnc',
    schema: wrap('os-getVNCConsole', obj({ type: { type: 'string', enum: ['novnc', 'xvpvnc'] } }, ['type'])),
  },
  'os-getSPICEConsole': {
    protocol: 'spice',
    schema: wrap('os-getSPICEConsole', obj({ type: { type: 'string', enum: ['spice-html5'] } }, ['type'])),
  },
  'os-getRDPConsole': {
    protocol: 'rdp',
    schema: wrap('os-getRDPConsole', obj({ type: { type: 'string', enum: ['rdp-html5'] } }, ['type'])),
  },
};

const remoteConsole = (protocols: string[], types: string[]) =>
  wrap(
    'remote_console',
    obj(
      {
        protocol: { type: 'string', enum: protocols },
        type: { type: 'string', enum: types },
      },
      ['protocol', 'type'],
    ),
  );
export const remoteConsoleBodies = [
  {
    min: '2.6',
    max: '2.7',
    schema: remoteConsole(['vnc', 'spice', 'rdp', 'serial'], ['novnc', 'xvpvnc', 'rdp-html5', 'spice-html5', 'serial']),
  },
  {
    min: '2.8',
    schema: remoteConsole(
      ['vnc', 'spice', 'rdp', 'serial', 'mks'],
      ['novnc', 'xvpvnc', 'rdp-html5', 'spice-html5', 'serial', 'webmks'],
    ),
  },
];
