// compute_host_usage, kept by triggers on instances, always equals the aggregate the scheduler used
// to compute (live servers on a host: deleted = false, host_id set), through inserts, scheduling,
// resizes, moves between hosts, deletes (flag and row) and a random sequence of all of them, on
// SQLite (and on PostgreSQL when TEST_PG_URL is set).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createKnex } from '../../src/db/connect.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { HostsRepo } from '../../src/db/repositories/hosts-repo.js';
import { InstancesRepo } from '../../src/db/repositories/instances-repo.js';
import { insertInstanceRow } from '../helpers/instance-rows.js';
import { freshPgDatabase, type PgDatabase } from '../helpers/pg-database.js';

const engines: [string, string][] = [['sqlite', 'sqlite://:memory:']];
if (process.env.TEST_PG_URL) engines.push(['postgres', process.env.TEST_PG_URL]);

type Usage = Record<number, { vcpus: number; memoryMb: number; count: number }>;

describe.each(engines)('compute_host_usage on %s', (_name, url) => {
  let db: Knex;
  let pg: PgDatabase | null = null;
  const hosts: number[] = [];
  beforeAll(async () => {
    pg = url.startsWith('postgres') ? await freshPgDatabase(url, 'hostusage') : null;
    db = createKnex(pg?.url ?? url);
    await migrateLatest(db);
    const now = new Date().toISOString();
    for (const name of ['a', 'b', 'c']) {
      hosts.push(
        await new HostsRepo(db).insert({
          uuid: `5c0c6a5e-0000-4000-8000-00000000000${hosts.length}`,
          name,
          docker_url: 'unix:///x',
          availability_zone: 'nova',
          disabled: false,
          disabled_reason: null,
          forced_down: false,
          last_seen_at: now,
          info: null,
          created_at: now,
          updated_at: null,
        }),
      );
    }
  }, 60_000);
  afterAll(async () => {
    await db.destroy();
    await pg?.drop();
  });

  /** The aggregate the scheduler computed before the table existed. */
  async function aggregate(): Promise<Usage> {
    type Row = { host_id: number; v: number; m: number; n: number };
    const rows: Row[] = await db('instances')
      .where({ deleted: false })
      .whereNotNull('host_id')
      .groupBy('host_id')
      .select('host_id', db.raw('sum(vcpus) as v'), db.raw('sum(memory_mb) as m'), db.raw('count(*) as n'));
    return Object.fromEntries(
      rows.map((r) => [Number(r.host_id), { vcpus: Number(r.v), memoryMb: Number(r.m), count: Number(r.n) }]),
    );
  }
  const table = async (): Promise<Usage> => Object.fromEntries(await new InstancesRepo(db).usageByHost());

  it('follows inserts, scheduling, resizes, moves and deletes', async () => {
    const [a, b] = hosts;
    const u1 = await insertInstanceRow(db, { projectId: 'p', hostId: a, vcpus: 2, memoryMb: 512 });
    await insertInstanceRow(db, { projectId: 'p', hostId: a, vcpus: 1, memoryMb: 64, deleted: true });
    const u3 = await insertInstanceRow(db, { projectId: 'p', hostId: null, vcpus: 4, memoryMb: 1024 });
    expect(await table()).toEqual({ [a]: { vcpus: 2, memoryMb: 512, count: 1 } });
    await db('instances').where({ uuid: u3 }).update({ host_id: b }); // scheduled
    await db('instances').where({ uuid: u1 }).update({ vcpus: 3, memory_mb: 768 }); // resized
    expect(await table()).toEqual({
      [a]: { vcpus: 3, memoryMb: 768, count: 1 },
      [b]: { vcpus: 4, memoryMb: 1024, count: 1 },
    });
    await db('instances').where({ uuid: u3 }).update({ host_id: a }); // moved
    expect(await table()).toEqual({ [a]: { vcpus: 7, memoryMb: 1792, count: 2 } });
    await db('instances').where({ uuid: u1 }).update({ vm_state: 'soft-delete' }); // still counted, as before
    await db('instances').where({ uuid: u3 }).update({ deleted: true }); // deleted
    expect(await table()).toEqual({ [a]: { vcpus: 3, memoryMb: 768, count: 1 } });
    await db('instances').where({ uuid: u1 }).delete(); // row purged
    await db('instances').where({ uuid: u3 }).delete(); // a deleted row purged changes nothing
    expect(await table()).toEqual({});
    expect(await table()).toEqual(await aggregate());
  });

  it('equals the aggregate after a random sequence of writes', async () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const live: string[] = [];
    const host = () => (rnd(4) === 0 ? null : hosts[rnd(hosts.length)]);
    for (let i = 0; i < 300; i++) {
      const op = rnd(6);
      if (op <= 1 || live.length === 0) {
        live.push(
          await insertInstanceRow(db, {
            projectId: 'p',
            hostId: host(),
            vcpus: 1 + rnd(4),
            memoryMb: 64 * (1 + rnd(8)),
          }),
        );
      } else {
        const uuid = live[rnd(live.length)];
        const q = db('instances').where({ uuid });
        if (op === 2) await q.update({ host_id: host() });
        else if (op === 3) await q.update({ vcpus: 1 + rnd(4), memory_mb: 64 * (1 + rnd(8)) });
        else if (op === 4) await q.update({ deleted: rnd(2) === 0 });
        else {
          await q.delete();
          live.splice(live.indexOf(uuid), 1);
        }
      }
      if (i % 25 === 0) expect(await table()).toEqual(await aggregate());
    }
    expect(await table()).toEqual(await aggregate());
  });
});
