// Request bodies of /os-aggregates (nova schemas/aggregates.py, aggregate_images.py, parameter_types).
import type { VersionedSchema } from '../../../plugins/microversion.js';

/** parameter_types.name: printable, no leading/trailing whitespace */
const name = { type: 'string', minLength: 1, maxLength: 255, pattern: '^(?!\\s)[^\\x00-\\x1f\\x7f]*(?<!\\s)$' };
/** parameter_types.name_with_leading_trailing_spaces: printable, at least one non-space */
const nameWithSpaces = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: '^[^\\x00-\\x1f\\x7f]*[^\\s\\x00-\\x1f\\x7f][^\\x00-\\x1f\\x7f]*$',
};
/** parameter_types.az_name (no ':'), or null */
const zone = {
  oneOf: [
    { type: 'string', minLength: 1, maxLength: 255, pattern: '^(?!\\s)[^:\\x00-\\x1f\\x7f]*(?<!\\s)$' },
    { type: 'null' },
  ],
};
/** parameter_types.fqdn */
const host = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' };
/** parameter_types.metadata_with_null */
const metadataWithNull = {
  type: 'object',
  patternProperties: { '^[a-zA-Z0-9-_:. ]{1,255}$': { type: ['string', 'null'], maxLength: 255 } },
  additionalProperties: false,
};
const wrap = (key: string, inner: object) => ({
  type: 'object',
  properties: { [key]: inner },
  required: [key],
  additionalProperties: false,
});

export const CREATE_AGGREGATE_BODIES: VersionedSchema[] = [
  {
    min: '2.1',
    schema: wrap('aggregate', {
      type: 'object',
      properties: { name, availability_zone: zone },
      required: ['name'],
      additionalProperties: false,
    }),
  },
];
export const UPDATE_AGGREGATE_BODIES: VersionedSchema[] = [
  {
    min: '2.1',
    schema: wrap('aggregate', {
      type: 'object',
      properties: { name: nameWithSpaces, availability_zone: zone },
      additionalProperties: false,
      anyOf: [{ required: ['name'] }, { required: ['availability_zone'] }],
    }),
  },
];
const hostAction = (key: string) =>
  wrap(key, { type: 'object', properties: { host }, required: ['host'], additionalProperties: false });
export const AGGREGATE_ACTION_SCHEMAS: Record<string, object> = {
  add_host: hostAction('add_host'),
  remove_host: hostAction('remove_host'),
  set_metadata: wrap('set_metadata', {
    type: 'object',
    properties: { metadata: metadataWithNull },
    required: ['metadata'],
    additionalProperties: false,
  }),
};

/** nova schemas/aggregate_images.py aggregate_images_v2_81 */
export const AGGREGATE_IMAGES_BODY = {
  type: 'object',
  properties: {
    cache: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: { id: { type: 'string', format: 'uuid' } },
        required: ['id'],
        additionalProperties: false,
      },
    },
  },
  required: ['cache'],
  additionalProperties: false,
};
