// Key pair views (nova/api/openstack/compute/keypairs.py _view_builder): the fields and their
// order per microversion, as the golden recordings show them.
import type { KeypairRow } from '../../../db/repositories/keypairs-repo.js';
import type { ApiVersion } from '../../../compute/api-version.js';

/** Nova prints key pair times as naive UTC with microseconds: "2026-11-27T19:13:54.000000". */
function naiveMicros(iso: string): string {
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000`;
}

export function renderKeypairCreate(v: ApiVersion, row: KeypairRow, privateKey?: string) {
  return {
    keypair: {
      ...(privateKey !== undefined ? { private_key: privateKey } : {}),
      ...(v.gte('2.2') ? { type: row.type } : {}),
      name: row.name,
      public_key: row.public_key,
      fingerprint: row.fingerprint,
      user_id: row.user_id,
    },
  };
}

export function renderKeypairShow(v: ApiVersion, row: KeypairRow) {
  return {
    keypair: {
      name: row.name,
      public_key: row.public_key,
      fingerprint: row.fingerprint,
      user_id: row.user_id,
      created_at: naiveMicros(row.created_at),
      deleted: false,
      deleted_at: null,
      id: row.id,
      updated_at: null,
      ...(v.gte('2.2') ? { type: row.type } : {}),
    },
  };
}

export function renderKeypairList(v: ApiVersion, rows: KeypairRow[], nextHref: string | null) {
  return {
    keypairs: rows.map((row) => ({
      keypair: {
        name: row.name,
        public_key: row.public_key,
        fingerprint: row.fingerprint,
        ...(v.gte('2.2') ? { type: row.type } : {}),
      },
    })),
    ...(nextHref ? { keypairs_links: [{ href: nextHref, rel: 'next' }] } : {}),
  };
}
