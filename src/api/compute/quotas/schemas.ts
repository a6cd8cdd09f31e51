// PUT /os-quota-sets/{project} and /os-quota-class-sets/{class} bodies by microversion
// (nova/api/openstack/compute/schemas/quota_sets.py, quota_classes.py).
import { type VersionedSchema } from '../../../plugins/microversion.js';
import {
  INJECTED_FILE_RESOURCES,
  NETWORK_RESOURCES,
  QUOTA_RESOURCES,
  type QuotaResource,
} from '../../../compute/quotas/quotas.js';
import { ApiVersion } from '../../../compute/api-version.js';
import { booleanWithoutLetters } from '../../../contract/parameter-types.js';

/** Nova's db MAX_INT. */
const MAX_INT = 0x7fffffff;

/** An integer, or a string of one; -1 is unlimited. */
const commonQuota = { type: ['integer', 'string'], pattern: '^-?[0-9]+$', minimum: -1, maximum: MAX_INT };

/** The resources a quota set shows and a body may name at a microversion. */
export function settableResources(v: ApiVersion): QuotaResource[] {
  return QUOTA_RESOURCES.filter((r) => {
    if (v.gte('2.36') && NETWORK_RESOURCES.includes(r)) return false;
    if (v.gte('2.57') && INJECTED_FILE_RESOURCES.includes(r)) return false;
    return true;
  });
}

function body(wrapper: 'quota_set' | 'quota_class_set', resources: QuotaResource[], withForce: boolean) {
  const properties: Record<string, object> = Object.fromEntries(resources.map((r) => [r, commonQuota]));
  if (withForce) properties.force = booleanWithoutLetters;
  return {
    type: 'object',
    properties: { [wrapper]: { type: 'object', properties, additionalProperties: false } },
    required: [wrapper],
    additionalProperties: false,
  };
}

/**
 * Quota class sets differ: below 2.50 they show the network resources but not the server group
 * ones; 2.50 swaps them; 2.57 drops the personality ones (quota_classes.py).
 */
export function classResources(v: ApiVersion): QuotaResource[] {
  return QUOTA_RESOURCES.filter((r) => {
    if (v.lt('2.50')) return r !== 'server_groups' && r !== 'server_group_members';
    if (NETWORK_RESOURCES.includes(r)) return false;
    return !(v.gte('2.57') && INJECTED_FILE_RESOURCES.includes(r));
  });
}

const at = (v: string) => ApiVersion.parse(v);

export const updateQuotaSetBodies: VersionedSchema[] = [
  { min: '2.1', max: '2.35', schema: body('quota_set', settableResources(at('2.1')), true) },
  { min: '2.36', max: '2.56', schema: body('quota_set', settableResources(at('2.36')), true) },
  { min: '2.57', schema: body('quota_set', settableResources(at('2.57')), true) },
];

export const updateQuotaClassBodies: VersionedSchema[] = [
  { min: '2.1', max: '2.49', schema: body('quota_class_set', classResources(at('2.1')), false) },
  { min: '2.50', max: '2.56', schema: body('quota_class_set', classResources(at('2.50')), false) },
  { min: '2.57', schema: body('quota_class_set', classResources(at('2.57')), false) },
];
