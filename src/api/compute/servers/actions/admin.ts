// os-resetState, migrate, os-migrateLive, trigger_crash_dump (2.17), changePassword
// (nova admin_actions.py, migrate_server.py, servers.py; schemas from nova/api/openstack/compute/schemas).
import { ACCEPTED, type ActionGroup } from './registry.js';
import { booleanAlternatives } from '../../../../contract/parameter-types.js';

const resetStateSchema = {
  type: 'object',
  properties: {
    'os-resetState': {
      type: 'object',
      properties: { state: { type: 'string', enum: ['active', 'error'] } },
      required: ['state'],
      additionalProperties: false,
    },
  },
  required: ['os-resetState'],
  additionalProperties: false,
};

const hostParam = { type: ['string', 'null'], minLength: 1, maxLength: 255 };
const migrateV256 = {
  type: 'object',
  properties: { migrate: { type: ['object', 'null'], properties: { host: hostParam }, additionalProperties: false } },
  required: ['migrate'],
  additionalProperties: false,
};

const liveBody = (props: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  properties: { 'os-migrateLive': { type: 'object', properties: props, required, additionalProperties: false } },
  required: ['os-migrateLive'],
  additionalProperties: false,
});
const liveMigrateBodies = [
  {
    min: '2.1',
    max: '2.24',
    schema: liveBody({ block_migration: booleanAlternatives, disk_over_commit: booleanAlternatives, host: hostParam }, [
      'block_migration',
      'disk_over_commit',
      'host',
    ]),
  },
  {
    min: '2.25',
    max: '2.29',
    schema: liveBody({ block_migration: { oneOf: [{ type: 'boolean' }, { enum: ['auto'] }] }, host: hostParam }, [
      'block_migration',
      'host',
    ]),
  },
  {
    min: '2.30',
    max: '2.67',
    schema: liveBody(
      {
        block_migration: { oneOf: [{ type: 'boolean' }, { enum: ['auto'] }] },
        host: hostParam,
        force: { type: 'boolean' },
      },
      ['block_migration', 'host'],
    ),
  },
  {
    min: '2.68',
    schema: liveBody({ block_migration: { oneOf: [{ type: 'boolean' }, { enum: ['auto'] }] }, host: hostParam }, [
      'block_migration',
      'host',
    ]),
  },
];

const crashDumpSchema = {
  type: 'object',
  properties: { trigger_crash_dump: { type: 'null' } },
  required: ['trigger_crash_dump'],
  additionalProperties: false,
};

const changePasswordSchema = {
  type: 'object',
  properties: {
    changePassword: {
      type: 'object',
      properties: { adminPass: { type: 'string' } },
      required: ['adminPass'],
      additionalProperties: false,
    },
  },
  required: ['changePassword'],
  additionalProperties: false,
};

export const adminActions: ActionGroup = (services) => {
  const api = services.serverActions.admin;
  return [
    {
      name: 'os-resetState',
      bodies: [{ min: '2.1', schema: resetStateSchema }],
      handler: async (req, instance, arg) => {
        await api.resetState(req.auth, req.id, instance, (arg as { state: 'active' | 'error' }).state);
        return ACCEPTED;
      },
    },
    {
      name: 'migrate',
      bodies: [
        { min: '2.1', max: '2.55', schema: {} },
        { min: '2.56', schema: migrateV256 },
      ],
      handler: async (req, instance, arg) => {
        const host =
          req.apiVersion.gte('2.56') && arg && typeof arg === 'object'
            ? ((arg as { host?: string | null }).host ?? null)
            : null;
        return api.migrate(req.auth, instance, host);
      },
    },
    {
      name: 'os-migrateLive',
      bodies: liveMigrateBodies,
      handler: async (req, instance, arg) =>
        api.liveMigrate(req.auth, instance, (arg as { host: string | null }).host ?? null),
    },
    {
      name: 'trigger_crash_dump',
      minVersion: '2.17',
      bodies: [{ min: '2.17', schema: crashDumpSchema }],
      handler: async (req, instance) => api.triggerCrashDump(req.auth, instance),
    },
    {
      name: 'changePassword',
      bodies: [{ min: '2.1', schema: changePasswordSchema }],
      handler: async (req, instance) => api.changePassword(req.auth, req.id, instance),
    },
  ];
};
