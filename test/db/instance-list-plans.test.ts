// The server list's statement reads its page in index order, without sorting the scope, for
// Nova's default order (created_at desc, id desc) and its common filters, on SQLite (and on
// PostgreSQL when TEST_PG_URL is set, where the planner is told not to sort when an index can
// give the order: with a few rows it would rather sort, with 100,000 it would not).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createKnex } from '../../src/db/connect.js';
import { isSqlite } from '../../src/db/knex.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { InstancesRepo, type InstanceListQuery } from '../../src/db/repositories/instances-repo.js';
import { insertInstanceRow } from '../helpers/instance-rows.js';
import { freshPgDatabase, type PgDatabase } from '../helpers/pg-database.js';

const engines: [string, string][] = [['sqlite', 'sqlite://:memory:']];
if (process.env.TEST_PG_URL) engines.push(['postgres', process.env.TEST_PG_URL]);

const base = (over: Partial<InstanceListQuery>): InstanceListQuery => ({
  projectId: 'p1',
  deleted: false,
  softDeleted: false,
  sort: [{ column: 'created_at', dir: 'desc' }],
  limit: 1001,
  equals: {},
  ...over,
});

describe.each(engines)('server list plans on %s', (_name, url) => {
  let db: Knex;
  let pg: PgDatabase | null = null;
  beforeAll(async () => {
    pg = url.startsWith('postgres') ? await freshPgDatabase(url, 'listplans') : null;
    db = createKnex(pg?.url ?? url);
    await migrateLatest(db);
    for (let i = 0; i < 20; i++) await insertInstanceRow(db, { projectId: i % 2 ? 'p1' : 'p2' });
  }, 60_000);
  afterAll(async () => {
    await db.destroy();
    await pg?.drop();
  });

  async function plan(q: InstanceListQuery): Promise<string> {
    const { sql, bindings } = new InstancesRepo(db).listQuery(q).toSQL();
    if (isSqlite(db)) {
      const rows = await db.raw<{ detail: string }[]>(`explain query plan ${sql}`, bindings);
      return rows.map((r) => r.detail).join('\n');
    }
    return db.transaction(async (trx) => {
      await trx.raw('set local enable_sort = off');
      await trx.raw('set local enable_seqscan = off');
      const res = await trx.raw<{ rows: { 'QUERY PLAN': string }[] }>(`explain ${sql}`, bindings);
      return res.rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }

  // Which of the list indexes a planner picks for a filter may vary with the rows it sees; any of
  // them gives the order.
  const cases: [string, Partial<InstanceListQuery>, RegExp][] = [
    ['a project, default order', {}, /instances_project_list_idx/],
    ['a project, ascending', { sort: [{ column: 'created_at', dir: 'asc' }] }, /instances_project_list_idx/],
    ['all projects', { projectId: null }, /instances_all_list_idx/],
    ['a project, status ACTIVE', { vmStates: ['active'] }, /instances_\w*list_idx/],
    ['all projects, status ERROR', { projectId: null, vmStates: ['error'] }, /instances_\w*list_idx/],
    ['one host', { projectId: null, hostIds: [1] }, /instances_host_list_idx/],
    // the `host` filter: a project's servers on one host walk that host's rows, not the project's
    // (SQLite has no statistics; PostgreSQL weighs its own, and 10 rows make the project's as cheap)
    [
      'a project, one host by name',
      { hostNames: ['fake-0050'] },
      _name === 'sqlite' ? /instances_host_list_idx/ : /instances_(host|project)_list_idx/,
    ],
    ['all projects, one host by name', { projectId: null, hostNames: ['fake-0050'] }, /instances_host_list_idx/],
  ];
  it.each(cases)('%s: in index order, no sort', async (_what, over, index) => {
    const p = await plan(base(over));
    expect(p).toMatch(index);
    if (isSqlite(db)) expect(p).not.toMatch(/TEMP B-TREE FOR (ORDER BY|RIGHT PART OF ORDER BY)/);
    else expect(p).not.toMatch(/^\s*(->\s*)?(Incremental )?Sort\b/m);
  });

  it('a page with a marker starts in the index too', async () => {
    const marker = (await new InstancesRepo(db).list(base({ limit: 3 })))[2];
    const p = await plan(base({ marker }));
    expect(p).toContain('instances_project_list_idx');
    // seeks to the marker (a range on created_at), not a scan from the index's start
    if (isSqlite(db)) expect(p).toMatch(/created_at<\?/);
    else expect(p).toMatch(/Index Cond: .*created_at\)?(::text)? <=/);
  });
  it('containing: a column holding the text, ASCII case-insensitively, with % _ and \\ taken literally', async () => {
    const names = ['Web-100%', 'web_1', 'WEB-1x0', 'db\\1', 'x'];
    for (const name of names) await insertInstanceRow(db, { projectId: 'p3', name });
    const repo = new InstancesRepo(db);
    const hits = async (text: string) =>
      (await repo.list(base({ projectId: 'p3', containing: [{ column: 'display_name', parts: [text] }] })))
        .map((r) => r.display_name)
        .sort();
    expect(await hits('web')).toEqual(['WEB-1x0', 'Web-100%', 'web_1']);
    expect(await hits('0%')).toEqual(['Web-100%']);
    expect(await hits('b_')).toEqual(['web_1']);
    expect(await hits('b\\1')).toEqual(['db\\1']);
    expect(await hits('zz')).toEqual([]);
    const ordered = async (parts: string[]) =>
      (await repo.list(base({ projectId: 'p3', containing: [{ column: 'display_name', parts }] })))
        .map((r) => r.display_name)
        .sort();
    expect(await ordered(['web', '0'])).toEqual(['WEB-1x0', 'Web-100%']);
    expect(await ordered(['0', 'web'])).toEqual([]);
    expect(await ordered(['w', '%'])).toEqual(['Web-100%']);
  });
});
