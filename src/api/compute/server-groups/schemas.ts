// POST /os-server-groups bodies by microversion (nova/api/openstack/compute/schemas/server_groups.py):
// one-element `policies` list until 2.63 (soft policies from 2.15), then `policy` and `rules` (2.64).
import { string255 } from '../../../contract/parameter-types.js';
import type { VersionedSchema } from '../../../plugins/microversion.js';

const name = string255;

function policiesBody(allowed: string[]) {
  return {
    type: 'object',
    properties: {
      server_group: {
        type: 'object',
        properties: {
          name,
          policies: {
            type: 'array',
            items: { type: 'string', enum: allowed },
            uniqueItems: true,
            minItems: 1,
            maxItems: 1,
          },
        },
        required: ['name', 'policies'],
        additionalProperties: false,
      },
    },
    required: ['server_group'],
    additionalProperties: false,
  };
}

const positiveInteger = { type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 1, minLength: 1 };

export const createServerGroupBodies: VersionedSchema[] = [
  { min: '2.1', max: '2.14', schema: policiesBody(['anti-affinity', 'affinity']) },
  {
    min: '2.15',
    max: '2.63',
    schema: policiesBody(['anti-affinity', 'affinity', 'soft-anti-affinity', 'soft-affinity']),
  },
  {
    min: '2.64',
    schema: {
      type: 'object',
      properties: {
        server_group: {
          type: 'object',
          properties: {
            name,
            policy: { type: 'string', enum: ['anti-affinity', 'affinity', 'soft-anti-affinity', 'soft-affinity'] },
            rules: {
              type: 'object',
              properties: { max_server_per_host: positiveInteger },
              additionalProperties: false,
            },
          },
          required: ['name', 'policy'],
          additionalProperties: false,
        },
      },
      required: ['server_group'],
      additionalProperties: false,
    },
  },
];
