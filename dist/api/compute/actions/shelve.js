import { ACCEPTED } from './registry.js';
import { unshelveBodies } from './action-schemas-2.js';
export const shelveActions = (services) => {
    const shelves = services.serverShelves;
    return [
        { name: 'shelve', handler: async (req, instance) => { await shelves.shelve(req.auth, req.id, instance); return ACCEPTED; } },
        { name: 'shelveOffload', handler: async (req, instance) => { await shelves.shelveOffload(req.auth, req.id, instance); return ACCEPTED; } },
        {
            name: 'unshelve',
            bodies: unshelveBodies,
            handler: async (req, instance, arg) => {
                // Below 2.77 Nova reads nothing from the body (and validates none of it).
                const a = (arg && req.apiVersion.gte('2.77') ? arg : {});
                await shelves.unshelve(req.auth, req.id, instance, { availabilityZone: a.availability_zone, host: a.host });
                return ACCEPTED;
            },
        },
    ];
};
//# sourceMappingURL=shelve.js.map