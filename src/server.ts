// Process entry: configuration, buildApp, listen, graceful shutdown on SIGTERM/SIGINT.
import v8 from 'node:v8';
import { ConfigError, loadConfig } from './config.js';
import { buildApp } from './app.js';
import { configuredPasswordRefusal, noauthRefusal, storedPasswordRefusal } from './identity/listen-guard.js';

// V8 lets the old generation grow to up to 4x what survived the last full collection before it
// collects again, and keeps what it grew: with 100,000 fake servers the lists' garbage left the
// service at 470 MiB against 258 MiB with growth held to 1.5x (docs/operations.md, "Memory"). A
// small heap keeps V8's own policy: held to 1.5x there, an upload's 64 KiB chunks made V8 collect
// and give back pages so often that the upload took ~1.5x the CPU. So the limit applies while the
// heap is large. A growing percent given on the command line is the operator's choice and stays.
const LARGE_HEAP_BYTES = 128 * 1024 * 1024;

function limitGrowthOfLargeHeaps(): void {
  if (process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) return;
  let limited = false;
  const check = setInterval(() => {
    const large = v8.getHeapStatistics().total_heap_size > LARGE_HEAP_BYTES;
    if (large === limited) return;
    limited = large;
    // 0 is V8's default: a factor it chooses from the collector's speed
    v8.setFlagsFromString(`--heap-growing-percent=${large ? 50 : 0}`);
  }, 5_000);
  check.unref();
}

async function main(): Promise<void> {
  limitGrowthOfLargeHeaps();
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
