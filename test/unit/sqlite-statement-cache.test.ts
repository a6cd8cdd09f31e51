// The SQLite client keeps prepared statements: a repeated query prepares nothing new, answers stay
// right across writes, transactions and a schema change, and the cache stays bounded. Its row
// objects (built from raw rows) are what better-sqlite3's own are: keys, order, values, duplicates.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import Database from 'better-sqlite3';
import { createKnex } from '../../src/db/connect.js';
import { isSqlite } from '../../src/db/knex.js';
import { STATEMENT_CACHE_SIZE, statementStats } from '../../src/db/sqlite-client.js';

describe('SQLite prepared-statement cache', () => {
  let db: Knex;
  beforeEach(async () => {
    db = createKnex('sqlite://:memory:');
    await db.schema.createTable('t', (t) => {
      t.increments('id');
      t.string('name');
    });
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('is still SQLite to the code that asks', () => {
    expect(isSqlite(db)).toBe(true);
  });

  it('prepares a repeated query once and reads the current rows each time', async () => {
    await db('t').insert({ name: 'a' });
    const before = statementStats.prepared;
    expect(await db('t').where({ name: 'a' }).select('name')).toEqual([{ name: 'a' }]);
    const afterFirst = statementStats.prepared;
    expect(afterFirst).toBe(before + 1);
    await db('t').insert({ name: 'a' });
    expect(await db('t').where({ name: 'a' }).select('name')).toEqual([{ name: 'a' }, { name: 'a' }]);
    // the insert above ran once before; the select was kept
    expect(statementStats.prepared).toBe(afterFirst);
  });

  it('returns insert ids and change counts through a kept statement', async () => {
    const [first] = await db('t').insert({ name: 'x' });
    const [second] = await db('t').insert({ name: 'y' });
    expect(second).toBe(first + 1);
    expect(await db('t').where('id', '>=', first).update({ name: 'z' })).toBe(2);
    expect(await db('t').where('id', '>=', first).update({ name: 'z' })).toBe(2);
  });

  it('commits and rolls back transactions as before', async () => {
    await db.transaction(async (trx) => {
      await trx('t').insert({ name: 'kept' });
    });
    await expect(
      db.transaction(async (trx) => {
        await trx('t').insert({ name: 'gone' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await db('t').select('name')).map((r: { name: string }) => r.name)).toEqual(['kept']);
  });

  it('sees a column added after the statement was kept', async () => {
    await db('t').insert({ name: 'a' });
    expect(await db('t').select('*')).toEqual([{ id: 1, name: 'a' }]);
    await db.schema.alterTable('t', (t) => t.string('extra').defaultTo('e'));
    expect(await db('t').select('*')).toEqual([{ id: 1, name: 'a', extra: 'e' }]);
  });

  it('sees a column renamed after the statement was kept (same number of columns)', async () => {
    await db('t').insert({ name: 'a' });
    expect(await db('t').select('*')).toEqual([{ id: 1, name: 'a' }]);
    await db.schema.alterTable('t', (t) => t.renameColumn('name', 'label'));
    const rows = await db('t').select('*');
    expect(rows).toEqual([{ id: 1, label: 'a' }]);
    expect(Object.keys(rows[0])).toEqual(['id', 'label']);
  });

  it("makes the same row objects as better-sqlite3's own: key order, types, NULL, blobs, equal names", async () => {
    await db.schema.createTable('u', (t) => {
      t.increments('id');
      t.string('name');
      t.binary('data');
      t.float('f');
    });
    await db('t').insert([{ name: 'a' }, { name: null }]);
    await db('u').insert([
      { name: 'b', data: Buffer.from([1, 2]), f: 1.5 },
      { name: null, data: null, f: null },
    ]);
    const sql = 'select t.*, u.*, t.id * 10 as "x y", null as z from t join u on u.id = t.id order by t.id';
    const mine = await db.raw<Record<string, unknown>[]>(sql);
    // the same query on a connection of better-sqlite3's own, over a copy of the data
    const plain = new Database(':memory:');
    plain.exec(
      'create table t (id integer primary key, name text); create table u (id integer primary key, name text, data blob, f real)',
    );
    plain.prepare('insert into t values (1, ?), (2, ?)').run('a', null);
    plain
      .prepare('insert into u values (1, ?, ?, ?), (2, ?, ?, ?)')
      .run('b', Buffer.from([1, 2]), 1.5, null, null, null);
    const theirs = plain.prepare(sql).all() as Record<string, unknown>[];
    plain.close();
    expect(mine).toEqual(theirs);
    expect(mine.map((r) => Object.keys(r))).toEqual(theirs.map((r) => Object.keys(r)));
    expect(mine[0]).toEqual({ id: 1, name: 'b', data: Buffer.from([1, 2]), f: 1.5, 'x y': 10, z: null });
  });

  it('stays bounded: more distinct statements than it keeps still run', async () => {
    for (let i = 0; i < STATEMENT_CACHE_SIZE + 5; i++) {
      expect(await db.raw(`select ${i} as n`)).toEqual([{ n: i }]);
    }
  });
});
