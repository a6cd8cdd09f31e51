// os-server-external-events, the API side (nova api/openstack/compute/server_external_events.py
// and compute/api.py external_instance_event): decides each event's code, records the instance
// actions Nova's API records, and hands the accepted events to the manager, host by host.
//   404  no server with that uuid (a deleted one still counts, as Nova's lookup reads deleted rows)
//   400  volume-extended, power-update or accelerator-request-bound without a tag
//   422  the server has no host (still scheduling, failed to schedule, or shelved offloaded)
//   200  accepted
// The response is 200 when every event was accepted, else 207 (since Nova's fix for bug 1855752,
// also when none was: there is no overall 404).
import type { Db } from '../../db/knex.js';
import type { AuthContext } from '../../identity/auth-context.js';
import type { InstanceRow, InstancesRepo } from '../../db/repositories/instances-repo.js';
import type { HostsRepo } from '../../db/repositories/hosts-repo.js';
import type { InstanceActions } from './instance-actions.js';

export const EVENT_STATUSES = ['failed', 'completed', 'in-progress'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** Events whose tag says what they are about; without one they cannot be handled (code 400). */
const TAG_REQUIRED = new Set(['volume-extended', 'power-update', 'accelerator-request-bound']);

export interface ExternalEvent {
  name: string;
  server_uuid: string;
  status?: EventStatus;
  tag?: string;
}
export interface EventOutcome {
  code: 200 | 400 | 404 | 422;
  status: 'completed' | 'failed';
}
export interface ExternalEventsResult {
  status: 200 | 207;
  outcomes: EventOutcome[];
}

/** power-update tags (nova compute/api.py external_instance_event) */
export const POWER_ON = 'POWER_ON';
export const POWER_OFF = 'POWER_OFF';

/** One accepted event as the manager receives it. */
export interface DispatchedEvent {
  name: string;
  tag: string | null;
  instance: InstanceRow;
  hostName: string;
}

/** The manager's side: handles one host's accepted events (Nova's cast to that compute host). */
export type HostEventHandler = (requestId: string, events: DispatchedEvent[]) => Promise<void>;

export interface ExternalEventsDeps {
  db: Db;
  instances: InstancesRepo;
  hostsRepo: HostsRepo;
  actions: InstanceActions;
  hostEvents: HostEventHandler;
  log: { warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
}

export class ExternalEvents {
  constructor(private readonly d: ExternalEventsDeps) {}

  /** Policy is the caller's (the route's) concern; this is the API's work after it. */
  async create(auth: AuthContext, requestId: string, events: readonly ExternalEvent[]): Promise<ExternalEventsResult> {
    const instances = await this.load(events.map((e) => e.server_uuid));
    const hostNames = await this.hostNames([...instances.values()]);
    const outcomes: EventOutcome[] = [];
    const accepted: DispatchedEvent[] = [];
    for (const e of events) {
      const instance = instances.get(e.server_uuid.toLowerCase());
      const hostName = instance?.host_id != null ? hostNames.get(instance.host_id) : undefined;
      if (!instance) outcomes.push({ code: 404, status: 'failed' });
      else if (TAG_REQUIRED.has(e.name) && e.tag === undefined) outcomes.push({ code: 400, status: 'failed' });
      else if (hostName === undefined) outcomes.push({ code: 422, status: 'failed' });
      else {
        outcomes.push({ code: 200, status: 'completed' });
        accepted.push({ name: e.name, tag: e.tag ?? null, instance, hostName });
      }
    }
    if (accepted.length) await this.dispatch(auth, requestId, accepted);
    return { status: outcomes.every((o) => o.code === 200) ? 200 : 207, outcomes };
  }

  /**
   * compute/api.py external_instance_event: the actions a user can follow (extend_volume; start or
   * stop for power-update), then one cast per host. A power-update whose tag is neither POWER_ON
   * nor POWER_OFF is skipped here (logged, never sent), though its code stays 200.
   */
  private async dispatch(auth: AuthContext, requestId: string, accepted: DispatchedEvent[]): Promise<void> {
    const byHost = new Map<string, DispatchedEvent[]>();
    for (const e of accepted) {
      const action = actionFor(e);
      if (action === null) {
        this.d.log.warn(
          { instance: e.instance.uuid, tag: e.tag },
          'Invalid power state; cannot process the power-update event. Skipping it.',
        );
        continue;
      }
      if (action) {
        await this.d.actions.start(this.d.db, {
          instanceUuid: e.instance.uuid,
          action,
          requestId,
          userId: auth.userId,
          projectId: auth.projectId,
        });
      }
      byHost.set(e.hostName, [...(byHost.get(e.hostName) ?? []), e]);
    }
    // Nova casts and answers at once; here the manager's work (a few rows) is done before the
    // answer, so what a caller reads next already shows it. A failure stays on the manager's side.
    for (const events of byHost.values()) {
      await this.d
        .hostEvents(requestId, events)
        .catch((err) => this.d.log.error({ err }, 'external events cast failed'));
    }
  }

  /** The servers named, by lower-case uuid, deleted ones included (Nova's InstanceList lookup). */
  private async load(uuids: string[]): Promise<Map<string, InstanceRow>> {
    const rows = await this.d.instances.findManyByUuid([...new Set(uuids.map((u) => u.toLowerCase()))]);
    return new Map(rows.map((r) => [r.uuid, r]));
  }

  private async hostNames(instances: InstanceRow[]): Promise<Map<number, string>> {
    const names = new Map<number, string>();
    for (const id of new Set(instances.map((i) => i.host_id).filter((h): h is number => h !== null))) {
      const host = await this.d.hostsRepo.findById(id);
      if (host) names.set(id, host.name);
    }
    return names;
  }
}

/** The instance action Nova's API records for an event: a name, undefined for none, null to skip the event. */
function actionFor(e: DispatchedEvent): string | undefined | null {
  if (e.name === 'volume-extended') return 'extend_volume';
  if (e.name !== 'power-update') return undefined;
  if (e.tag === POWER_ON) return 'start';
  if (e.tag === POWER_OFF) return 'stop';
  return null;
}
