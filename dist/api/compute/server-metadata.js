import { BadRequest, NotFound } from '../../errors.js';
import { COMPUTE_PREFIX } from '../urls.js';
import { metadataBodies, metadataItemBodies } from './schemas/servers.js';
export async function serverMetadataRoutes(app, opts) {
    const { compute } = opts.services;
    const base = `${COMPUTE_PREFIX}/servers/:id/metadata`;
    app.get(base, async (req) => ({ metadata: await compute.getMetadata(req.auth, req.params.id) }));
    app.post(base, { config: { bodies: metadataBodies } }, async (req) => {
        const items = req.body.metadata;
        return { metadata: await compute.setMetadata(req.auth, req.params.id, items, false) };
    });
    app.put(base, { config: { bodies: metadataBodies } }, async (req) => {
        const items = req.body.metadata;
        return { metadata: await compute.setMetadata(req.auth, req.params.id, items, true) };
    });
    app.get(`${base}/:key`, async (req) => {
        const meta = await compute.getMetadata(req.auth, req.params.id);
        if (!(req.params.key in meta))
            throw new NotFound('Metadata item was not found');
        return { meta: { [req.params.key]: meta[req.params.key] } };
    });
    app.put(`${base}/:key`, { config: { bodies: metadataItemBodies } }, async (req) => {
        const meta = req.body.meta;
        if (!(req.params.key in meta))
            throw new BadRequest('Request body and URI mismatch');
        await compute.setMetadata(req.auth, req.params.id, meta, false);
        return { meta };
    });
    app.delete(`${base}/:key`, async (req, reply) => {
        await compute.deleteMetadataItem(req.auth, req.params.id, req.params.key);
        return reply.code(204).send();
    });
}
//# sourceMappingURL=server-metadata.js.map