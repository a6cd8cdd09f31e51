// Process entry: configuration, buildApp, listen, graceful shutdown on SIGTERM/SIGINT.
import { ConfigError, loadConfig } from './config';
import { buildApp } from './app';
import { isWeakPassword } from './identity/passwords';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/;

async function main(): Promise<void> {
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
  if (!LOOPBACK.test(config.host) && (config.adminPassword === null || isWeakPassword(config.adminPassword))) {
    console.error(
      `novadock: refusing to listen on ${config.host}: NOVADOCK_ADMIN_PASSWORD must be set to a strong password ` +
        '(12 characters or more, not a well-known default) before the service is reachable from other machines',
    );
    process.exit(2);
  }
  const { app } = await buildApp({ config, background: true, writeOpenrc: true });

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
      (err) => { app.log.error({ err }, 'error during shutdown'); process.exit(1); },
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
