// The long-lived shells of the security-group apply (netns-shell.ts), without any network namespace:
// a path that is no namespace makes nsenter fail before it enters anything (its error comes back); a
// FIFO makes nsenter block in open(), which stands for an apply that hangs: the deadline kills the
// lane's process group and the next job gets a new lane; a lane killed from outside is replaced and
// its job runs once more; close() leaves no process behind.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsShells } from '../../src/virt/docker/netns-shell.js';
import { DriverError } from '../../src/errors.js';
import { isAlive as alive } from '../helpers/process-alive.js';

let dir: string;
let fifo: string;
const until = async (ok: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!ok() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 20));
  return ok();
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netns-shell-test-'));
  fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('NetnsShells', () => {
  it("returns nsenter's error, and answers the next job from the same lane", async () => {
    const shells = new NetnsShells(5000);
    try {
      const e = await shells.restore(path.join(dir, 'missing'), '', '').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DriverError);
      expect((e as Error).message).toMatch(/iptables-restore in .*missing: nsenter: .*No such file/);
      await expect(shells.restore(path.join(dir, 'missing'), '', '')).rejects.toThrow(/No such file/);
      expect(shells.started).toBe(1);
      await expect(shells.restore('/a b', '', '')).rejects.toThrow(/unexpected namespace path/);
    } finally {
      await shells.close();
    }
  });

  it('a job past its deadline kills its lane (and what the lane runs); the next job gets a new lane', async () => {
    const shells = new NetnsShells(300);
    try {
      const hung = shells.restore(fifo, '', '');
      await until(() => shells.pids().length === 1);
      const [pid] = shells.pids();
      const e = await hung.catch((x: unknown) => x);
      expect((e as DriverError).kind).toBe('timeout');
      expect(await until(() => !alive(pid))).toBe(true);
      await expect(shells.restore(path.join(dir, 'missing'), '', '')).rejects.toThrow(/No such file/);
      expect(shells.started).toBe(2);
    } finally {
      await shells.close();
    }
  });

  it('a lane killed from outside is started again and its job runs once more; close() ends every lane', async () => {
    const shells = new NetnsShells(10_000);
    const hung = shells.restore(fifo, '', '').catch((x: unknown) => x);
    await until(() => shells.pids().length === 1);
    const [first] = shells.pids();
    process.kill(-first, 'SIGKILL');
    // the job is sent again to a new lane, whose nsenter blocks on the FIFO in turn; a writer lets it
    // go on, and setns() refuses a FIFO: that answer is the job's
    expect(await until(() => shells.started === 2 && shells.pids().length === 1 && shells.pids()[0] !== first)).toBe(
      true,
    );
    await new Promise((r) => setTimeout(r, 100));
    const w = fs.openSync(fifo, 'w');
    fs.closeSync(w);
    const e = await hung;
    expect(e).toBeInstanceOf(DriverError);
    expect((e as Error).message).toMatch(/iptables-restore in .*fifo: nsenter: /);
    const lanes = shells.pids();
    expect(lanes.length).toBe(1);
    await shells.close();
    expect(await until(() => lanes.every((p) => !alive(p)))).toBe(true);
    await expect(shells.restore(path.join(dir, 'missing'), '', '')).rejects.toThrow(/closed/);
  });
});
