// The Docker driver's security group apply never writes the host's firewall: a container that shares
// the service's network namespace (or a pid that is not the container's sandbox) is refused before
// anything runs; a stopped container is reported as not applied; a missing one is 'not-found'.
import { describe, expect, it } from 'vitest';
import { NetnsFirewall } from '../../src/virt/docker/docker-firewall.js';
import { DriverError } from '../../src/errors.js';

const tables = { v4: '*filter\nCOMMIT\n', v6: '*filter\nCOMMIT\n' };
const withInspect = (r: object | undefined, url = 'unix:///var/run/docker.sock') =>
  new NetnsFirewall(url, async () => r, 5000);

describe('NetnsFirewall', () => {
  it("refuses the service's own namespace and a pid that is not the sandbox", async () => {
    const fw = withInspect({ State: { Running: true, Pid: process.pid }, NetworkSettings: {} });
    if (!fw.supported()) {
      // not root or no nsenter here: it says so instead of trying
      await expect(fw.apply('x', tables)).rejects.toThrow(/cannot be enforced/);
      return;
    }
    await expect(fw.apply('x', tables)).rejects.toThrow(/refusing to write the host's firewall/);
    // a sandbox key that is another namespace than the pid's: refused too
    const other = withInspect({
      State: { Running: true, Pid: process.pid },
      NetworkSettings: { SandboxKey: '/proc/self/ns/mnt' },
    });
    await expect(other.apply('x', tables)).rejects.toThrow(/is not the container's sandbox/);
  });

  it('a stopped container: not applied (its start applies); missing: not-found; remote engine: unsupported', async () => {
    const stopped = withInspect({ State: { Running: false, Pid: 0 } });
    if (stopped.supported()) expect(await stopped.apply('x', tables)).toBe(false);
    const missing = withInspect(undefined);
    if (missing.supported()) {
      const e = await missing.apply('x', tables).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DriverError);
      expect((e as DriverError).kind).toBe('not-found');
    }
    const remote = withInspect({ State: { Running: true, Pid: 1 } }, 'tcp://10.0.0.1:2375');
    expect(remote.supported()).toBe(false);
    await expect(remote.apply('x', tables)).rejects.toThrow(/cannot be enforced/);
  });

  it("a remembered sandbox is used only while it is a live container's own namespace, never the service's", async () => {
    let inspects = 0;
    const own = { State: { Running: true, Pid: process.pid }, NetworkSettings: { SandboxKey: '/proc/self/ns/net' } };
    const fw = new NetnsFirewall(
      'unix:///var/run/docker.sock',
      async () => {
        inspects += 1;
        return own;
      },
      5000,
    );
    if (!fw.supported()) return expect(fw.apply('x', tables)).rejects.toThrow(/cannot be enforced/);
    try {
      // remembered, but it is the service's namespace: not used; the inspect that follows is refused too
      fw.remember('x', own);
      await expect(fw.apply('x', tables)).rejects.toThrow(/refusing to write the host's firewall/);
      expect(inspects).toBe(1);
      // a pid that is gone: forgotten, inspected again
      fw.remember('x', {
        State: { Running: true, Pid: 2 ** 22 + 1 },
        NetworkSettings: { SandboxKey: '/proc/1/ns/net' },
      });
      await expect(fw.apply('x', tables)).rejects.toThrow(/refusing/);
      expect(inspects).toBe(2);
      // a stopped container is not remembered; forget() drops an entry
      fw.remember('x', { State: { Running: false, Pid: 0 } });
      fw.forget('x');
      await expect(fw.apply('x', tables)).rejects.toThrow(/refusing/);
      expect(inspects).toBe(3);
    } finally {
      await fw.close();
    }
  });
});
