// Process entry: configuration, buildApp, listen, graceful shutdown on SIGTERM/SIGINT.
import v8 from 'node:v8';
import { ConfigError, loadConfig } from './config.js';
import { buildApp } from './app.js';
import { configuredPasswordRefusal, noauthRefusal, storedPasswordRefusal } from './identity/listen-guard.js';

// V8 lets the old generation grow to up to 4x what survived the last full collection before it
// collects again, and keeps what it grew: lists of 1,000 servers (megabytes of short-lived objects
// each) left a long-running service at 1.5-2x the memory it needs (docs/operations.md, "Memory").
// 1.5x keeps the heap near its live size for a little more collection work. A growing percent given
// on the command line is the operator's choice and stays.
function limitHeapGrowth(): void {
  if (process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) return;
  v8.setFlagsFromString('--heap-growing-percent=50');
}

async function main(): Promise<void> {
  limitHeapGrowth();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`novadock: configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  // A weak admin password must never face the network: check the configured one before anything
  // starts, and the stored one (which the API may have changed since) once the database is open.
  // noauth2 trusts every token: loopback only.
  const early =
    noauthRefusal(config.host, config.authStrategy) ?? configuredPasswordRefusal(config.host, config.adminPassword);
  if (early) {
    console.error(`novadock: ${early}`);
    process.exit(2);
  }
  const { app, services } = await buildApp({ config, background: true, writeOpenrc: true });
  const late = await storedPasswordRefusal(config.host, services.identityRepo);
  if (late) {
    console.error(`novadock: ${late}`);
    await app.close();
    process.exit(2);
  }

  if (config.authStrategy === 'noauth2') {
    app.log.warn(
      'NOVADOCK_AUTH_STRATEGY=noauth2: every X-Auth-Token is believed ("user:project"; user admin is admin). For tests on this machine only',
    );
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal}: no longer accepting requests; finishing in-flight work`);
    const force = setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
}

main().catch((err) => {
  console.error('novadock: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
