import { baseUrl } from '../../urls.js';
import { createBackupSchema, createImageSchema } from './action-schemas-2.js';
export const snapshotActions = (services) => {
    const snapshots = services.serverSnapshots;
    const answer = (req, imageId, withLocation) => {
        if (req.apiVersion.gte('2.45'))
            return { status: 202, body: { image_id: imageId } };
        return { status: 202, headers: withLocation ? { Location: `${baseUrl(req, services.config.publicUrl)}/image/v2/images/${imageId}` } : {} };
    };
    return [
        {
            name: 'createImage',
            bodies: [{ min: '2.1', schema: createImageSchema }],
            handler: async (req, instance, arg) => {
                const a = arg;
                const image = await snapshots.createImage(req.auth, req.id, instance, { name: a.name, metadata: a.metadata ?? {} });
                return answer(req, image.id, true);
            },
        },
        {
            name: 'createBackup',
            bodies: [{ min: '2.1', schema: createBackupSchema }],
            handler: async (req, instance, arg) => {
                const a = arg;
                const rotation = Number(a.rotation);
                const image = await snapshots.createBackup(req.auth, req.id, instance, {
                    name: a.name, metadata: a.metadata ?? {}, backupType: a.backup_type, rotation,
                });
                return answer(req, image.id, rotation > 0);
            },
        },
    ];
};
//# sourceMappingURL=snapshot.js.map