// createImage and createBackup (nova servers.py _action_create_image, create_backup.py): 202;
// below 2.45 the new image's URL in a Location header (createBackup: only when rotation > 0), as
// Nova writes it: the catalog's image endpoint, version stripped, then /images/<id> (api/urls.ts),
// from 2.45 the body {"image_id": …} instead (openstack-contract.md gotcha 1).
import type { FastifyRequest } from 'fastify';
import { baseUrl, novaImageUrl } from '../../../urls.js';
import type { ActionGroup, ActionResult } from './registry.js';
import { createBackupSchema, createImageSchema } from './action-schemas-2.js';

interface CreateImageArg {
  name: string;
  metadata?: Record<string, string>;
}
interface CreateBackupArg extends CreateImageArg {
  backup_type: string;
  rotation: number | string;
}

export const snapshotActions: ActionGroup = (services) => {
  const snapshots = services.serverSnapshots;
  const answer = (req: FastifyRequest, imageId: string, withLocation: boolean): ActionResult => {
    if (req.apiVersion.gte('2.45')) return { status: 202, body: { image_id: imageId } };
    return {
      status: 202,
      headers: withLocation ? { Location: novaImageUrl(baseUrl(req, services.config.publicUrl), imageId) } : {},
    };
  };
  return [
    {
      name: 'createImage',
      bodies: [{ min: '2.1', schema: createImageSchema }],
      handler: async (req, instance, arg) => {
        const a = arg as CreateImageArg;
        const image = await snapshots.createImage(req.auth, req.id, instance, {
          name: a.name,
          metadata: a.metadata ?? {},
        });
        return answer(req, image.id, true);
      },
    },
    {
      name: 'createBackup',
      bodies: [{ min: '2.1', schema: createBackupSchema }],
      handler: async (req, instance, arg) => {
        const a = arg as CreateBackupArg;
        const rotation = Number(a.rotation);
        const image = await snapshots.createBackup(req.auth, req.id, instance, {
          name: a.name,
          metadata: a.metadata ?? {},
          backupType: a.backup_type,
          rotation,
        });
        return answer(req, image.id, rotation > 0);
      },
    },
  ];
};
