// resize (202), confirmResize (204), revertResize (202) (nova servers.py _action_resize,
// _action_confirm_resize, _action_revert_resize).
import { type ActionGroup, ACCEPTED } from './registry.js';
import { resizeSchema } from './action-schemas-2.js';

export const resizeActions: ActionGroup = (services) => {
  const resizes = services.serverResizes;
  return [
    {
      name: 'resize',
      bodies: [{ min: '2.1', schema: resizeSchema }],
      handler: async (req, instance, arg) => {
        await resizes.resize(req.auth, req.id, instance, String((arg as { flavorRef: string | number }).flavorRef));
        return ACCEPTED;
      },
    },
    {
      name: 'confirmResize',
      handler: async (req, instance) => {
        await resizes.confirmResize(req.auth, req.id, instance);
        return { status: 204 };
      },
    },
    {
      name: 'revertResize',
      handler: async (req, instance) => {
        await resizes.revertResize(req.auth, req.id, instance);
        return ACCEPTED;
      },
    },
  ];
};
