// lock (locked_reason from 2.73) and unlock: 202 (nova lock_server.py, schemas/lock_server.py).
import { string255 } from '../../../../contract/parameter-types.js';
import { ACCEPTED, type ActionGroup } from './registry.js';

const lockV273 = {
  type: 'object',
  properties: {
    lock: {
      type: ['object', 'null'],
      properties: { locked_reason: string255 },
      additionalProperties: false,
    },
  },
  required: ['lock'],
  additionalProperties: false,
};

export const lockActions: ActionGroup = (services) => {
  const api = services.serverActions.lock;
  return [
    {
      name: 'lock',
      // Below 2.73 Nova ignores the body; from 2.73 it may carry a reason.
      bodies: [
        { min: '2.1', max: '2.72', schema: {} },
        { min: '2.73', schema: lockV273 },
      ],
      handler: async (req, instance, arg) => {
        const reason =
          req.apiVersion.gte('2.73') && arg && typeof arg === 'object'
            ? ((arg as { locked_reason?: string }).locked_reason ?? null)
            : null;
        await api.lock(req.auth, req.id, instance, reason);
        return ACCEPTED;
      },
    },
    {
      name: 'unlock',
      handler: async (req, instance) => {
        await api.unlock(req.auth, req.id, instance);
        return ACCEPTED;
      },
    },
  ];
};
