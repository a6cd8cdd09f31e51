// Server group views: `policies` and `metadata` until 2.63, `policy` and `rules` from 2.64;
// project_id and user_id from 2.13.
import type { ServerGroup } from '../../../compute/server-groups/server-groups.js';
import type { ApiVersion } from '../../../compute/api-version.js';

export function renderServerGroup(v: ApiVersion, g: ServerGroup) {
  const owner = v.gte('2.13') ? { project_id: g.row.project_id, user_id: g.row.user_id } : {};
  if (v.gte('2.64')) {
    return { id: g.row.uuid, name: g.row.name, policy: g.policy, rules: g.rules, members: g.members, ...owner };
  }
  return { id: g.row.uuid, name: g.row.name, policies: [g.policy], metadata: {}, members: g.members, ...owner };
}
