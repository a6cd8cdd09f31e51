// The constraint violations callers turn into API errors, recognised on both engines
// (PostgreSQL's SQLSTATE, better-sqlite3's extended result codes).

/** A unique index or primary key refused the row: a concurrent request wrote it first. */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A foreign key refused the row: the row it names was deleted meanwhile. */
export function isForeignKeyViolation(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/**
 * PostgreSQL refused a text value it cannot hold (a NUL character: "invalid byte sequence for
 * encoding UTF8: 0x00"); SQLite stores such text, so this is PostgreSQL's alone.
 */
export function isUnstorableText(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === '22021' || code === '22P05';
}
