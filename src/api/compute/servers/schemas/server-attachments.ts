// Request bodies of the attach calls (nova schemas/attach_interfaces.py, volume_attachments.py).
import type { VersionedSchema } from '../../../../plugins/microversion.js';
import { boolean, ipAddress, tag, uuid } from '../../../../contract/parameter-types.js';

function interfaceBody(withTag: boolean): object {
  return {
    type: 'object',
    properties: {
      interfaceAttachment: {
        type: 'object',
        properties: {
          net_id: uuid,
          port_id: uuid,
          fixed_ips: {
            type: 'array',
            minItems: 1,
            maxItems: 1,
            items: {
              type: 'object',
              properties: { ip_address: ipAddress },
              required: ['ip_address'],
              additionalProperties: false,
            },
          },
          ...(withTag ? { tag } : {}),
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  };
}

/** The body is optional in Nova (no body: "any network"); 2.49 adds tag. */
export const interfaceAttachBodies: VersionedSchema[] = [
  { min: '2.1', max: '2.48', schema: interfaceBody(false) },
  { min: '2.49', schema: interfaceBody(true) },
];

function volumeBody(extra: Record<string, object>): object {
  return {
    type: 'object',
    properties: {
      volumeAttachment: {
        type: 'object',
        properties: {
          volumeId: uuid,
          device: { type: ['string', 'null'], pattern: '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$' },
          ...extra,
        },
        required: ['volumeId'],
        additionalProperties: false,
      },
    },
    required: ['volumeAttachment'],
    additionalProperties: false,
  };
}

/** tag from 2.49, delete_on_termination from 2.79. */
export const volumeAttachBodies: VersionedSchema[] = [
  { min: '2.1', max: '2.48', schema: volumeBody({}) },
  { min: '2.49', max: '2.78', schema: volumeBody({ tag }) },
  { min: '2.79', schema: volumeBody({ tag, delete_on_termination: boolean }) },
];

/** PUT (swap, the only update below 2.85): volumeId alone. */
export const volumeSwapBodies: VersionedSchema[] = [
  {
    min: '2.1',
    schema: {
      type: 'object',
      properties: {
        volumeAttachment: {
          type: 'object',
          properties: { volumeId: uuid },
          required: ['volumeId'],
          additionalProperties: false,
        },
      },
      required: ['volumeAttachment'],
      additionalProperties: false,
    },
  },
];
