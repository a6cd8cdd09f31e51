// restore and forceDelete (nova deferred_delete.py): 202. restore needs a SOFT_DELETED server
// (409 otherwise, e.g. whenever NOVADOCK_RECLAIM_INSTANCE_INTERVAL is 0); forceDelete deletes at once.
import { ACCEPTED, type ActionGroup } from './registry.js';

export const deferredDeleteActions: ActionGroup = (services) => {
  const api = services.serverActions.softDelete;
  return [
    {
      name: 'restore',
      handler: async (req, instance) => {
        await api.restore(req.auth, req.id, instance);
        return ACCEPTED;
      },
    },
    {
      name: 'forceDelete',
      handler: async (req, instance) => {
        await api.forceDelete(req.auth, req.id, instance);
        return ACCEPTED;
      },
    },
  ];
};
