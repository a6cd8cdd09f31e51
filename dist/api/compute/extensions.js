import { NotFound } from '../../errors.js';
import { authorize } from '../../identity/policy.js';
import { COMPUTE_PREFIX } from '../urls.js';
import { findExtension, renderExtensions } from './views/extensions.js';
export async function extensionRoutes(app) {
    app.get(`${COMPUTE_PREFIX}/extensions`, async (req) => {
        authorize(req.auth, 'read', 'os_compute_api:extensions');
        return renderExtensions();
    });
    app.get(`${COMPUTE_PREFIX}/extensions/:alias`, async (req) => {
        authorize(req.auth, 'read', 'os_compute_api:extensions');
        const extension = findExtension(req.params.alias);
        if (!extension)
            throw new NotFound('The resource could not be found.');
        return { extension };
    });
}
//# sourceMappingURL=extensions.js.map