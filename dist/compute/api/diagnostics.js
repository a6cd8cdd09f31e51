import { authorize } from '../../identity/policy.js';
import { Conflict } from '../../errors.js';
import { addressesOf } from '../../db/repositories/instances-repo.js';
import { PowerState, TaskState } from '../states.js';
import { assertRejectedState } from './guards-extra.js';
export class DiagnosticsApi {
    hosts;
    constructor(hosts) {
        this.hosts = hosts;
    }
    async get(auth, instance) {
        authorize(auth, 'admin', 'os_compute_api:os-server-diagnostics');
        if (!instance.host_id)
            throw new Conflict(`Instance ${instance.uuid} is not ready`);
        assertRejectedState(instance, [TaskState.DELETING, TaskState.MIGRATING], 'get_diagnostics');
        const driver = await this.hosts.driverFor(instance.host_id);
        const info = await driver.getInfo(instance.uuid);
        if (info.status === 'missing' || info.powerState === PowerState.NOSTATE)
            throw new Conflict(`Instance ${instance.uuid} is not ready`);
        const [stats, host] = await Promise.all([driver.getStats(instance.uuid), driver.hostInfo().catch(() => undefined)]);
        return { instance, info, stats, hostOs: host?.operatingSystem ?? 'linux', mac: addressesOf(instance)[0]?.mac ?? null };
    }
}
//# sourceMappingURL=diagnostics.js.map