import { DockerDriver } from './docker/docker-driver.js';
import { FakeDriver } from './fake/fake-driver.js';
export function dockerDriverFactory(config, serviceId) {
    return (host) => new DockerDriver({
        dockerUrl: host.dockerUrl,
        timeoutMs: config.dockerTimeoutMs,
        serviceId: serviceId ?? host.uuid,
    });
}
/** One FakeDriver per host, kept so that tests can reach them (`fakes.get(hostName)`). */
export function fakeDriverFactory() {
    const fakes = new Map();
    const factory = ((host) => {
        let d = fakes.get(host.name);
        if (!d) {
            d = new FakeDriver(host.name);
            fakes.set(host.name, d);
        }
        return d;
    });
    factory.fakes = fakes;
    return factory;
}
//# sourceMappingURL=factory.js.map