// architecture.md's import rules, checked on every CI run: routes → domain → virt contract / db,
// the domain never imports HTTP, drivers know only their contract, only src/virt/docker speaks to
// Docker and only src/db holds SQL (knex).
const DOMAIN = '^src/(compute|images|identity|network|worker)/';
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle between modules makes the load order matter and the layers meaningless.',
      from: { path: '^src/' },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-knows-no-http',
      severity: 'error',
      comment: 'Rules, repositories use and the worker know nothing of routes, plugins, views or fastify.',
      from: { path: DOMAIN },
      to: {
        path: ['^src/api/', '^src/plugins/', '^src/app\\.ts$', '^src/server\\.ts$', 'node_modules/(fastify|@fastify)/'],
      },
    },
    {
      name: 'only-composition-wires',
      severity: 'error',
      comment:
        'Only the composition root (and the app factory that calls it) builds the service graph; routes may name its type.',
      from: { pathNot: ['^src/composition/', '^src/app\\.ts$', '^src/server\\.ts$', '^src/api/'] },
      to: { path: '^src/composition/' },
    },
    {
      name: 'routes-take-services-as-a-type',
      severity: 'error',
      comment: 'Routes receive their services; they never build them.',
      from: { path: '^src/api/' },
      to: { path: '^src/composition/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'compute-never-imports-the-worker',
      severity: 'error',
      comment: 'The compute API enqueues tasks (compute/tasks.ts); the worker imports compute, never the reverse.',
      from: { path: '^src/(compute|images|identity|network)/' },
      to: { path: '^src/worker/' },
    },
    {
      name: 'virt-knows-only-its-contract',
      severity: 'error',
      comment: 'The driver contract and its implementations know nothing above them.',
      from: { path: '^src/virt/' },
      to: { path: '^src/(api|plugins|compute|images|identity|network|worker|db|composition)/' },
    },
    {
      name: 'drivers-do-not-share-code',
      severity: 'error',
      comment: 'The fake and the Docker driver meet only in the contract (src/virt/*.ts).',
      from: { path: '^src/virt/(docker|fake)/' },
      to: { path: '^src/virt/(docker|fake)/', pathNot: '^src/virt/$1/' },
    },
    {
      name: 'only-virt-docker-speaks-docker',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/virt/docker/' },
      to: { path: 'node_modules/(dockerode|docker-modem)/' },
    },
    {
      name: 'only-db-holds-sql',
      severity: 'error',
      comment: 'knex is imported in src/db only; others take the Db type from src/db/knex.ts.',
      from: { path: '^src/', pathNot: '^src/db/' },
      to: { path: 'node_modules/knex/' },
    },
    {
      name: 'only-db-unwraps-the-handle',
      severity: 'error',
      comment:
        "Above src/db the database handle (Db, Database, Transaction) is opaque, so a query there does not type-check; sql.ts, which unwraps it, is src/db's alone.",
      from: { path: '^src/', pathNot: '^src/db/' },
      to: { path: '^src/db/sql\\.ts$' },
    },
    {
      name: 'contract-stands-alone',
      severity: 'error',
      comment: "OpenStack's parameter types are leaves every layer may use; they import nothing of the app.",
      from: { path: '^src/contract/' },
      to: { path: '^src/', pathNot: '^src/contract/' },
    },
    {
      name: 'db-knows-no-layer-above',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: '^src/(api|plugins|compute|images|identity|network|worker|virt|composition)/' },
    },
    {
      name: 'no-dev-dependencies-in-src',
      severity: 'error',
      comment: 'A production install (npm ci --omit=dev) must run dist/.',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
