// PUT /os-services bodies (nova/api/openstack/compute/schemas/services.py).
import type { VersionedSchema } from '../../../plugins/microversion.js';
import { booleanWithoutLetters, string255 } from '../../../contract/parameter-types.js';

const hostName = string255;
const reason = string255;

/** Before 2.53: PUT /os-services/{enable|disable|disable-log-reason|force-down} with host and binary. */
export const legacyUpdateBodies: VersionedSchema[] = [
  {
    min: '2.1',
    max: '2.10',
    schema: {
      type: 'object',
      properties: { host: hostName, binary: hostName, disabled_reason: reason },
      required: ['host', 'binary'],
      additionalProperties: false,
    },
  },
  {
    min: '2.11',
    max: '2.52',
    schema: {
      type: 'object',
      properties: { host: hostName, binary: hostName, disabled_reason: reason, forced_down: booleanWithoutLetters },
      required: ['host', 'binary'],
      additionalProperties: false,
    },
  },
];

/** From 2.53: PUT /os-services/{uuid}. */
export const updateBodies: VersionedSchema[] = [
  {
    min: '2.53',
    schema: {
      type: 'object',
      properties: {
        status: { type: 'string', enum: ['enabled', 'disabled'] },
        disabled_reason: reason,
        forced_down: booleanWithoutLetters,
      },
      additionalProperties: false,
    },
  },
];
