import { PowerSyncQueries } from '../db/repositories/power-sync-queries.js';
import { PowerSync } from './power-sync.js';
import { EventWatcher } from './event-watcher.js';
/** Warnings (a lost event stream, an engine that did not answer) on stderr, as JSON lines. */
function stderrLog(config) {
    const quiet = ['silent', 'fatal', 'error'].includes(config.logLevel);
    const write = (level) => (obj, msg) => {
        if (quiet || (level === 'info' && config.logLevel === 'warn'))
            return;
        const err = obj?.err;
        console.error(JSON.stringify({ level, msg, ...obj, err: err instanceof Error ? err.message : err }));
    };
    return { info: write('info'), warn: write('warn') };
}
export function createDrift(d) {
    d = { ...d, log: d.log ?? stderrLog(d.config) };
    const powerSync = new PowerSync({
        hosts: d.hosts, queries: new PowerSyncQueries(d.db), locks: d.locks, clock: d.clock,
        stopTimeoutSeconds: d.config.stopTimeoutSeconds, actions: d.actions, log: d.log, timers: d.timers,
    });
    const eventWatcher = new EventWatcher(d.hosts, powerSync, { log: d.log, timers: d.timers });
    return {
        powerSync,
        eventWatcher,
        /** Events first (they are the fast path), then the periodic safety net. */
        async start() {
            await eventWatcher.start();
            powerSync.start(d.config.powerSyncIntervalSeconds);
        },
        async stop() {
            await eventWatcher.stop();
            await powerSync.stop();
        },
    };
}
//# sourceMappingURL=drift.js.map