// POST /os-server-external-events bodies by microversion
// (nova/api/openstack/compute/schemas/server_external_events.py): the same body throughout, with an
// event-name enum that grows: volume-extended at 2.51, power-update at 2.76,
// accelerator-request-bound at 2.82, volume-reimaged at 2.93.
import type { VersionedSchema } from '../../../../plugins/microversion.js';
import { EVENT_STATUSES } from '../../../../compute/servers/external-events.js';

/** Each microversion that adds an event name, with the names it adds (nova objects/external_event.py). */
const NAMES_BY_VERSION: readonly [string, readonly string[]][] = [
  ['2.1', ['network-changed', 'network-vif-plugged', 'network-vif-unplugged', 'network-vif-deleted']],
  ['2.51', ['volume-extended']],
  ['2.76', ['power-update']],
  ['2.82', ['accelerator-request-bound']],
  ['2.93', ['volume-reimaged']],
];

function createBody(names: readonly string[]) {
  return {
    type: 'object',
    properties: {
      events: {
        type: 'array',
        minItems: 1,
        description: 'The events to dispatch, each to the host of its server.',
        items: {
          type: 'object',
          properties: {
            name: { type: 'string', enum: [...names], description: 'The event name.' },
            server_uuid: { type: 'string', format: 'uuid', description: 'The server the event is for.' },
            status: { type: 'string', enum: [...EVENT_STATUSES], description: 'The event status (default completed).' },
            tag: {
              type: 'string',
              maxLength: 255,
              description: 'A port id, volume id, POWER_ON/POWER_OFF or ARQ uuid, by event.',
            },
          },
          required: ['name', 'server_uuid'],
          additionalProperties: false,
        },
      },
    },
    required: ['events'],
    additionalProperties: false,
  };
}

/** One body per range: each range's enum holds the names of every version up to it. */
export const externalEventsBodies: VersionedSchema[] = NAMES_BY_VERSION.map(([min], i) => {
  const next = NAMES_BY_VERSION[i + 1];
  const names = NAMES_BY_VERSION.slice(0, i + 1).flatMap(([, n]) => n);
  return { min, ...(next ? { max: previousMinor(next[0]) } : {}), schema: createBody(names) };
});

/** '2.51' -> '2.50': the last version before `v`. */
function previousMinor(v: string): string {
  const [major, minor] = v.split('.').map(Number);
  return `${major}.${minor - 1}`;
}
