import { isAdmin } from '../../identity/auth-context.js';
import { authorize, canSee } from '../../identity/policy.js';
import { BadRequest, InstanceNotFound, NotFound } from '../../errors.js';
import { isUuidLike } from '../compute-api.js';
export class InstanceActionsApi {
    instances;
    repo;
    queries;
    hostsRepo;
    constructor(instances, repo, queries, hostsRepo) {
        this.instances = instances;
        this.repo = repo;
        this.queries = queries;
        this.hostsRepo = hostsRepo;
    }
    async list(auth, v, uuid, f) {
        const instance = await this.instance(auth, v, uuid);
        if (f.changesSince && f.changesBefore && f.changesBefore < f.changesSince) {
            throw new BadRequest('The value of changes-since must be less than or equal to changes-before.');
        }
        let marker;
        if (f.marker !== undefined) {
            marker = await this.queries.findByRequest(instance.uuid, f.marker);
            if (!marker)
                throw new BadRequest(`Marker ${f.marker} could not be found.`);
        }
        const actions = await this.queries.list({
            instanceUuid: instance.uuid, limit: f.limit, marker, changesSince: f.changesSince, changesBefore: f.changesBefore,
        });
        return { instance, actions };
    }
    async show(auth, v, uuid, requestId) {
        const instance = await this.instance(auth, v, uuid);
        const action = await this.queries.findByRequest(instance.uuid, requestId);
        if (!action)
            throw new NotFound(`Action ${requestId} not found`);
        const admin = isAdmin(auth);
        const showEvents = admin || v.gte('2.51');
        const host = instance.host_id ? await this.hostsRepo.findById(instance.host_id) : undefined;
        return {
            instanceHost: host?.name ?? null,
            instance, action,
            events: showEvents ? await this.repo.events(action.id) : undefined,
            showTraceback: admin,
            showHost: admin && v.gte('2.62'),
        };
    }
    async instance(auth, v, uuid) {
        authorize(auth, 'read', 'os_compute_api:os-instance-actions:list');
        const row = isUuidLike(uuid) ? await this.instances.findByUuid(uuid.toLowerCase()) : undefined;
        // Before 2.21 a deleted server is gone; from 2.21 its history stays readable.
        if (!row || (row.deleted && v.lt('2.21')) || !canSee(auth, row.project_id))
            throw InstanceNotFound(uuid);
        return row;
    }
}
//# sourceMappingURL=instance-actions-api.js.map