// shelve, shelveOffload, unshelve (nova shelve.py): 202, no body. unshelve takes null, or from
// 2.77 {"availability_zone": …} (2.91 also host and a null zone).
import { type ActionGroup, ACCEPTED } from './registry.js';
import { unshelveBodies } from './action-schemas-2.js';

export const shelveActions: ActionGroup = (services) => {
  const shelves = services.serverShelves;
  return [
    {
      name: 'shelve',
      handler: async (req, instance) => {
        await shelves.shelve(req.auth, req.id, instance);
        return ACCEPTED;
      },
    },
    {
      name: 'shelveOffload',
      handler: async (req, instance) => {
        await shelves.shelveOffload(req.auth, req.id, instance);
        return ACCEPTED;
      },
    },
    {
      name: 'unshelve',
      bodies: unshelveBodies,
      handler: async (req, instance, arg) => {
        // Below 2.77 Nova reads nothing from the body (and validates none of it).
        const a = (arg && req.apiVersion.gte('2.77') ? arg : {}) as {
          availability_zone?: string | null;
          host?: string;
        };
        await shelves.unshelve(req.auth, req.id, instance, { availabilityZone: a.availability_zone, host: a.host });
        return ACCEPTED;
      },
    },
  ];
};
