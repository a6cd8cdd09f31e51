/** How long one ping may take before the host counts as not answering. */
const PING_TIMEOUT_MS = 5_000;
export class HostHealth {
    hosts;
    repo;
    clock;
    intervalSeconds;
    timer = null;
    beating = null;
    /** When the last heartbeat round finished: this process's own report time. */
    lastBeatAt = null;
    constructor(hosts, repo, clock, intervalSeconds) {
        this.hosts = hosts;
        this.repo = repo;
        this.clock = clock;
        this.intervalSeconds = intervalSeconds;
    }
    /**
     * Up: seen within two heartbeat intervals and not forced down. While the periodic heartbeat
     * runs, the age is measured to now; without it (background work off, as in tests) it is
     * measured to the last round this process ran, so a host is not called down merely because
     * nobody has asked it since.
     */
    isUp(host) {
        if (host.forced_down)
            return false;
        if (!host.last_seen_at)
            return false;
        const reference = this.timer || !this.lastBeatAt ? this.clock.now().getTime() : Date.parse(this.lastBeatAt);
        const age = reference - Date.parse(host.last_seen_at);
        return age <= 2 * this.intervalSeconds * 1000;
    }
    /** The host facts from the last successful beat, or null before the first. */
    static info(host) {
        if (!host.info)
            return null;
        try {
            return JSON.parse(host.info);
        }
        catch {
            return null;
        }
    }
    /** Creates (or re-points) a row for every configured host. */
    async ensureHosts(configured) {
        for (const h of configured)
            await this.hosts.ensureHost(h.name, h.dockerUrl, h.availabilityZone);
    }
    /** Pings every host once (concurrently); never throws. Overlapping calls share one round. */
    beat() {
        if (!this.beating) {
            this.beating = this.beatAll().finally(() => { this.beating = null; });
        }
        return this.beating;
    }
    /** Beats every `intervalSeconds` until stop(). The timer does not keep the process alive. */
    start() {
        if (this.timer)
            return;
        this.timer = setInterval(() => void this.beat(), this.intervalSeconds * 1000);
        this.timer.unref();
    }
    async stop() {
        if (this.timer)
            clearInterval(this.timer);
        this.timer = null;
        await this.beating;
    }
    async beatAll() {
        const rows = await this.repo.list();
        await Promise.all(rows.map((row) => this.beatOne(row)));
        this.lastBeatAt = this.clock.now().toISOString();
    }
    async beatOne(row) {
        try {
            const driver = await this.hosts.driverFor(row.id);
            const info = await withTimeout(driver.hostInfo(), PING_TIMEOUT_MS);
            const now = this.clock.now().toISOString();
            await this.repo.update(row.id, { last_seen_at: now, info: JSON.stringify(info) });
        }
        catch {
            // Not answering: last_seen_at ages and the host turns "down"; the facts are kept.
        }
    }
}
function withTimeout(p, ms) {
    let timer;
    const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timeout')), ms); });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
//# sourceMappingURL=host-health.js.map