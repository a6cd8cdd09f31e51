// The actions Nova knows and a Docker host cannot carry out (rescue, unrescue, evacuate,
// injectNetworkInfo, resetNetwork, add/removeFixedIp up to 2.43): Nova's body schemas (nova/api/openstack/compute/schemas) and
// microversion ranges here, the answers in compute/servers/actions/unsupported-actions.ts.
import { BadRequest, Gone } from '../../../../errors.js';
import { UnsupportedActionsApi } from '../../../../compute/servers/actions/unsupported-actions.js';
import { ACCEPTED, type ActionGroup } from './registry.js';
import {
  adminPassword,
  booleanAlternatives,
  fqdn,
  ipAddress,
  isTrueSpelling,
  obj,
  uuid,
  wrap,
} from '../../../../contract/parameter-types.js';

const rescueSchema = wrap('rescue', {
  type: ['object', 'null'],
  properties: { adminPass: adminPassword, rescue_image_ref: uuid },
  additionalProperties: false,
});
const evacuateBodies = [
  {
    min: '2.1',
    max: '2.13',
    schema: wrap(
      'evacuate',
      obj({ host: fqdn, onSharedStorage: booleanAlternatives, adminPass: adminPassword }, ['onSharedStorage']),
    ),
  },
  { min: '2.14', max: '2.28', schema: wrap('evacuate', obj({ host: fqdn, adminPass: adminPassword })) },
  {
    min: '2.29',
    max: '2.67',
    schema: wrap('evacuate', obj({ host: fqdn, adminPass: adminPassword, force: booleanAlternatives })),
  },
  { min: '2.68', schema: wrap('evacuate', obj({ host: fqdn, adminPass: adminPassword })) },
];

export const unsupportedActions: ActionGroup = (services) => {
  const api = new UnsupportedActionsApi({
    hostsRepo: services.hostsRepo,
    images: services.images,
    hostDown: services.serverActions.apiDeps.hostDown,
  });
  return [
    {
      name: 'rescue',
      bodies: [{ min: '2.1', schema: rescueSchema }],
      handler: async (req, instance, arg) =>
        api.rescue(req.auth, instance, (arg as { rescue_image_ref?: string } | null)?.rescue_image_ref),
    },
    {
      name: 'unrescue',
      bodies: [{ min: '2.1', schema: wrap('unrescue', {}) }],
      handler: async (req, instance) => api.unrescue(req.auth, instance),
    },
    {
      name: 'evacuate',
      bodies: evacuateBodies,
      handler: async (req, instance, arg) => {
        const a = arg as {
          host?: string;
          onSharedStorage?: boolean | string;
          adminPass?: string;
          force?: boolean | string;
        };
        // evacuate.py, before the host checks: these two are refused from the body alone
        if (req.apiVersion.lt('2.14') && a.adminPass !== undefined && isTrueSpelling(a.onSharedStorage)) {
          throw new BadRequest("admin password can't be changed on existing disk");
        }
        if (req.apiVersion.gte('2.29') && req.apiVersion.lt('2.68') && isTrueSpelling(a.force ?? false) && !a.host) {
          throw new BadRequest("Can't force to a non-provided destination");
        }
        return api.evacuate(req.auth, instance, a.host);
      },
    },
    {
      name: 'injectNetworkInfo',
      bodies: [{ min: '2.1', schema: wrap('injectNetworkInfo', {}) }],
      handler: async (req, instance) => {
        await api.injectNetworkInfo(req.auth, instance);
        return ACCEPTED;
      },
    },
    {
      // removed in 23.0.0 (Wallaby) with the Xen driver: 410 for any body, at every microversion
      name: 'resetNetwork',
      handler: async () => {
        throw new Gone();
      },
    },
    {
      name: 'addFixedIp',
      maxVersion: '2.43',
      bodies: [
        {
          min: '2.1',
          max: '2.43',
          schema: wrap(
            'addFixedIp',
            obj({ networkId: { type: ['string', 'number'], minLength: 1, maxLength: 36 } }, ['networkId']),
          ),
        },
      ],
      handler: async (req, instance, arg) =>
        api.addFixedIp(req.auth, instance, (arg as { networkId: string | number }).networkId),
    },
    {
      name: 'removeFixedIp',
      maxVersion: '2.43',
      bodies: [{ min: '2.1', max: '2.43', schema: wrap('removeFixedIp', obj({ address: ipAddress }, ['address'])) }],
      handler: async (req, instance, arg) =>
        api.removeFixedIp(req.auth, instance, (arg as { address: string }).address),
    },
  ];
};
