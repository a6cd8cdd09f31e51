// Shared bits for tests against the real Docker Engine. They FAIL (never skip) without Docker.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';

export const run = promisify(execFile);
export const DOCKER_URL = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
export const TEST_IMAGE = 'novadock-test/busybox:latest';

/** Throws a clear error when the engine is unreachable, so that the suite fails instead of skipping. */
export async function requireDocker(): Promise<void> {
  try {
    await run('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 10_000 });
  } catch (err) {
    throw new Error(`Docker Engine is required for test/docker (run scripts/docker-up.sh): ${(err as Error).message}`);
  }
}

/** Force-removes every container carrying `label` (key=value): only what this test created. */
export async function removeLabelled(label: string): Promise<void> {
  const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=${label}`]);
  const ids = stdout.split('\n').filter(Boolean);
  if (ids.length) await run('docker', ['rm', '-f', ...ids]).catch(() => undefined);
}

export const newUuid = () => randomUUID();

/** Polls `fn` until it returns a truthy value, every `everyMs`, for at most `timeoutMs`. */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs: number, everyMs = 25): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
