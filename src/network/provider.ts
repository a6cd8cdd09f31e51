// The `provider` extension (neutron-lib api/definitions/provider_net.py) as ML2 with only the `local`
// type driver answers it: every network here is a Docker bridge on each engine where one of its ports
// is plugged, with no segment reaching other hosts, which is ML2's `local` type. Admins may name it on
// create (Horizon's admin Create Network form requires a type); any other type, a physical network or
// a segmentation id is refused with ML2's messages. Pure rules, no I/O.
import { InvalidInput, PolicyNotAuthorized } from './errors.js';

export const NETWORK_TYPE = 'local';
export const PROVIDER_ATTRS = [
  'provider:network_type',
  'provider:physical_network',
  'provider:segmentation_id',
] as const;
export type ProviderAttrs = Partial<Record<(typeof PROVIDER_ATTRS)[number], string | number | null>>;

/** neutron-lib validators.is_attr_set: given and not None */
const isSet = (v: unknown) => v !== undefined && v !== null;

/** Policy first (the attributes are admin-only), as Neutron enforces create_network:provider:*. */
function checkPolicy(action: 'create_network' | 'update_network', isAdmin: boolean, b: ProviderAttrs): void {
  if (isAdmin) return;
  const given = PROVIDER_ATTRS.find((a) => b[a] !== undefined);
  if (given) throw PolicyNotAuthorized(`(rule:${action} and rule:${action}:${given})`);
}

/** ml2 TypeManager._process_provider_create → validate_provider_segment (type_local). */
export function checkProviderCreate(isAdmin: boolean, b: ProviderAttrs): void {
  checkPolicy('create_network', isAdmin, b);
  if (!PROVIDER_ATTRS.some((a) => isSet(b[a]))) return;
  const type = b['provider:network_type'];
  if (!isSet(type)) throw InvalidInput('network_type required');
  if (type !== NETWORK_TYPE) throw InvalidInput(`network_type value '${String(type)}' not supported`);
  if (b['provider:physical_network']) throw InvalidInput('physical_network prohibited for local provider network');
  if (b['provider:segmentation_id']) throw InvalidInput('segmentation_id prohibited for local provider network');
}

/** Ml2Plugin._update_provider_network_attributes: the same values are accepted, changes are not. */
export function checkProviderUpdate(isAdmin: boolean, b: ProviderAttrs): void {
  checkPolicy('update_network', isAdmin, b);
  const current: ProviderAttrs = { 'provider:network_type': NETWORK_TYPE, 'provider:physical_network': null };
  for (const a of ['provider:network_type', 'provider:physical_network'] as const) {
    if (isSet(b[a]) && b[a] !== current[a])
      throw InvalidInput(
        'Plugin does not support updating the following provider network attributes: provider:network_type, provider:physical_network',
      );
  }
  // _update_segmentation_id → TypeManager.update_network_segment: only VLAN segments change
  if (b['provider:segmentation_id']) throw InvalidInput('Only VLAN type networks can be updated.');
}
