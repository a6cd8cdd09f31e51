// The actions novadock refuses, through python-novaclient against the listening app (fake driver):
// the CLI shows Nova's message and code for rescue and evacuate; add-secgroup and remove-secgroup
// work on the server's ports as Nova with Neutron does; the server stays ACTIVE throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { sql } from '../../src/db/sql.js';

const CLI_TIMEOUT = 120_000;
let s: ListeningApp;
let env: Record<string, string>;

beforeAll(async () => {
  s = await startListeningApp({ computeDriver: 'fake' });
  env = adminEnv(s);
  await unlimitedQuota(s.services);
  await seedImage(s.services, { name: 'busybox' });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

const nova = (...args: string[]) => runCli('nova', args, env, { timeoutMs: CLI_TIMEOUT });

async function activeUuid(name: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const row = await sql(s.services.db)('instances').where({ display_name: name, deleted: false }).first();
    if (row?.vm_state === 'active' && row.task_state === null) return row.uuid as string;
    if (Date.now() > deadline) throw new Error(`${name} not active: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('nova rescue / evacuate / add-secgroup / remove-secgroup', () => {
  it("shows Nova's refusals and leaves the server ACTIVE", async () => {
    const boot = await nova(
      'boot',
      '--image',
      'busybox',
      '--flavor',
      'c1.nano',
      '--nic',
      'auto',
      '--meta',
      'APP_MODE=prod',
      'cli-refused',
    );
    expect(boot.code, boot.stderr).toBe(0);
    const uuid = await activeUuid('cli-refused');

    const rescue = await nova('rescue', 'cli-refused');
    expect(rescue.code).not.toBe(0);
    expect(rescue.stderr).toContain(
      `Instance ${uuid} cannot be rescued: Driver Error: the Docker driver does not support rescue (HTTP 400)`,
    );

    const evacuate = await nova('evacuate', 'cli-refused');
    expect(evacuate.code).not.toBe(0);
    expect(evacuate.stderr).toMatch(/Compute service of \S+ is still in use\. \(HTTP 400\)/);

    const add = await nova('add-secgroup', 'cli-refused', 'default');
    expect(add.code, add.stderr).toBe(0);
    // Nova with Neutron takes the group off the server's ports, the last one too; once it is off, the
    // next remove is the 404 of remove_from_instance.
    const remove = await nova('remove-secgroup', 'cli-refused', 'default');
    expect(remove.code, remove.stderr).toBe(0);
    const groups = await nova('list-secgroup', 'cli-refused');
    expect(groups.code, groups.stderr).toBe(0);
    expect(groups.stdout).not.toContain('default');
    const again = await nova('remove-secgroup', 'cli-refused', 'default');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`Security group default not associated with the instance ${uuid} (HTTP 404)`);

    const row = await sql(s.services.db)('instances').where({ uuid }).first();
    expect([row.vm_state, row.task_state]).toEqual(['active', null]);
  }, 240_000);
});
