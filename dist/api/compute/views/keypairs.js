/** Nova prints key pair times as naive UTC with microseconds: "2026-11-27T19:13:54.000000". */
function naiveMicros(iso) {
    return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000`;
}
export function renderKeypairCreate(v, row, privateKey) {
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
export function renderKeypairShow(v, row) {
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
export function renderKeypairList(v, rows, nextHref) {
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
//# sourceMappingURL=keypairs.js.map