// Picks the driver implementation for the configuration.
import type { Config } from '../config.js';
import type { ComputeDriver, DriverFactory } from './driver.js';
import { FakeDriver, type FakeDriverOptions } from './fake/fake-driver.js';

// dockerode (with ssh2 and grpc-js) is loaded with the first Docker host's driver, not with the
// service: it was 135 ms of every start-up and a tenth of idle memory, also for the fake driver.
export function dockerDriverFactory(config: Config, serviceId?: string): DriverFactory {
  return async (host) => {
    const { DockerDriver } = await import('./docker/docker-driver.js');
    return new DockerDriver({
      dockerUrl: host.dockerUrl,
      timeoutMs: config.dockerTimeoutMs,
      serviceId: serviceId ?? host.uuid,
    });
  };
}

/** One FakeDriver per host, kept so that tests can reach them (`fakes.get(hostName)`). */
export function fakeDriverFactory(options: FakeDriverOptions = {}): DriverFactory & { fakes: Map<string, FakeDriver> } {
  const fakes = new Map<string, FakeDriver>();
  const factory = ((host: { name: string }): ComputeDriver => {
    let d = fakes.get(host.name);
    if (!d) {
      d = new FakeDriver(host.name, options);
      fakes.set(host.name, d);
    }
    return d;
  }) as unknown as DriverFactory & { fakes: Map<string, FakeDriver> };
  factory.fakes = fakes;
  return factory;
}
