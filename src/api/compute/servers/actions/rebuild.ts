// rebuild (nova servers.py _action_rebuild): 202 with the server as show renders it for this
// microversion (before 2.75 Nova's reduced document; key_name 2.54, user_data 2.57) plus adminPass.
import type { FastifyRequest } from 'fastify';
import { baseUrl } from '../../../urls.js';
import { renderServerShow, type ServerViewContext } from '../views/servers.js';
import type { ActionGroup } from './registry.js';
import { rebuildBodies } from './action-schemas-2.js';
import type { PersonalityFile } from '../../../../compute/servers/create-options.js';

interface RebuildArg {
  imageRef: string;
  name?: string;
  adminPass?: string;
  metadata?: Record<string, string>;
  description?: string | null;
  key_name?: string | null;
  user_data?: string | null;
  hostname?: string;
  accessIPv4?: string;
  accessIPv6?: string;
  personality?: PersonalityFile[];
}

export const rebuildActions: ActionGroup = (services) => {
  const view = (req: FastifyRequest): ServerViewContext => ({
    base: baseUrl(req, services.config.publicUrl),
    version: req.apiVersion,
    auth: req.auth,
    hostUp: (h) => services.hostHealth.isUp(h),
  });
  return [
    {
      name: 'rebuild',
      bodies: rebuildBodies,
      handler: async (req, instance, arg) => {
        const a = arg as RebuildArg;
        const { row, adminPass } = await services.serverRebuilds.rebuild(req.auth, req.id, instance, {
          imageRef: a.imageRef,
          name: a.name,
          adminPass: a.adminPass,
          metadata: a.metadata,
          description: a.description,
          keyName: a.key_name,
          userData: a.user_data,
          hostname: a.hostname,
          accessIPv4: a.accessIPv4,
          accessIPv6: a.accessIPv6,
          personality: a.personality,
        });
        const v = req.apiVersion;
        const server = renderServerShow(
          view(req),
          row,
          await services.serverExtras.loadOne(row),
          v.gte('2.75') ? 'show' : 'update',
        );
        if (v.gte('2.54') && v.lt('2.75')) server.key_name = row.key_name;
        // nova servers.py _action_rebuild: the view is built with show_user_data=False and user_data
        // added on its own from 2.57, so the 2.75 rebuild has no OS-EXT-SRV-ATTR:user_data (Tempest's
        // v2_75 rebuild_server schema refuses it)
        delete server['OS-EXT-SRV-ATTR:user_data'];
        if (v.gte('2.57')) server.user_data = row.user_data;
        server.adminPass = adminPass;
        return { status: 202, body: { server } };
      },
    },
  ];
};
