// os-instance-actions (nova api/openstack/compute/instance_actions.py): who did what to a server.
// From 2.21 the actions of a deleted server stay listable. Events: admins always (with traceback
// and, from 2.62, the host); from 2.51 the owner too, without traceback or host.
import { type AuthContext, isAdmin } from '../../identity/auth-context.js';
import { authorize, canSee } from '../../identity/policy.js';
import { ChangesSinceAfterBefore, InstanceNotFound, MarkerNotFound, NotFound } from '../../errors.js';
import type { InstanceRow, InstancesRepo } from '../../db/repositories/instances-repo.js';
import type {
  InstanceActionEventRow,
  InstanceActionRow,
  InstanceActionsRepo,
} from '../../db/repositories/instance-actions-repo.js';
import type { HostsRepo } from '../../db/repositories/hosts-repo.js';
import type { InstanceActionsQueries } from '../../db/repositories/instance-actions-queries.js';
import { isUuidLike } from '../../contract/parameter-types.js';
import type { ApiVersion } from '../api-version.js';

export interface ActionListFilter {
  limit?: number;
  marker?: string;
  changesSince?: string;
  changesBefore?: string;
}

export interface ActionDetail {
  instance: InstanceRow;
  action: InstanceActionRow;
  /** undefined when the caller may not see events at this version */
  events?: InstanceActionEventRow[];
  showTraceback: boolean;
  showHost: boolean;
  /** the server's host name: the host of events recorded before it was scheduled (the build) */
  instanceHost: string | null;
}

export class InstanceActionsApi {
  constructor(
    private readonly instances: InstancesRepo,
    private readonly repo: InstanceActionsRepo,
    private readonly queries: InstanceActionsQueries,
    private readonly hostsRepo: HostsRepo,
  ) {}

  async list(
    auth: AuthContext,
    v: ApiVersion,
    uuid: string,
    f: ActionListFilter,
  ): Promise<{ instance: InstanceRow; actions: InstanceActionRow[] }> {
    const instance = await this.instance(auth, v, uuid);
    if (f.changesSince && f.changesBefore && f.changesBefore < f.changesSince) {
      throw ChangesSinceAfterBefore();
    }
    let marker: InstanceActionRow | undefined;
    if (f.marker !== undefined) {
      marker = await this.queries.findByRequest(instance.uuid, f.marker);
      if (!marker) throw MarkerNotFound(f.marker);
    }
    const actions = await this.queries.list({
      instanceUuid: instance.uuid,
      limit: f.limit,
      marker,
      changesSince: f.changesSince,
      changesBefore: f.changesBefore,
    });
    return { instance, actions };
  }

  async show(auth: AuthContext, v: ApiVersion, uuid: string, requestId: string): Promise<ActionDetail> {
    const instance = await this.instance(auth, v, uuid);
    const action = await this.queries.findByRequest(instance.uuid, requestId);
    if (!action) throw new NotFound(`Action ${requestId} not found`);
    const admin = isAdmin(auth);
    const showEvents = admin || v.gte('2.51');
    const host = instance.host_id ? await this.hostsRepo.findById(instance.host_id) : undefined;
    return {
      instanceHost: host?.name ?? null,
      instance,
      action,
      events: showEvents ? await this.repo.events(action.id) : undefined,
      showTraceback: admin,
      showHost: admin && v.gte('2.62'),
    };
  }

  private async instance(auth: AuthContext, v: ApiVersion, uuid: string): Promise<InstanceRow> {
    authorize(auth, 'read', 'os_compute_api:os-instance-actions:list');
    const row = isUuidLike(uuid) ? await this.instances.findByUuid(uuid.toLowerCase()) : undefined;
    // Before 2.21 a deleted server is gone; from 2.21 its history stays readable.
    if (!row || (row.deleted && v.lt('2.21')) || !canSee(auth, row.project_id)) throw InstanceNotFound(uuid);
    return row;
  }
}
