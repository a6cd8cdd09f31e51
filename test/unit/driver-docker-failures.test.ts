// How the Docker driver fails when the engine is gone or misbehaves, with stand-in sockets:
// ENOENT / ECONNREFUSED → 'unavailable', a silent engine → 'timeout' within the call's deadline,
// an event stream that breaks (ECONNRESET) → onError exactly once.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { DockerDriver, spawnDeadline } from '../../src/virt/docker/docker-driver.js';
import { DriverError } from '../../src/errors.js';
import type { DriverEvent } from '../../src/virt/driver.js';

const closers: (() => void)[] = [];
afterEach(() => {
  while (closers.length) closers.pop()!();
});

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

async function kindOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DriverError);
  return (err as DriverError).kind;
}

describe('DockerDriver failure mapping', () => {
  it('a missing socket file (ENOENT) is unavailable', async () => {
    const d = new DockerDriver({ dockerUrl: 'unix:///tmp/novadock-no-such-docker.sock', timeoutMs: 2000 });
    expect(await kindOf(d.ping())).toBe('unavailable');
    expect(await kindOf(d.getInfo('x'))).toBe('unavailable');
    expect(
      await kindOf(
        d.watchEvents(
          () => {},
          () => {},
        ),
      ),
    ).toBe('unavailable');
  });

  it('nobody listening (ECONNREFUSED) is unavailable', async () => {
    const s = net.createServer();
    const port = await listen(s);
    await new Promise((r) => s.close(r));
    const d = new DockerDriver({ dockerUrl: `tcp://127.0.0.1:${port}`, timeoutMs: 2000 });
    expect(await kindOf(d.listInstances())).toBe('unavailable');
  });

  it('an engine that accepts but never answers times out within the deadline', async () => {
    const sockets: net.Socket[] = [];
    const s = net.createServer((sock) => sockets.push(sock));
    const port = await listen(s);
    closers.push(() => {
      sockets.forEach((x) => x.destroy());
      s.close();
    });
    const d = new DockerDriver({ dockerUrl: `tcp://127.0.0.1:${port}`, timeoutMs: 300 });
    const t0 = Date.now();
    expect(await kindOf(d.powerOn('x'))).toBe('timeout');
    expect(
      await kindOf(
        d.watchEvents(
          () => {},
          () => {},
        ),
      ),
    ).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("a spawn's calls get a deadline that grows with the spawns in flight on the engine", async () => {
    expect([1, 4, 5, 8, 9, 32].map((n) => spawnDeadline(1000, n))).toEqual([1000, 1000, 2000, 2000, 3000, 8000]);
    // An engine that never answers a create (everything else: 404 at once).
    const server = http.createServer((req, res) => {
      if (req.url?.includes('/containers/create')) return;
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"message":"no"}');
    });
    const port = await listen(server);
    closers.push(() => {
      server.closeAllConnections();
      server.close();
    });
    const d = new DockerDriver({ dockerUrl: `tcp://127.0.0.1:${port}`, timeoutMs: 200 });
    const spec = (i: number) => ({
      instanceUuid: `u-${i}`,
      projectId: 'p',
      hostname: `h${i}`,
      image: 'sha256:x',
      memoryMb: 64,
      vcpus: 1,
      pidsLimit: 64,
      interfaces: [],
    });
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e as DriverError,
      );
    const alone = await failure(d.spawn(spec(0)));
    expect(alone?.kind).toBe('timeout');
    expect(alone?.message).toContain('(200 ms)');
    const together = await Promise.all(Array.from({ length: 6 }, (_, i) => failure(d.spawn(spec(i + 1)))));
    for (const e of together) {
      expect(e?.kind).toBe('timeout');
      expect(e?.message).toContain('(400 ms)'); // not shortened when the others have failed
    }
  });

  it("a create whose image the engine lacks fails not-found with Docker's 'No such image' (a boot reloads and retries on it)", async () => {
    // Docker's own answer: 404 {"message":"No such image: sha256:…"}; everything else 404 too.
    const server = http.createServer((req, res) => {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(
        req.url?.includes('/containers/create') ? '{"message":"No such image: sha256:gone"}' : '{"message":"no"}',
      );
    });
    const port = await listen(server);
    closers.push(() => {
      server.closeAllConnections();
      server.close();
    });
    const d = new DockerDriver({ dockerUrl: `tcp://127.0.0.1:${port}`, timeoutMs: 2000 });
    const err = await d
      .spawn({
        instanceUuid: 'u-img',
        projectId: 'p',
        hostname: 'h',
        image: 'sha256:gone',
        memoryMb: 64,
        vcpus: 1,
        pidsLimit: 64,
        interfaces: [],
      })
      .then(
        () => null,
        (e: unknown) => e as DriverError,
      );
    expect(err).toBeInstanceOf(DriverError);
    expect(err?.kind).toBe('not-found');
    expect(err?.message).toMatch(/no such image/i);
  });

  it('an event stream that breaks mid-line reports once, after the events it completed', async () => {
    const server = http.createServer((req, res) => {
      expect(req.url).toContain('/events');
      expect(decodeURIComponent(req.url!)).toContain('"label":["io.novadock.managed-by=novadock"]');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const ev = {
        Type: 'container',
        Action: 'die',
        timeNano: Date.now() * 1e6,
        Actor: { ID: 'c1', Attributes: { 'io.novadock.instance-uuid': 'u-1', exitCode: '0' } },
      };
      const line = JSON.stringify(ev) + '\n';
      res.write(line.slice(0, 10));
      setTimeout(() => res.write(line.slice(10) + '{"Type":"container","Act'), 20);
      setTimeout(() => req.socket.destroy(), 60); // the daemon dies: ECONNRESET
    });
    const port = await listen(server);
    closers.push(() => server.close());
    const d = new DockerDriver({ dockerUrl: `tcp://127.0.0.1:${port}`, timeoutMs: 2000 });
    const events: DriverEvent[] = [];
    const errors: Error[] = [];
    await d.watchEvents(
      (e) => events.push(e),
      (e) => errors.push(e),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toEqual([expect.objectContaining({ instanceUuid: 'u-1', action: 'die', exitCode: 0 })]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(DriverError);
    expect((errors[0] as DriverError).kind).toBe('unavailable');
  });

  it('a stopped watcher never reports an error', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200);
      res.write('');
    });
    const port = await listen(server);
    closers.push(() => {
      server.closeAllConnections();
      server.close();
    });
    const d = new DockerDriver({ dockerUrl: `tcp://127.0.0.1:${port}`, timeoutMs: 2000 });
    const errors: Error[] = [];
    const stop = await d.watchEvents(
      () => {},
      (e) => errors.push(e),
    );
    stop();
    await d.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(errors).toEqual([]);
  });
});
