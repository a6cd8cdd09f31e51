// The same fuzzing on PostgreSQL (the engine of several replicas): it found 500s SQLite cannot show,
// such as NUL characters PostgreSQL refuses to hold and integers beyond its 32-bit columns.
// makeTestApp reads TEST_APP_PG when the suite's beforeAll runs, so setting it here is enough;
// without TEST_PG_URL (scripts/test.sh provides it) makeTestApp fails the suite, never skips it.
import './fuzz-api.test.js';

process.env.TEST_APP_PG = '1';
