import { BadRequest } from '../../errors.js';
import { authorize } from '../../identity/policy.js';
import { createExtraSpecsBodies, updateExtraSpecBodies } from './schemas/flavors.js';
const PREFIX = '/compute/v2.1/flavors/:flavorId/os-extra_specs';
const RULE = 'os_compute_api:os-flavor-extra-specs';
/** The microversion from which Nova validates extra specs of known namespaces. */
const VALIDATED_FROM = '2.86';
/** Python str() of a JSON scalar. */
function pyStr(v) {
    if (v === true)
        return 'True';
    if (v === false)
        return 'False';
    return String(v);
}
function asStrings(specs) {
    const out = {};
    for (const [k, v] of Object.entries(specs)) {
        const s = pyStr(v);
        if (s.length > 255)
            throw new BadRequest('Invalid input received: extra_specs value has more than 255 characters.');
        out[k] = s;
    }
    return out;
}
export async function flavorExtraSpecRoutes(app, opts) {
    const { flavors } = opts.services;
    app.get(PREFIX, async (req) => {
        authorize(req.auth, 'read', `${RULE}:index`);
        const flavor = await flavors.get(req.params.flavorId, req.auth);
        return { extra_specs: await flavors.extraSpecs(flavor.id) };
    });
    app.post(PREFIX, { config: { bodies: createExtraSpecsBodies } }, async (req) => {
        authorize(req.auth, 'admin', `${RULE}:create`);
        const body = req.body;
        const specs = asStrings(body.extra_specs);
        if (req.apiVersion.gte(VALIDATED_FROM))
            flavors.checkExtraSpecs(specs);
        const flavor = await flavors.get(req.params.flavorId, req.auth);
        await flavors.setExtraSpecs(flavor.id, specs);
        return body;
    });
    app.get(`${PREFIX}/:key`, async (req) => {
        authorize(req.auth, 'read', `${RULE}:show`);
        const flavor = await flavors.get(req.params.flavorId, req.auth);
        return { [req.params.key]: await flavors.extraSpec(flavor.id, req.params.key) };
    });
    app.put(`${PREFIX}/:key`, { config: { bodies: updateExtraSpecBodies } }, async (req) => {
        authorize(req.auth, 'admin', `${RULE}:update`);
        const body = req.body;
        // Nova checks the value before comparing the body's key with the URI's.
        const specs = asStrings(body);
        if (req.apiVersion.gte(VALIDATED_FROM))
            flavors.checkExtraSpecs(specs);
        if (!(req.params.key in body))
            throw new BadRequest('Request body and URI mismatch');
        const flavor = await flavors.get(req.params.flavorId, req.auth);
        await flavors.setExtraSpecs(flavor.id, specs);
        return body;
    });
    app.delete(`${PREFIX}/:key`, async (req, reply) => {
        authorize(req.auth, 'admin', `${RULE}:delete`);
        const flavor = await flavors.get(req.params.flavorId, req.auth);
        await flavors.deleteExtraSpec(flavor.id, req.params.key);
        return reply.code(202).send();
    });
}
//# sourceMappingURL=flavor-extra-specs.js.map