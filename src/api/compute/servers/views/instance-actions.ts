// os-instance-actions views (nova instance_actions.py ACTION_KEYS, ACTION_KEYS_V258, EVENT_KEYS,
// _format_event): updated_at from 2.58; events with traceback (admin), host (admin, 2.62),
// hostId (2.62, everyone), details (2.84).
import type { InstanceActionEventRow, InstanceActionRow } from '../../../../db/repositories/instance-actions-repo.js';
import { naiveMicros } from '../../hosts/compute-services-views.js';
import { hostIdOf } from './servers.js';
import type { ApiVersion } from '../../../../compute/api-version.js';

export function renderAction(v: ApiVersion, a: InstanceActionRow): Record<string, unknown> {
  const out: Record<string, unknown> = {
    action: a.action,
    instance_uuid: a.instance_uuid,
    request_id: a.request_id,
    user_id: a.user_id,
    project_id: a.project_id,
    start_time: naiveMicros(a.start_time),
    message: a.message,
  };
  if (v.gte('2.58')) out.updated_at = naiveMicros(a.updated_at ?? a.start_time);
  return out;
}

export function renderEvent(
  v: ApiVersion,
  e: InstanceActionEventRow,
  projectId: string,
  opts: { showTraceback: boolean; showHost: boolean; instanceHost: string | null },
): Record<string, unknown> {
  const host = e.host ?? opts.instanceHost;
  const out: Record<string, unknown> = {
    event: e.event,
    start_time: naiveMicros(e.start_time),
    finish_time: naiveMicros(e.finish_time),
    result: e.result,
  };
  if (opts.showTraceback) out.traceback = e.traceback;
  if (opts.showHost) out.host = host;
  if (v.gte('2.62')) out.hostId = hostIdOf(projectId, host);
  if (v.gte('2.84')) out.details = e.details;
  return out;
}
