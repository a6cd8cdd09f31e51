// Request schemas of the flavor APIs (nova/api/openstack/compute/schemas/flavor_manage.py,
// flavors.py, flavors_extraspecs.py, flavor_access.py), one base per body and each microversion's
// change as a small named delta.
import type { VersionedSchema } from '../../../plugins/microversion.js';
import { boolean, string255 } from '../../../contract/parameter-types.js';

/** nova db constants: MAX_INT and SQL_SP_FLOAT_MAX */
const MAX_INT = 2147483647;
const SQL_SP_FLOAT_MAX = 3.40282e38;

/** parameter_types.flavor_param_positive / _non_negative: an integer or a string of digits. */
const flavorInt = (minimum: number) => ({
  type: ['integer', 'string'],
  pattern: '^[0-9]+$',
  minimum,
  maximum: MAX_INT,
});

/** flavor_description: TEXT column, printable characters (no control characters). */
const flavorDescription = { type: ['string', 'null'], minLength: 0, maxLength: 65535, pattern: '^\\P{C}*$' };

const createFlavorProps = {
  // Nova's 'name' format (printable, no leading/trailing whitespace) is checked by the route with
  // Nova's own message (InvalidName).
  name: string255,
  id: { type: ['string', 'number', 'null'], minLength: 1, maxLength: 255, pattern: '^(?! )[a-zA-Z0-9. _-]+(?<! )$' },
  ram: flavorInt(1),
  vcpus: flavorInt(1),
  disk: flavorInt(0),
  'OS-FLV-EXT-DATA:ephemeral': flavorInt(0),
  swap: flavorInt(0),
  rxtx_factor: {
    type: ['number', 'string'],
    pattern: '^[0-9]+(\\.[0-9]+)?$',
    exclusiveMinimum: 0,
    maximum: SQL_SP_FLOAT_MAX,
  },
  'os-flavor-access:is_public': boolean,
};

const createFlavor = (props: Record<string, object>) => ({
  type: 'object',
  properties: {
    flavor: {
      type: 'object',
      properties: props,
      required: ['name', 'ram', 'vcpus', 'disk'],
      additionalProperties: false,
    },
  },
  required: ['flavor'],
  additionalProperties: false,
});

/** POST /flavors: 2.1, then 2.55 adds `description`. */
export const createFlavorBodies: VersionedSchema[] = [
  { min: '2.1', max: '2.54', schema: createFlavor(createFlavorProps) },
  { min: '2.55', schema: createFlavor({ ...createFlavorProps, description: flavorDescription }) },
];

/** PUT /flavors/{id} (2.55+): only the description may change, and it is required. */
export const updateFlavorBodies: VersionedSchema[] = [
  {
    min: '2.55',
    schema: {
      type: 'object',
      properties: {
        flavor: {
          type: 'object',
          properties: { description: flavorDescription },
          required: ['description'],
          additionalProperties: false,
        },
      },
      required: ['flavor'],
      additionalProperties: false,
    },
  },
];

const EXTRA_SPEC_KEY = '^[a-zA-Z0-9-_:. ]{1,255}$';
// Nova widens its metadata values to numbers only: a JSON boolean is no number to jsonschema (400).
const extraSpecValue = { type: ['string', 'number'], minLength: 1, maxLength: 255 };

/** POST /flavors/{id}/os-extra_specs */
export const createExtraSpecsBodies: VersionedSchema[] = [
  {
    min: '2.1',
    schema: {
      type: 'object',
      properties: {
        extra_specs: {
          type: 'object',
          patternProperties: { [EXTRA_SPEC_KEY]: extraSpecValue },
          additionalProperties: false,
        },
      },
      required: ['extra_specs'],
      additionalProperties: false,
    },
  },
];

/** PUT /flavors/{id}/os-extra_specs/{key}: exactly one key. */
export const updateExtraSpecBodies: VersionedSchema[] = [
  {
    min: '2.1',
    schema: {
      type: 'object',
      patternProperties: { [EXTRA_SPEC_KEY]: extraSpecValue },
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
    },
  },
];

const tenantAction = (action: string) => ({
  type: 'object',
  properties: {
    [action]: {
      type: 'object',
      properties: { tenant: string255 },
      required: ['tenant'],
      additionalProperties: false,
    },
  },
  required: [action],
  additionalProperties: false,
});

/** POST /flavors/{id}/action bodies, by action name. */
export const flavorActionSchemas: Record<string, object> = {
  addTenantAccess: tenantAction('addTenantAccess'),
  removeTenantAccess: tenantAction('removeTenantAccess'),
};

/** Nova's flavors index_query: sort keys and directions (validated), the rest parsed by the route. */
export const FLAVOR_SORT_KEYS = [
  'created_at',
  'description',
  'disabled',
  'ephemeral_gb',
  'flavorid',
  'id',
  'is_public',
  'memory_mb',
  'name',
  'root_gb',
  'rxtx_factor',
  'swap',
  'updated_at',
  'vcpu_weight',
  'vcpus',
];

const listQueryProps = {
  limit: { type: 'string', pattern: '^[0-9]*$', minLength: 1 },
  marker: { type: 'string' },
  is_public: { type: 'string' },
  minRam: { type: 'string' },
  minDisk: { type: 'string' },
  sort_key: { type: 'string', enum: FLAVOR_SORT_KEYS },
  sort_dir: { type: 'string', enum: ['asc', 'desc'] },
};

/** GET /flavors[/detail] query (one value per name; the route keeps the last, as webob does). Unknown names: 400 from 2.75. */
export const listQuerySchemas: VersionedSchema[] = [
  { min: '2.1', max: '2.74', schema: { type: 'object', properties: listQueryProps, additionalProperties: true } },
  { min: '2.75', schema: { type: 'object', properties: listQueryProps, additionalProperties: false } },
];
