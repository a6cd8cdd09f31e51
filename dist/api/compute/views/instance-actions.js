import { naiveMicros } from './compute-services.js';
import { hostIdOf } from './servers.js';
export function renderAction(v, a) {
    const out = {
        action: a.action, instance_uuid: a.instance_uuid, request_id: a.request_id, user_id: a.user_id,
        project_id: a.project_id, start_time: naiveMicros(a.start_time), message: a.message,
    };
    if (v.gte('2.58'))
        out.updated_at = naiveMicros(a.updated_at ?? a.start_time);
    return out;
}
export function renderEvent(v, e, projectId, opts) {
    const host = e.host ?? opts.instanceHost;
    const out = {
        event: e.event, start_time: naiveMicros(e.start_time), finish_time: naiveMicros(e.finish_time), result: e.result,
    };
    if (opts.showTraceback)
        out.traceback = e.traceback;
    if (opts.showHost)
        out.host = host;
    if (v.gte('2.62'))
        out.hostId = hostIdOf(projectId, host);
    if (v.gte('2.84'))
        out.details = e.details;
    return out;
}
//# sourceMappingURL=instance-actions.js.map