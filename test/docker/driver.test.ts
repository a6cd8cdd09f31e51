// The Docker driver against the real engine: every contract method, with the test image.
// Fails (never skips) when Docker is unreachable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DockerDriver } from '../../src/virt/docker/docker-driver.js';
import { DriverError } from '../../src/errors.js';
import type { DriverEvent, SpawnSpec } from '../../src/virt/driver.js';
import { DOCKER_URL, TEST_IMAGE, newUuid, removeLabelled, requireDocker, run, waitFor } from './driver-helpers.js';
import { PowerState } from '../../src/virt/power-state.js';

const TEST_LABEL = 'io.novadock.test';
const LABEL_VALUE = `driver-${process.pid}`;
// The service's default call deadline (30 s): the engine is shared, and a loaded 2-core machine is slow.
const driver = new DockerDriver({
  dockerUrl: DOCKER_URL,
  timeoutMs: 30_000,
  longTimeoutMs: 120_000,
  serviceId: 'driver-test',
});
const networks: string[] = [];
const images: string[] = [];
let tmp = '';

function spec(over: Partial<SpawnSpec> = {}): SpawnSpec {
  return {
    instanceUuid: newUuid(),
    projectId: 'p-driver-test',
    hostname: 'drv',
    image: TEST_IMAGE,
    memoryMb: 64,
    vcpus: 1,
    pidsLimit: 64,
    interfaces: [],
    extraLabels: { [TEST_LABEL]: LABEL_VALUE },
    ...over,
  };
}

async function inspect(uuid: string): Promise<Record<string, any>> {
  const { stdout } = await run('docker', ['inspect', `nova-${uuid}`]);
  return JSON.parse(stdout)[0];
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

async function expectDriverError(p: Promise<unknown>, kind?: DriverError['kind']): Promise<DriverError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DriverError);
  if (kind) expect((err as DriverError).kind).toBe(kind);
  return err as DriverError;
}

beforeAll(async () => {
  await requireDocker();
  tmp = await mkdtemp(path.join(tmpdir(), 'novadock-driver-'));
});

afterAll(async () => {
  await driver.close();
  await removeLabelled(`${TEST_LABEL}=${LABEL_VALUE}`);
  for (const n of networks) await run('docker', ['network', 'rm', n]).catch(() => undefined);
  for (const i of images) await run('docker', ['rmi', '-f', i]).catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('DockerDriver on the real engine', { timeout: 180_000 }, () => {
  it('pings and reports the host', async () => {
    await driver.ping();
    const info = await driver.hostInfo();
    expect(info.cpus).toBeGreaterThan(0);
    expect(info.memoryBytes).toBeGreaterThan(0);
    expect(info.apiVersion).toMatch(/^1\.\d+$/);
    // A local engine: the size of the filesystem under its data-root, as df reports it.
    const root = (await run('docker', ['info', '--format', '{{.DockerRootDir}}'])).stdout.trim();
    const df = (await run('df', ['-B1', '--output=size', root])).stdout.trim().split('\n').pop()!.trim();
    expect(info.diskTotalBytes).toBe(Number(df));
    expect(info.diskFreeBytes).toBeGreaterThan(0);
    expect(await driver.imageExists(TEST_IMAGE)).toBe(true);
    expect(await driver.imageExists('novadock-test/no-such-image:never')).toBe(false);
  });

  it('spawns a labelled, limited container and finds it by label; destroy is idempotent', async () => {
    const s = spec();
    const info = await driver.spawn(s);
    expect(info.powerState).toBe(PowerState.RUNNING);
    expect(info.status).toBe('running');
    expect(info.memoryBytes).toBe(64 * 1024 * 1024);
    expect(info.nanoCpus).toBe(1e9);
    const raw = await inspect(s.instanceUuid);
    expect(raw.Config.Labels['io.novadock.managed-by']).toBe('novadock');
    expect(raw.Config.Labels['io.novadock.instance-uuid']).toBe(s.instanceUuid);
    expect(raw.Config.Labels['io.novadock.service-id']).toBe('driver-test');
    expect(raw.HostConfig.PidsLimit).toBe(64);
    expect(raw.HostConfig.Privileged).toBe(false);
    const listed = await driver.listInstances();
    const mine = listed.find((i) => i.instanceUuid === s.instanceUuid);
    expect(mine?.powerState).toBe(PowerState.RUNNING);
    expect(mine?.containerId).toBe(info.containerId);
    expect(listed.every((i) => i.labels['io.novadock.managed-by'] === 'novadock')).toBe(true);

    await driver.destroy(s.instanceUuid);
    const gone = await driver.getInfo(s.instanceUuid);
    expect(gone.status).toBe('missing');
    expect(gone.powerState).toBe(PowerState.NOSTATE);
    await driver.destroy(s.instanceUuid); // missing is success
    expect((await driver.listInstances()).some((i) => i.instanceUuid === s.instanceUuid)).toBe(false);
  });

  it('cleans up after a failed spawn and reports a missing image', async () => {
    const s = spec({ image: 'novadock-test/no-such-image:never' });
    await expectDriverError(driver.spawn(s), 'not-found');
    expect((await driver.getInfo(s.instanceUuid)).status).toBe('missing');
  });

  it('console output: TTY and non-TTY, stdout and stderr, with tail lines', async () => {
    // Docker orders stdout and stderr by arrival at its logger: a pause keeps the order deterministic.
    const script = 'for i in 1 2 3 4 5; do echo line$i; done; sleep 0.3; echo oops >&2; exec sleep 1000';
    for (const tty of [true, false]) {
      const s = spec({ command: ['/bin/sh', '-c', script], tty });
      await driver.spawn(s);
      const all = await waitFor(async () => {
        const out = await driver.getConsoleOutput(s.instanceUuid);
        return out.includes('oops') ? out : '';
      }, 15_000);
      expect(all).toBe('line1\nline2\nline3\nline4\nline5\noops\n');
      expect(await driver.getConsoleOutput(s.instanceUuid, 2)).toBe('line5\noops\n');
      expect(await driver.getConsoleOutput(s.instanceUuid, 0)).toBe('');
      await driver.destroy(s.instanceUuid);
    }
    expect(await driver.getConsoleOutput(newUuid())).toBe('');
  });

  it('power off (also when stopped or paused), power on (also when running), pause, suspend, reboot', async () => {
    const s = spec(); // a TTY shell: ignores SIGTERM, so stops use t=1
    const u = s.instanceUuid;
    await driver.spawn(s);

    await driver.powerOff(u, 1);
    let info = await driver.getInfo(u);
    expect(info.powerState).toBe(PowerState.SHUTDOWN);
    expect(info.status).toBe('exited');
    await driver.powerOff(u, 1); // Docker's 304: success
    await driver.powerOn(u);
    expect((await driver.getInfo(u)).powerState).toBe(PowerState.RUNNING);
    await driver.powerOn(u); // already running: success

    await driver.pause(u);
    expect((await driver.getInfo(u)).powerState).toBe(PowerState.PAUSED);
    await expectDriverError(driver.pause(u), 'conflict');
    await driver.unpause(u);
    expect((await driver.getInfo(u)).powerState).toBe(PowerState.RUNNING);

    await driver.suspend(u);
    expect((await driver.getInfo(u)).status).toBe('paused');
    await driver.resume(u);
    expect((await driver.getInfo(u)).status).toBe('running');

    await driver.pause(u);
    await driver.powerOff(u, 1); // unpauses first
    expect((await driver.getInfo(u)).powerState).toBe(PowerState.SHUTDOWN);
    await expectDriverError(driver.pause(u), 'conflict'); // not running

    // reboot ends RUNNING from any state, with a new start time
    await driver.reboot(u, 'HARD', 1);
    info = await driver.getInfo(u);
    expect(info.powerState).toBe(PowerState.RUNNING);
    const started1 = info.startedAt;
    await driver.reboot(u, 'HARD', 1);
    info = await driver.getInfo(u);
    expect(info.powerState).toBe(PowerState.RUNNING);
    expect(info.startedAt).not.toBe(started1);
    await driver.pause(u);
    await driver.reboot(u, 'SOFT', 1);
    info = await driver.getInfo(u);
    expect(info.powerState).toBe(PowerState.RUNNING);

    await driver.destroy(u);
    await expectDriverError(driver.powerOff(u, 1), 'not-found');
    await expectDriverError(driver.reboot(u, 'HARD', 1), 'not-found');
    await expectDriverError(driver.pause(u), 'not-found');
  });

  it('updateResources changes the cgroup limits', async () => {
    const s = spec();
    await driver.spawn(s);
    await driver.updateResources(s.instanceUuid, { memoryMb: 128, vcpus: 1, pidsLimit: 100 });
    let raw = await inspect(s.instanceUuid);
    expect(raw.HostConfig.Memory).toBe(128 * 1024 * 1024);
    expect(raw.HostConfig.MemorySwap).toBe(128 * 1024 * 1024);
    expect(raw.HostConfig.PidsLimit).toBe(100);
    // down again (Memory below the old MemorySwap must work too), and the kernel sees it
    await driver.updateResources(s.instanceUuid, { memoryMb: 48, vcpus: 1, pidsLimit: 64 });
    raw = await inspect(s.instanceUuid);
    expect(raw.HostConfig.Memory).toBe(48 * 1024 * 1024);
    const { stdout } = await run('docker', [
      'exec',
      `nova-${s.instanceUuid}`,
      'cat',
      '/sys/fs/cgroup/memory/memory.limit_in_bytes',
    ]);
    expect(Number(stdout.trim())).toBe(48 * 1024 * 1024);
    const stats = await driver.getStats(s.instanceUuid);
    expect(stats.memoryLimitBytes).toBe(48 * 1024 * 1024);
    await expectDriverError(driver.updateResources(newUuid(), { memoryMb: 64, vcpus: 1, pidsLimit: 64 }), 'not-found');
    await driver.destroy(s.instanceUuid);
  });

  it('ensureNetwork creates a bridge in the 198.18.0.0/16 pool, idempotently and concurrently; stats and addresses', async () => {
    const name = `novadock-drvtest-${process.pid}`;
    networks.push(name);
    await Promise.all([
      driver.ensureNetwork(name, null),
      driver.ensureNetwork(name, null),
      driver.ensureNetwork(name, null),
    ]);
    await driver.ensureNetwork(name, null);
    const { stdout } = await run('docker', [
      'network',
      'ls',
      '--filter',
      `name=^${name}$`,
      '--format',
      '{{.ID}} {{.Driver}}',
    ]);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ bridge$/);
    const net = JSON.parse((await run('docker', ['network', 'inspect', name])).stdout)[0];
    expect(net.IPAM.Config[0].Subnet).toMatch(/^198\.18\.\d+\.0\/24$/);

    const s = spec({ interfaces: [{ network: name }] });
    const info = await driver.spawn(s);
    expect(info.addresses).toHaveLength(1);
    expect(info.addresses[0]).toMatchObject({ network: name, version: 4 });
    expect(info.addresses[0].addr).toMatch(/^198\.18\./);
    expect(info.addresses[0].mac).toMatch(/^02:42:/);
    await run('docker', ['exec', `nova-${s.instanceUuid}`, 'sh', '-c', 'ping -c1 -W1 $(hostname -i) >/dev/null; true']);
    const stats = await driver.getStats(s.instanceUuid);
    expect(stats.cpuTimeNs).toBeGreaterThan(0);
    expect(stats.memoryUsedBytes).toBeGreaterThan(0);
    expect(stats.memoryLimitBytes).toBe(64 * 1024 * 1024);
    expect(stats.onlineCpus).toBeGreaterThan(0);
    expect(stats.perCpuNs.length).toBeGreaterThan(0);
    expect(stats.perCpuNs.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(Object.keys(stats.networks)).toEqual(['eth0']);
    expect(stats.networks.eth0.rxPackets + stats.networks.eth0.txPackets).toBeGreaterThan(0);
    expect(stats.uptimeSeconds).toBeGreaterThanOrEqual(0);
    await driver.destroy(s.instanceUuid);
    await expectDriverError(driver.getStats(s.instanceUuid), 'not-found');
  });

  it('exec: an interactive shell with a TTY that resizes', async () => {
    const s = spec();
    await driver.spawn(s);
    const session = await driver.exec(s.instanceUuid, ['/bin/sh']);
    let out = '';
    session.output.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    session.write('echo answer-$((6*7))\n');
    await waitFor(() => out.includes('answer-42'), 15_000);
    await session.resize(100, 40);
    session.write('stty size\n');
    await waitFor(() => /40 100/.test(out), 15_000);
    const processes = async () =>
      (await run('docker', ['top', `nova-${s.instanceUuid}`, '-o', 'pid'])).stdout.trim().split('\n').length - 1;
    expect(await processes()).toBe(3); // docker-init, the container's shell, the exec'd shell
    const ended = new Promise((r) => session.output.once('close', r));
    session.close();
    await ended;
    await waitFor(async () => (await processes()) === 2, 15_000); // the exec'd shell hung up
    await driver.powerOff(s.instanceUuid, 1);
    await expectDriverError(driver.exec(s.instanceUuid, ['/bin/sh']), 'conflict');
    await driver.destroy(s.instanceUuid);
  });

  it('snapshot (commit), save, remove, load, import; garbage fails with a DriverError instead of hanging', async () => {
    const s = spec({ command: ['/bin/sh', '-c', 'echo snapshot-marker > /root/marker; exec sleep 1000'] });
    await driver.spawn(s);
    await waitFor(
      async () =>
        (
          await run('docker', ['exec', `nova-${s.instanceUuid}`, 'cat', '/root/marker']).catch(() => ({ stdout: '' }))
        ).stdout.includes('marker'),
      15_000,
    );
    const repo = `novadock-drvtest/snap-${process.pid}`;
    const id = await driver.snapshot(s.instanceUuid, { repo, tag: 'v1' });
    images.push(id);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await driver.imageExists(id)).toBe(true);
    expect((await driver.getInfo(s.instanceUuid)).status).toBe('running'); // commit's pause is undone

    const tar = await readAll(await driver.saveImage(id));
    expect(tar.length).toBeGreaterThan(1_000_000);
    await driver.removeImage(id);
    expect(await driver.imageExists(id)).toBe(false);
    await driver.removeImage(id); // missing is success
    const loaded = await driver.loadImage(Readable.from([tar]));
    expect(loaded).toEqual([id]);

    const fromSnap = spec({ image: id, command: ['cat', '/root/marker'], tty: false });
    await driver.spawn(fromSnap);
    await waitFor(async () => (await driver.getConsoleOutput(fromSnap.instanceUuid)) === 'snapshot-marker\n', 15_000);
    await driver.destroy(fromSnap.instanceUuid);

    // import a rootfs tarball (docker export layout) with Dockerfile changes
    const rootfs = path.join(tmp, 'rootfs.tar');
    await run('docker', ['export', `nova-${s.instanceUuid}`, '-o', rootfs]);
    const importedId = await driver.importImage(createReadStream(rootfs), {
      repo: `novadock-drvtest/import-${process.pid}`,
      tag: 'v1',
      changes: ['ENV PATH=/bin', 'CMD ["/bin/sh"]'],
    });
    images.push(importedId);
    expect(importedId).toMatch(/^sha256:[0-9a-f]{64}$/);
    const img = JSON.parse((await run('docker', ['image', 'inspect', importedId])).stdout)[0];
    expect(img.Config.Cmd).toEqual(['/bin/sh']);

    const garbage = Buffer.alloc(20_000, 'x');
    const t0 = Date.now();
    const e1 = await expectDriverError(driver.loadImage(Readable.from([garbage])));
    expect(e1.message).toMatch(/tar/i); // Docker's in-band {"error": "Error processing tar file…"}
    const e2 = await expectDriverError(
      driver.importImage(Readable.from([garbage]), { repo: 'novadock-drvtest/garbage', tag: 'x' }),
    );
    expect(e2.message).toMatch(/tar|EOF/i);
    await expectDriverError(driver.loadImage(Readable.from([Buffer.alloc(0)])));
    expect(Date.now() - t0).toBeLessThan(30_000); // answered, not left hanging until the long deadline
    await expectDriverError(driver.saveImage('novadock-test/no-such-image:never'), 'not-found');
    await expectDriverError(driver.snapshot(newUuid(), { repo, tag: 'x' }), 'not-found');
    await driver.destroy(s.instanceUuid);
  });

  it("watchEvents: this service's container events only, with exit codes; stop ends the stream quietly", async () => {
    const events: DriverEvent[] = [];
    const errors: Error[] = [];
    const stop = await driver.watchEvents(
      (e) => events.push(e),
      (e) => errors.push(e),
    );
    const s = spec();
    await driver.spawn(s);
    // a container of someone else: not ours, never reported
    const other = `novadock-drvtest-other-${process.pid}`;
    const otherId = (
      await run('docker', ['run', '-d', '--name', other, '--label', `${TEST_LABEL}=${LABEL_VALUE}`, TEST_IMAGE, 'true'])
    ).stdout.trim();
    await run('docker', ['kill', `nova-${s.instanceUuid}`]);
    const die = await waitFor(
      () => events.find((e) => e.instanceUuid === s.instanceUuid && e.action === 'die'),
      10_000,
    );
    expect(die.exitCode).toBe(137);
    expect(die.time).toBeGreaterThan(Date.now() - 60_000);
    const mine = () => events.filter((e) => e.instanceUuid === s.instanceUuid);
    expect(mine().map((e) => e.action)).toEqual(expect.arrayContaining(['create', 'start', 'kill', 'die']));
    // (other novadock containers on this shared engine show up too; the unlabelled one never does)
    expect(events.every((e) => e.containerId !== otherId && e.instanceUuid !== other)).toBe(true);
    stop();
    await driver.destroy(s.instanceUuid);
    await new Promise((r) => setTimeout(r, 200));
    expect(mine().some((e) => e.action === 'destroy')).toBe(false); // stopped: no more events
    expect(errors).toEqual([]);
  });
});
