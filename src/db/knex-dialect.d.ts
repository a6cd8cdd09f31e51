// knex ships no types for its dialect modules; the SQLite client extends this one (sqlite-client.ts).
declare module 'knex/lib/dialects/better-sqlite3/index.js' {
  const Client: unknown;
  export default Client;
}
