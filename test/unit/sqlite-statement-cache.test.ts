// The SQLite client keeps prepared statements: a repeated query prepares nothing new, answers stay
// right across writes, transactions and a schema change, and the cache stays bounded.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
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

  it('stays bounded: more distinct statements than it keeps still run', async () => {
    for (let i = 0; i < STATEMENT_CACHE_SIZE + 5; i++) {
      expect(await db.raw(`select ${i} as n`)).toEqual([{ n: i }]);
    }
  });
});
