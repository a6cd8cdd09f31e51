// Request bodies of /os-aggregates (nova schemas/aggregates.py, aggregate_images.py, parameter_types).
import type { VersionedSchema } from '../../../plugins/microversion.js';
import {
  azNameOrNull,
  fqdn,
  metadataWithNull,
  name,
  nameWithLeadingTrailingSpaces,
  uuid,
  wrap,
} from '../../../contract/parameter-types.js';

export const CREATE_AGGREGATE_BODIES: VersionedSchema[] = [
  {
    min: '2.1',
    schema: wrap('aggregate', {
      type: 'object',
      properties: { name, availability_zone: azNameOrNull },
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
      properties: { name: nameWithLeadingTrailingSpaces, availability_zone: azNameOrNull },
      additionalProperties: false,
      anyOf: [{ required: ['name'] }, { required: ['availability_zone'] }],
    }),
  },
];
const hostAction = (key: string) =>
  wrap(key, { type: 'object', properties: { host: fqdn }, required: ['host'], additionalProperties: false });
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
        properties: { id: uuid },
        required: ['id'],
        additionalProperties: false,
      },
    },
  },
  required: ['cache'],
  additionalProperties: false,
};
