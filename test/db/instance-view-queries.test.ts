// The one-statement reads behind the server views give what the per-table repositories give, on
// SQLite (and on PostgreSQL when TEST_PG_URL is set): metadata ordered by key, tags by tag, the
// host row, deleted rows, servers without any, and pages larger than SQLite's old 999-variable cap.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createKnex } from '../../src/db/connect.js';
import { readConnection } from '../../src/db/sqlite-client.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { InstanceViewQueries } from '../../src/db/repositories/instance-view-queries.js';
import { InstanceMetadataRepo } from '../../src/db/repositories/instance-metadata-repo.js';
import { InstanceTagsRepo } from '../../src/db/repositories/instance-tags-repo.js';
import { InstancesRepo } from '../../src/db/repositories/instances-repo.js';
import { HostsRepo } from '../../src/db/repositories/hosts-repo.js';
import { insertInstanceRow } from '../helpers/instance-rows.js';
import { freshPgDatabase, type PgDatabase } from '../helpers/pg-database.js';

// A database file also has the read-only connection that findForView reads through.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-viewqueries-'));
const engines: [string, string][] = [
  ['sqlite in memory', 'sqlite://:memory:'],
  ['a sqlite file', `sqlite://${path.join(dir, 'db.sqlite')}`],
];
if (process.env.TEST_PG_URL) engines.push(['postgres', process.env.TEST_PG_URL]);

describe.each(engines)('instance view queries on %s', (_name, url) => {
  let db: Knex;
  let pg: PgDatabase | null = null;
  let hostId: number;
  const uuids: string[] = [];
  beforeAll(async () => {
    pg = url.startsWith('postgres') ? await freshPgDatabase(url, 'viewqueries') : null;
    db = createKnex(pg?.url ?? url);
    await migrateLatest(db);
    const now = new Date().toISOString();
    hostId = await new HostsRepo(db).insert({
      uuid: '5c0c6a5e-0000-4000-8000-000000000001',
      name: 'host-a',
      docker_url: 'unix:///x',
      availability_zone: 'az1',
      disabled: false,
      disabled_reason: null,
      forced_down: false,
      last_seen_at: now,
      info: null,
      created_at: now,
      updated_at: null,
    });
    for (let i = 0; i < 1200; i++)
      uuids.push(await insertInstanceRow(db, { projectId: 'p', hostId: i % 2 ? hostId : null, name: `vm-${i}` }));
    const meta = new InstanceMetadataRepo(db);
    const tags = new InstanceTagsRepo(db);
    await meta.set(
      uuids[0],
      { zeta: 'z', alpha: 'a', 'Mixed Case': 'm', ünï: 'u', '10': 'ten', '2': 'two', quote: `it's "x"` },
      true,
    );
    await tags.replace(uuids[0], ['b', 'a', 'C', 'ä']);
    await meta.set(uuids[1], { only: '1' }, true);
    await tags.replace(uuids[1199], ['last']);
    await db('instances').where({ uuid: uuids[2] }).update({ deleted: true });
  }, 60_000);
  afterAll(async () => {
    await db.destroy();
    await pg?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('one server: the row, metadata, tags and host as the repositories read them', async () => {
    const q = new InstanceViewQueries(db);
    for (const uuid of [uuids[0], uuids[1], uuids[2], uuids[3]]) {
      const got = (await q.findForView(uuid))!;
      expect(got.row).toEqual(await new InstancesRepo(db).findByUuid(uuid));
      expect(got.metadata).toEqual(await new InstanceMetadataRepo(db).get(uuid));
      expect(Object.keys(got.metadata)).toEqual(Object.keys(await new InstanceMetadataRepo(db).get(uuid)));
      expect(got.tags).toEqual(await new InstanceTagsRepo(db).get(uuid));
      const row = got.row;
      expect(got.host).toEqual(row.host_id === null ? undefined : await new HostsRepo(db).findById(row.host_id));
    }
    expect((await q.findForView(uuids[2]))!.row.deleted).toBe(true);
    expect(await q.findForView('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('a page: metadata and tags of 1200 servers in one statement, as the repositories read them', async () => {
    const q = new InstanceViewQueries(db);
    let statements = 0;
    const count = () => statements++;
    db.on('query', count);
    const { metadata, tags } = await q.metadataAndTags(uuids);
    db.off('query', count);
    // one statement through knex; for a file, one on its read-only connection (knex sees none)
    expect(statements).toBe(readConnection(db) ? 0 : 1);
    expect(metadata).toEqual(await new InstanceMetadataRepo(db).getMany(uuids));
    expect(tags).toEqual(await new InstanceTagsRepo(db).getMany(uuids));
    expect(Object.keys(metadata.get(uuids[0])!)).toEqual(Object.keys(await new InstanceMetadataRepo(db).get(uuids[0])));
    expect(await q.metadataAndTags([])).toEqual({ metadata: new Map(), tags: new Map() });
  });

  it('a file reads through its read-only connection, and sees a write at once; a transaction reads its own', async () => {
    expect(readConnection(db) !== null).toBe(url.includes('db.sqlite'));
    const q = new InstanceViewQueries(db);
    await new InstanceTagsRepo(db).replace(uuids[5], ['fresh']);
    expect((await q.findForView(uuids[5]))!.tags).toEqual(['fresh']);
    await db.transaction(async (trx) => {
      expect(readConnection(trx)).toBeNull();
      await new InstanceTagsRepo(trx).replace(uuids[5], ['inside']);
      expect((await q.findForView(uuids[5], trx))!.tags).toEqual(['inside']);
      expect((await q.metadataAndTags([uuids[5]], trx)).tags.get(uuids[5])).toEqual(['inside']);
      // outside the transaction, its write is not there yet
      if (readConnection(db)) expect((await q.findForView(uuids[5]))!.tags).toEqual(['fresh']);
      if (readConnection(db)) expect((await q.metadataAndTags([uuids[5]])).tags.get(uuids[5])).toEqual(['fresh']);
    });
    expect((await q.findForView(uuids[5]))!.tags).toEqual(['inside']);
    expect((await q.metadataAndTags([uuids[5]])).tags.get(uuids[5])).toEqual(['inside']);
  });

  it('hosts by id', async () => {
    const q = new InstanceViewQueries(db);
    expect(await q.hostsByIds([hostId, 999])).toEqual([await new HostsRepo(db).findById(hostId)]);
    expect(await q.hostsByIds([])).toEqual([]);
  });
});
