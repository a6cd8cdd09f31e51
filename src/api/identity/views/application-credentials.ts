// Keystone application credential bodies, as api-ref's samples show them: create and list carry
// Keystone's public fields (no user_id), show adds user_id and system; the secret appears only in
// the create response. Times are Keystone's "2018-02-27T18:30:59.000000" (UTC, no zone letter).
import type { ApplicationCredential } from '../../../identity/application-credentials.js';
import type { V3 } from './resources.js';

function credentialTime(iso: string | null): string | null {
  return iso ? `${iso.slice(0, 19)}.${iso.slice(20, 23)}000` : null;
}

export function renderApplicationCredential(c: ApplicationCredential, v3: V3, form: 'create' | 'list' | 'show') {
  const { row } = c;
  const body: Record<string, unknown> = {
    id: row.id,
    name: row.name,
    description: row.description,
    project_id: row.project_id,
    roles: c.roles.map((r) => ({ id: r.id, name: r.name, domain_id: null })),
    expires_at: credentialTime(row.expires_at),
    unrestricted: Boolean(row.unrestricted),
    access_rules: [] as unknown[],
    links: { self: `${v3}/users/${row.user_id}/application_credentials/${row.id}` },
  };
  if (form === 'create' && c.secret !== undefined) body.secret = c.secret;
  if (form === 'show') {
    body.user_id = row.user_id;
    body.system = null;
  }
  return body;
}
