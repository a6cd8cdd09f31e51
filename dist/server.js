// Process entry: configuration, buildApp, listen, graceful shutdown on SIGTERM/SIGINT.
import { ConfigError, loadConfig } from './config.js';
import { buildApp } from './app.js';
import { configuredPasswordRefusal, noauthRefusal, storedPasswordRefusal } from './identity/listen-guard.js';
async function main() {
    let config;
    try {
        config = loadConfig();
    }
    catch (err) {
        if (err instanceof ConfigError) {
            console.error(`novadock: configuration error: ${err.message}`);
            process.exit(2);
        }
        throw err;
    }
    // A weak admin password must never face the network: check the configured one before anything
    // starts, and the stored one (which the API may have changed since) once the database is open.
    // noauth2 trusts every token: loopback only.
    const early = noauthRefusal(config.host, config.authStrategy) ?? configuredPasswordRefusal(config.host, config.adminPassword);
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
        app.log.warn('NOVADOCK_AUTH_STRATEGY=noauth2: every X-Auth-Token is believed ("user:project"; user admin is admin). For tests on this machine only');
    }
    let closing = false;
    const shutdown = (signal) => {
        if (closing)
            return;
        closing = true;
        app.log.info(`${signal}: no longer accepting requests; finishing in-flight work`);
        const force = setTimeout(() => {
            app.log.error('shutdown took too long; exiting');
            process.exit(1);
        }, 30_000);
        force.unref();
        app.close().then(() => process.exit(0), (err) => {
            app.log.error({ err }, 'error during shutdown');
            process.exit(1);
        });
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    await app.listen({ host: config.host, port: config.port });
}
main().catch((err) => {
    console.error('novadock: failed to start:', err instanceof Error ? err.message : err);
    process.exit(1);
});
//# sourceMappingURL=server.js.map