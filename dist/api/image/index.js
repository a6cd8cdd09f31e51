import { glanceImageRoutes } from './images.js';
export async function imageRoutes(app, opts) {
    // Uploads a crash cut short leave temporary files in the store; clear the old ones at boot.
    await opts.services.imageStore.removeStaleUploads();
    await app.register(glanceImageRoutes, opts);
}
//# sourceMappingURL=index.js.map