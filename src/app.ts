// buildApp(deps): the one factory used by the server and by the tests.
// Order: infrastructure (db + migrations, identity bootstrap, hosts) → services → plugins
// (request id, errors, microversion, auth, swagger) → routes. A wrong order fails at boot.
import Fastify, { type FastifyInstance } from 'fastify';
import { type Database, openDatabase } from './db/knex.js';
import { fakeComputeHosts, type Config } from './config.js';
import { migrateLatest } from './db/migrate.js';
import { AdvisoryLock, withAdvisoryLock } from './db/advisory-lock.js';
import { systemClock, type Clock } from './db/time.js';
import type { DriverFactory } from './virt/driver.js';
import { dockerDriverFactory, fakeDriverFactory } from './virt/factory.js';
import { createServices, type Services } from './composition/services.js';
import { bootstrapIdentity, DEFAULT_DOMAIN_ID, writeOpenrc, type BootstrapResult } from './identity/bootstrap.js';
import { reconcileAtStartup } from './worker/reconcile.js';
import { lazyValidator } from './plugins/validation.js';
import requestId, { newRequestId } from './plugins/request-id.js';
import errorHandler, { sendError } from './plugins/error-handler.js';
import microversion from './plugins/microversion.js';
import auth from './plugins/auth.js';
import nulInPath from './plugins/nul-in-path.js';
import projectIdPrefix, { rewriteProjectIdUrl } from './plugins/project-id-prefix.js';
import { parseJsonBody } from './plugins/json-body.js';
import { withMergedSlashes } from './plugins/merge-slashes.js';
import swagger from './plugins/swagger.js';
import { versionRoutes } from './api/versions.js';
import { identityRoutes } from './api/identity/index.js';
import { imageRoutes } from './api/image/index.js';
import { computeRoutes } from './api/compute/index.js';
import { networkRoutes } from './api/network/index.js';
import { ensureDefaultTopology } from './network/topology.js';
import { PRIVATE_NETWORK_ID } from './compute/servers/networks.js';
import { serialConsoleSocket } from './api/compute/servers/console-ws.js';
import { aliasGlanceReadsUnderCompute } from './api/image/compute-prefix-alias.js';
import { MALFORMED_BODY } from './errors.js';

export interface AppDeps {
  config: Config;
  db?: Database;
  clock?: Clock;
  driverFactory?: DriverFactory;
  /** Start background work (task runner, event watchers, power sync). Tests may leave it off. */
  background?: boolean;
  /** Write data/openrc for the admin user (the server does; tests need not). */
  writeOpenrc?: boolean;
  /** Fastify logger setting; defaults from config.logLevel */
  logger?: boolean | object;
}

export interface BuiltApp {
  app: FastifyInstance;
  services: Services;
  bootstrap: BootstrapResult;
}

/** Media types whose bodies are parsed as JSON (Nova, Keystone, Glance JSON patch). */
const JSON_TYPES = ['application/json', 'application/openstack-images-v2.1-json-patch', 'application/json-patch+json'];

export async function buildApp(deps: AppDeps): Promise<BuiltApp> {
  const { config } = deps;
  const clock = deps.clock ?? systemClock;
  const db = deps.db ?? openDatabase(config.databaseUrl);
  await migrateLatest(db);

  const driverFactory =
    deps.driverFactory ??
    (config.computeDriver === 'fake'
      ? fakeDriverFactory({
          cpus: config.fakeHosts.vcpus,
          memoryBytes: config.fakeHosts.ramMb * 1024 * 1024,
          diskBytes: config.fakeHosts.diskGb * 1024 ** 3,
          // A fleet of fake hosts (the scale setting) keeps lean records; one host keeps whole spawn
          // specs, which the tests that read injected files and environments need.
          lean: config.fakeHosts.count > 1,
        })
      : dockerDriverFactory(config));
  const services = createServices({ config, db, clock, driverFactory });
  // Find-or-create seeding; replicas starting together on one PostgreSQL database take turns.
  const bootstrap = await withAdvisoryLock(db, AdvisoryLock.seed, async () => {
    const seeded = await bootstrapIdentity(services.identityRepo, clock, config.adminPassword);
    await services.hosts.ensureHost(config.defaultHostName, config.dockerHost, config.defaultAvailabilityZone);
    // The further configured Docker hosts, then (below) one heartbeat so that os-services and the
    // scheduler see the hosts that answer as up from the first request.
    await services.hostHealth.ensureHosts(config.computeHosts);
    // The fake driver's further hosts (NOVADOCK_FAKE_HOSTS), each a nova-compute service and hypervisor.
    await services.hostHealth.ensureHosts(fakeComputeHosts(config));
    // devstack's topology (public, private, router1), once; the admin project owns it.
    const adminProject = await services.identityRepo.findProjectByName(DEFAULT_DOMAIN_ID, 'admin');
    if (adminProject) {
      await ensureDefaultTopology(services.network, {
        adminProjectId: adminProject.id,
        privateNetworkId: PRIVATE_NETWORK_ID,
        publicCidr: config.network.publicCidr,
        privateCidr: config.network.privateCidr,
      });
    }
    return seeded;
  });
  await services.hostHealth.beat();
  if (deps.background) services.hostHealth.start();
  // Crash leftovers first (dead leases, stale task_states, orphaned containers), then claim tasks.
  if (deps.background) await reconcileAtStartup(services);
  if (deps.background) services.worker.start();
  if (deps.background) await services.drift.start();
  if (deps.background) services.serverActions.softDelete.startReclaimer();

  const app = Fastify({
    logger: deps.logger ?? (config.logLevel === 'silent' ? false : { level: config.logLevel }),
    genReqId: () => newRequestId(),
    bodyLimit: 16 * 1024 * 1024,
    routerOptions: { maxParamLength: 1000, ignoreTrailingSlash: false },
    // Doubled slashes are merged first (plugins/merge-slashes), on every service.
    // /compute/v2.1/{project_id}/… is routed as /compute/v2.1/… (plugins/project-id-prefix).
    // noauth2 also serves the Glance image reads under the compute prefix (api/image/compute-prefix-alias).
    rewriteUrl:
      config.authStrategy === 'noauth2'
        ? (raw) => aliasGlanceReadsUnderCompute(raw.method, rewriteProjectIdUrl(withMergedSlashes(raw)))
        : (raw) => rewriteProjectIdUrl(withMergedSlashes(raw)),
    // Errors the router raises before any route runs (a malformed %-escape, an over-long id) get the
    // service's own error format too (the fuzzer in test/reliability found Fastify's body there).
    frameworkErrors: (err, req, reply) => {
      const status = (err as { statusCode?: number }).statusCode ?? 400;
      void sendError(
        req,
        reply,
        status >= 400 && status < 500 ? status : 400,
        status === 414 ? 'Request-URI Too Long' : 'Malformed request URL',
      );
    },
  });
  // Validators: one strict Ajv, each schema compiled once, at its first request.
  app.setValidatorCompiler(({ schema }) => lazyValidator(schema as object));

  // JSON for the JSON-ish media types; a raw stream for uploads (never buffered here). An empty
  // body labelled JSON is no body (clients send the header on DELETE and body-less actions;
  // fastify's own parser would answer 400).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
  // Anything else: try JSON (some clients omit or mislabel the type), else hand the stream on.
  app.addContentTypeParser('*', (req, payload, done) => {
    if (req.method === 'PUT' && /\/file$/.test(req.url.split('?')[0])) return done(null, payload);
    const chunks: Buffer[] = [];
    payload.on('data', (c: Buffer) => chunks.push(c));
    payload.on('error', (e) => done(e, undefined));
    payload.on('end', () => {
      try {
        done(null, parseJsonBody(Buffer.concat(chunks).toString('utf8')));
      } catch {
        done(new SyntaxError(MALFORMED_BODY), undefined);
      }
    });
  });

  await app.register(requestId);
  await app.register(errorHandler);
  await app.register(microversion);
  await app.register(auth, { tokens: services.tokens, publicUrl: config.publicUrl, noauth: services.noauth });
  await app.register(projectIdPrefix, { publicUrl: config.publicUrl });
  await app.register(nulInPath);
  await app.register(swagger);

  await app.register(versionRoutes, { publicUrl: config.publicUrl });
  await app.register(identityRoutes, { services });
  await app.register(imageRoutes, { services });
  await app.register(computeRoutes, { services });
  await app.register(networkRoutes, { services });
  await app.register(serialConsoleSocket, { services });

  // Two-phase shutdown: stop claiming compute tasks and let running ones finish before the DB closes.
  app.addHook('preClose', async () => {
    await services.drift.stop();
    await services.network.firewall.idle(); // security group applies still running in the background
  });
  app.addHook('preClose', async () => {
    services.serverActions.softDelete.stopReclaimer();
  });
  // Bounded below fastify's hook timeout (pluginTimeout, 10 s): a longer wait failed the close and
  // the process exited 1. Tasks still running then keep their rows; the next start reruns them.
  app.addHook('preClose', async () => {
    await services.worker.stop(7_000);
  });
  app.addHook('onClose', async () => {
    await services.hostHealth.stop();
    await services.hosts.close();
    if (!deps.db) await db.destroy();
  });

  if (deps.writeOpenrc) {
    const base =
      config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
    const file = writeOpenrc(config.dataDir, `${base}/identity/v3`, bootstrap.adminPassword);
    if (file)
      app.log.info(`credentials for the admin user are in ${file}: source it, then run openstack, nova or glance`);
  }
  return { app, services, bootstrap };
}
