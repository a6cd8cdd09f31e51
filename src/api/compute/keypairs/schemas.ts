// Request bodies of POST /os-keypairs by microversion (nova/api/openstack/compute/schemas/keypairs.py).
// The name's character rules are checked by the key pair service, in Nova's words.
import { string255 } from '../../../contract/parameter-types.js';
import type { VersionedSchema } from '../../../plugins/microversion.js';

const name = string255;

function body(properties: Record<string, object>, required: string[]) {
  return {
    type: 'object',
    properties: {
      keypair: { type: 'object', properties, required, additionalProperties: false },
    },
    required: ['keypair'],
    additionalProperties: false,
  };
}

const keyType = { type: 'string', enum: ['ssh', 'x509'] };

export const createKeypairBodies: VersionedSchema[] = [
  { min: '2.1', max: '2.1', schema: body({ name, public_key: { type: 'string' } }, ['name']) },
  { min: '2.2', max: '2.9', schema: body({ name, type: keyType, public_key: { type: 'string' } }, ['name']) },
  {
    min: '2.10',
    max: '2.91',
    schema: body({ name, type: keyType, public_key: { type: 'string' }, user_id: { type: 'string' } }, ['name']),
  },
  // 2.92: no generation any more (public_key required).
  {
    min: '2.92',
    schema: body({ name, type: keyType, public_key: { type: 'string' }, user_id: { type: 'string' } }, [
      'name',
      'public_key',
    ]),
  },
];
