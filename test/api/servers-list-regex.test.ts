// GET /servers filter semantics as Nova's DB api (instance_get_all_by_filters_sort): the
// exact_match_filter_names (user_id, image_ref, vm_state, instance_type_id ← flavor, uuid, host,
// task_state, locked …) match exactly, every other column filter is MySQL REGEXP (a search,
// case-insensitive, `|` escaped), NULL never matches. Regex parameters are validated as Nova's
// 'regex' format; a runaway pattern is a bounded 400. status=DELETED: admins get deleted rows,
// members a 403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { insertServers, unlimitedQuota } from '../helpers/servers.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let member: { projectId: string; token: string };
const S = '/compute/v2.1/servers';
const LIVE = ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', 'a|b', 'web-0', 'web-1'];
let web0 = '';
let image0 = '';

function get(query: string, opts: { v?: string; token?: string; detail?: boolean } = {}) {
  const token = opts.token ?? t.adminToken;
  const scope = token === t.adminToken ? 'all_tenants=1&' : '';
  return t.http
    .get(`${S}${opts.detail ? '/detail' : ''}?${scope}${query}`)
    .set('X-Auth-Token', token)
    .set('OpenStack-API-Version', `compute ${opts.v ?? '2.79'}`);
}
async function names(query: string, opts: { v?: string; token?: string } = {}): Promise<string[]> {
  const res = await get(query, opts);
  expect(res.status).toBe(200);
  return (res.body.servers as { name: string }[]).map((s) => s.name).sort();
}

beforeAll(async () => {
  t = await makeTestApp({ heartbeatIntervalSeconds: 3600 });
  await unlimitedQuota(t.services);
  member = await makeProjectUser(t, 'regex-filters-p');
  const [w0, w1, pipe, hostile, gone] = await insertServers(t.services, 5, {
    projectId: member.projectId,
    prefix: 'web',
  });
  web0 = w0;
  const db = sql(t.services.db);
  await db('instances').where({ uuid: w0 }).update({
    key_name: 'deploy-key',
    reservation_id: 'r-abc',
    availability_zone: 'zone-east',
    config_drive: 'True',
    progress: 100,
  });
  await db('instances').where({ uuid: w1 }).update({
    key_name: 'key-2',
    reservation_id: 'r-abd',
    progress: 10,
    power_state: 4,
    locked_by: 'owner',
    launch_index: 1,
    user_id: 'user-2',
    task_state: 'rebooting',
  });
  await db('instances').where({ uuid: pipe }).update({ display_name: 'a|b', hostname: 'pipe' });
  await db('instances')
    .where({ uuid: hostile })
    .update({ display_name: 'a'.repeat(38) + '!', hostname: 'hostile' });
  await db('instances')
    .where({ uuid: gone })
    .update({ display_name: 'gone', vm_state: 'deleted', deleted: true, deleted_at: new Date().toISOString() });
  image0 = (await db('instances').where({ uuid: w0 }).first()).image_ref;
});
afterAll(async () => {
  await t.close();
});

describe('regex filters (Nova: every column outside exact_match_filter_names)', () => {
  it('string columns are an unanchored search', async () => {
    expect(await names('hostname=web')).toEqual(['web-0', 'web-1']);
    expect(await names('hostname=^web-1$')).toEqual(['web-1']);
    expect(await names('key_name=key')).toEqual(['web-0', 'web-1']);
    expect(await names('key_name=^key')).toEqual(['web-1']);
    expect(await names('reservation_id=r-ab')).toEqual(['web-0', 'web-1']);
    expect(await names('reservation_id=abc')).toEqual(['web-0']);
    expect(await names('availability_zone=east')).toEqual(['web-0']);
    expect(await names('availability_zone=^nova$')).toEqual([
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!',
      'a|b',
      'web-1',
    ]);
    expect(await names('locked_by=own')).toEqual(['web-1']);
    // NULL never matches, not even an empty pattern's equivalent.
    expect(await names('locked_by=.*')).toEqual(['web-1']);
  });
  it('numbers match on their decimal text (progress=10 also matches 100)', async () => {
    expect(await names('progress=10')).toEqual(['web-0', 'web-1']);
    expect(await names('progress=^10$')).toEqual(['web-1']);
    expect(await names('power_state=4')).toEqual(['web-1']);
    expect(await names('launch_index=1')).toEqual(['web-1']);
  });
  it("case-insensitive as MySQL's *_ci collation, and | is a literal (nova _safe_regex_mysql)", async () => {
    expect(await names('name=WEB-')).toEqual(['web-0', 'web-1']);
    expect(await names('config_drive=true')).toEqual(['web-0']);
    expect(await names(`name=${encodeURIComponent('a|b')}`)).toEqual(['a|b']);
    expect(await names(`name=${encodeURIComponent('web-0|web-1')}`)).toEqual([]);
  });
  it('members keep name and reservation_id as regexes; admin-only regex filters are dropped', async () => {
    expect(await names('name=^web', { token: member.token })).toEqual(['web-0', 'web-1']);
    expect(await names('reservation_id=abc', { token: member.token })).toEqual(['web-0']);
    expect(await names('key_name=deploy', { token: member.token })).toEqual(LIVE);
    expect(await names('hostname=web-0', { token: member.token })).toEqual(LIVE);
  });
});

describe('exact filters (Nova exact_match_filter_names)', () => {
  it('user_id, vm_state, task_state, uuid, image, flavor match whole values only', async () => {
    expect(await names('user_id=user-2')).toEqual(['web-1']);
    expect(await names('user_id=user')).toEqual([]);
    expect(await names('task_state=rebooting')).toEqual(['web-1']);
    expect(await names('task_state=reboot')).toEqual([]);
    expect(await names('vm_state=active')).toHaveLength(4);
    expect(await names('vm_state=activ')).toEqual([]);
    expect(await names(`uuid=${web0}`)).toEqual(['web-0']);
    expect(await names(`uuid=${web0.slice(0, 8)}`)).toEqual([]);
    expect(await names(`image=${image0}`)).toEqual(['web-0']);
    expect(await names(`image=${image0.slice(0, 8)}`)).toEqual([]);
    expect(await names('flavor=1')).toHaveLength(4);
    expect(await names('flavor=%5E1')).toEqual([]);
  });
});

describe('deleted servers', () => {
  it('admin: status=DELETED lists deleted servers without deleted=true (Nova sets it)', async () => {
    expect(await names('status=DELETED')).toEqual(['gone']);
    expect(await names('status=DELETED&deleted=false')).toEqual(['gone']);
  });
  it('admin: other ways to ask keep deleted=false, as Nova', async () => {
    // ACTIVE covers every task state of an active server (Nova's 'default'), so rebooting web-1 too.
    expect(await names('status=DELETED&status=ACTIVE')).toEqual(LIVE);
    expect(await names('vm_state=deleted')).toEqual([]);
    expect(await names('vm_state=deleted&deleted=true')).toEqual(['gone']);
    // status replaces the vm_state parameter (and task_state, when status narrows task states).
    expect(await names('vm_state=stopped&status=ACTIVE')).toEqual(LIVE);
    expect(await names('task_state=rebooting&status=ACTIVE')).toEqual(['web-1']);
    expect(await names('task_state=none&status=REBOOT')).toEqual(['web-1']);
  });
  it('member: status=DELETED is a 403; deleted=true is dropped', async () => {
    const res = await get('status=DELETED', { token: member.token });
    expect(res.status).toBe(403);
    expect(res.body.forbidden.message).toBe('Only administrators may list deleted instances');
    expect((await get('status=deleted', { token: member.token, v: '2.1' })).status).toBe(403);
    expect(await names('deleted=true', { token: member.token })).toEqual(LIVE);
    expect(await names('status=DELETED&status=ACTIVE', { token: member.token })).toEqual(LIVE);
    expect(await names('status=REBOOT', { token: member.token })).toEqual(['web-1']);
  });
});

describe('bad and hostile patterns', () => {
  it("a pattern that does not compile (or is empty) is Nova's schema 400, for anyone", async () => {
    const cases: [string, string][] = [
      ['name=%28', "Invalid input for query parameters name. Value: (. '(' is not a 'regex'"],
      ['name=', "Invalid input for query parameters name. Value: . '' is not a 'regex'"],
      ['key_name=%5Cq', "Invalid input for query parameters key_name. Value: \\q. '\\\\q' is not a 'regex'"],
      ['ip=%5B', "Invalid input for query parameters ip. Value: [. '[' is not a 'regex'"],
    ];
    for (const [q, message] of cases) {
      for (const token of [t.adminToken, member.token]) {
        const res = await get(q, { token });
        expect(res.status, q).toBe(400);
        expect(res.body.badRequest.message).toBe(message);
      }
    }
    // Exact-match parameters are no regex: the same text is just a value that matches nothing.
    expect(await names('user_id=%28')).toEqual([]);
  });
  it('catastrophic backtracking is a bounded 400, and the service keeps answering', async () => {
    const started = Date.now();
    const res = await get(`name=${encodeURIComponent('(a+)+$')}`, { token: member.token });
    expect(res.status).toBe(400);
    expect(res.body.badRequest.message).toBe(
      'Invalid input for query parameters name. Value: (a+)+$. The regular expression took too long to match.',
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await names('name=^web-0$', { token: member.token })).toEqual(['web-0']);
  });
});

describe('cost', () => {
  it('any number of regex filters adds one query to the detail list', async () => {
    // The listener sees every query of the process, so a background one (a worker poll) can land
    // inside a request: the fewest of three runs is the request's own count.
    const once = async (q: string) => {
      let n = 0;
      const on = () => {
        n++;
      };
      sql(t.services.db).on('query', on);
      const res = await get(q, { detail: true });
      sql(t.services.db).off('query', on);
      expect(res.status).toBe(200);
      return n;
    };
    const count = async (q: string) => Math.min(await once(q), await once(q), await once(q));
    const plain = await count('limit=1000');
    expect(await count('name=web')).toBe(plain + 1);
    expect(await count('name=web&hostname=web&key_name=key&progress=10&created_at=20')).toBe(plain + 1);
  });
});
