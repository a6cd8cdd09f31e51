import { baseUrl, COMPUTE_PREFIX } from '../urls.js';
import { createServerBodies, updateServerBodies } from './schemas/servers.js';
import { renderServerBasic, renderServerCreate, renderServerShow, serverLinks, } from './views/servers.js';
const TRUE_SPELLINGS = new Set(['true', '1', 'on', 'yes', 'y', 't']);
const bool = (v) => v === true || (typeof v === 'string' && TRUE_SPELLINGS.has(v.toLowerCase()));
export async function serverRoutes(app, opts) {
    const { compute, serverLister, serverExtras, config, hostHealth } = opts.services;
    const base = `${COMPUTE_PREFIX}/servers`;
    const view = (req) => ({
        base: baseUrl(req, config.publicUrl), version: req.apiVersion, auth: req.auth, hostUp: (h) => hostHealth.isUp(h),
    });
    app.post(base, { config: { bodies: createServerBodies } }, async (req, reply) => {
        const body = req.body;
        const s = body.server;
        const hints = body['os:scheduler_hints'] ?? body['OS-SCH-HNT:scheduler_hints'] ?? {};
        const group = Array.isArray(hints.group) ? hints.group[0] : hints.group;
        const count = (v) => (v === undefined || v === '' ? undefined : Number(v));
        const minCount = count(s.min_count) ?? 1;
        const maxCount = count(s.max_count) ?? minCount;
        const input = {
            name: s.name, imageRef: s.imageRef, flavorRef: String(s.flavorRef), minCount, maxCount,
            networks: s.networks, metadata: s.metadata ?? {}, userData: s.user_data ?? null, keyName: s.key_name ?? null,
            availabilityZone: s.availability_zone ?? null, accessIPv4: s.accessIPv4 || null, accessIPv6: s.accessIPv6 || null,
            description: s.description ?? null, tags: s.tags ?? [], hostname: s.hostname ?? null, adminPass: s.adminPass ?? null,
            configDrive: bool(s.config_drive), requestedHost: s.host ?? s.hypervisor_hostname ?? null,
            trustedCerts: s.trusted_image_certificates ?? null,
            serverGroup: typeof group === 'string' && group ? group : null,
            personality: s.personality, blockDeviceMapping: s.block_device_mapping, blockDeviceMappingV2: s.block_device_mapping_v2,
            // nova servers.py: the names given (an item without one is skipped), duplicates once
            securityGroups: s.security_groups?.flatMap((g) => (g.name ? [g.name] : [])),
        };
        const result = await compute.create(req.auth, req.id, input);
        reply.code(202);
        if (bool(s.return_reservation_id))
            return { reservation_id: result.reservationId };
        const first = result.instances[0];
        const ctx = view(req);
        reply.header('Location', serverLinks(ctx.base, first.uuid)[0].href);
        return renderServerCreate(ctx, first, result.adminPass, s.security_groups);
    });
    const list = (detail) => async (req) => {
        const query = req.query;
        const { rows, more } = await serverLister.list(req.auth, req.apiVersion, query);
        const ctx = view(req);
        let servers;
        if (detail) {
            const extras = await serverExtras.loadMany(rows);
            servers = rows.map((r) => renderServerShow(ctx, r, extras.get(r.uuid), 'detail'));
        }
        else {
            servers = rows.map((r) => renderServerBasic(ctx, r));
        }
        const out = { servers };
        if (more && rows.length) {
            const params = new URLSearchParams();
            for (const [k, v] of Object.entries(query)) {
                if (k === 'marker')
                    continue;
                for (const one of Array.isArray(v) ? v : [v])
                    params.append(k, String(one));
            }
            params.set('marker', rows[rows.length - 1].uuid);
            out.servers_links = [{ rel: 'next', href: `${ctx.base}${base}${detail ? '/detail' : ''}?${params.toString()}` }];
        }
        return out;
    };
    app.get(base, list(false));
    app.get(`${base}/detail`, list(true));
    app.get(`${base}/:id`, async (req) => {
        const row = await compute.get(req.auth, req.params.id);
        return { server: renderServerShow(view(req), row, await serverExtras.loadOne(row), 'show') };
    });
    app.put(`${base}/:id`, { config: { bodies: updateServerBodies } }, async (req) => {
        const s = req.body.server;
        const row = await compute.update(req.auth, req.params.id, {
            name: s.name, description: s.description, accessIPv4: s.accessIPv4, accessIPv6: s.accessIPv6, hostname: s.hostname,
        });
        return { server: renderServerShow(view(req), row, await serverExtras.loadOne(row), 'update') };
    });
    app.delete(`${base}/:id`, async (req, reply) => {
        await compute.delete(req.auth, req.id, req.params.id);
        return reply.code(204).send();
    });
}
//# sourceMappingURL=servers.js.map