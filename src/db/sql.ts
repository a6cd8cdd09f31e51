// The knex side of a database handle, for src/db alone (.dependency-cruiser.cjs): the layers above
// hold the opaque handles of src/db/knex.ts and cannot run a query on them.
import type { Knex } from 'knex';
import type { Database, Db } from './knex.js';

/** The knex object behind a handle (the pool or a transaction), to build a query on. */
export function sql(db: Db): Knex | Knex.Transaction {
  return db as Knex;
}

/** The knex pool behind the database (migrations, advisory locks). */
export function pool(db: Database): Knex {
  return db as Knex;
}
