// Issue 17, item 5: differences from Nova that real Tempest found, each driven here by a client a
// user would use (listening app, fake driver):
//  - metadata_items quota for servers: Libcloud's create_node(ex_metadata) and ex_set_metadata (PUT),
//    nova meta set (POST), PUT /metadata/{key}: over the project's limit is Nova's 403
//    "Maximum number of metadata items exceeds N" (compute/api.py _check_metadata_properties_quota)
//  - date-time query parameters are what oslo_utils.timeutils.parse_isotime takes (Nova's
//    'date-time' format check), on every parameter that is one: changes-since=2011/01/01 is a 400
//    (the CLIs check it themselves; Tempest sends it); the accepted set comes from Python itself
//    (iso_oracle.py)
//  - accessIPv4/accessIPv6 read back normalised (Nova stores them through netaddr):
//    0000:0000:0000:0000:0000:babe:220.12.22.2 reads back as ::babe:dc0c:1602
//  - the rebuild response at 2.75 as admin has `user_data` and not `OS-EXT-SRV-ATTR:user_data`
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { python } from '../helpers/compat.js';
import { seedImage, unlimitedQuota, waitForStatus } from '../helpers/servers.js';

let s: ListeningApp;
let env: Record<string, string>;
let token: string;
let projectId: string;
let imageId: string;

const expectOk = (r: { code: number; stdout: string; stderr: string }) =>
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
const api = (method: string, path: string, body?: unknown, version = '2.1') =>
  fetch(`${s.url}${path}`, {
    method,
    headers: {
      'X-Auth-Token': token,
      'Content-Type': 'application/json',
      'OpenStack-API-Version': `compute ${version}`,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const json = async <T = Record<string, unknown>>(r: Response) => (await r.json()) as T;
const items = (n: number, from = 1) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i + from}`, `val${i + from}`]));

async function boot(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await api('POST', '/compute/v2.1/servers', {
    server: { name, imageRef: imageId, flavorRef: '1', ...extra },
  });
  expect(r.status, JSON.stringify(await r.clone().json())).toBe(202);
  const id = (await json<{ server: { id: string } }>(r)).server.id;
  await waitForStatus(
    async () => ({
      status: 200,
      body: await json<{ server: { status: string } }>(await api('GET', `/compute/v2.1/servers/${id}`)),
    }),
    'ACTIVE',
  );
  return id;
}

beforeAll(async () => {
  s = await startListeningApp();
  env = adminEnv(s);
  projectId = await unlimitedQuota(s.services);
  imageId = (await seedImage(s.services, { name: 'nova-api-image' })).id;
  const auth = await fetch(`${s.url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', password: s.adminPassword, domain: { name: 'Default' } } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
  });
  token = auth.headers.get('x-subject-token')!;
}, 60_000);

afterAll(async () => {
  await s?.close();
});

describe('metadata_items quota for servers', () => {
  const forbidden = (n: number) => ({
    forbidden: { code: 403, message: `Maximum number of metadata items exceeds ${n}` },
  });

  it('Libcloud create_node with 129 items: 403; with 128: created', async () => {
    const over = await python<{ ok: boolean; code: number | null; message: string | null }>(
      'libcloud_metadata.py',
      ['create', 'lc-129', imageId, '1', '129'],
      env,
    );
    expect(over.ok, JSON.stringify(over)).toBe(false);
    expect(over.code).toBe(403);
    expect(over.message).toContain('Maximum number of metadata items exceeds 128');
    const at = await python<{ ok: boolean; id: string }>(
      'libcloud_metadata.py',
      ['create', 'lc-128', imageId, '1', '128'],
      env,
    );
    expect(at.ok, JSON.stringify(at)).toBe(true);
  }, 60_000);

  it('Libcloud ex_set_metadata (PUT) with 129 items: 403, nothing changed', async () => {
    const id = await boot('lc-put', { metadata: { keep: 'me' } });
    const over = await python<{ ok: boolean; code: number | null; message: string | null }>(
      'libcloud_metadata.py',
      ['set', id, '129'],
      env,
    );
    expect(over.ok, JSON.stringify(over)).toBe(false);
    expect(over.code).toBe(403);
    expect(over.message).toContain('Maximum number of metadata items exceeds 128');
    expect(await json(await api('GET', `/compute/v2.1/servers/${id}/metadata`))).toEqual({ metadata: { keep: 'me' } });
  }, 60_000);

  it('nova meta set (POST) and PUT /metadata/{key}: the merged count is what counts', async () => {
    const id = await boot('meta-post', { metadata: items(100) });
    const over = await runCli(
      'nova',
      ['meta', id, 'set', ...Object.entries(items(29, 101)).map(([k, v]) => `${k}=${v}`)],
      env,
    );
    expect(over.code, over.stdout + over.stderr).not.toBe(0);
    expect(over.stderr).toContain('Maximum number of metadata items exceeds 128');
    expectOk(
      await runCli('nova', ['meta', id, 'set', ...Object.entries(items(28, 101)).map(([k, v]) => `${k}=${v}`)], env),
    );
    const one = await api('PUT', `/compute/v2.1/servers/${id}/metadata/key129`, { meta: { key129: 'v' } });
    expect(one.status).toBe(403);
    expect(await json(one)).toEqual(forbidden(128));
    // replacing an existing key does not add an item
    expect((await api('PUT', `/compute/v2.1/servers/${id}/metadata/key1`, { meta: { key1: 'new' } })).status).toBe(200);
  }, 60_000);

  it("the limit is the project's metadata_items quota", async () => {
    expect(
      (await api('PUT', `/compute/v2.1/os-quota-sets/${projectId}`, { quota_set: { metadata_items: 3 } })).status,
    ).toBe(200);
    try {
      const r = await api('POST', '/compute/v2.1/servers', {
        server: { name: 'q3', imageRef: imageId, flavorRef: '1', metadata: items(4) },
      });
      expect(r.status).toBe(403);
      expect(await json(r)).toEqual(forbidden(3));
    } finally {
      await api('PUT', `/compute/v2.1/os-quota-sets/${projectId}`, { quota_set: { metadata_items: 128 } });
    }
  });
});

describe('date-time query parameters are ISO 8601 as Nova reads them', () => {
  it('changes-since=2011/01/01 (as Tempest sends it; nova and openstack refuse it before sending) is a 400', async () => {
    for (const [cli, args] of [
      ['nova', ['list', '--changes-since', '2011/01/01']],
      ['openstack', ['server', 'list', '--changes-since', '2011/01/01']],
    ] as const) {
      const r = await runCli(cli, [...args], env);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/Invalid changes-since value|Invalid changes-since/);
    }
    const r = await api('GET', '/compute/v2.1/servers?changes-since=2011/01/01');
    expect(r.status).toBe(400);
    expect(await json(r)).toEqual({
      badRequest: {
        code: 400,
        message:
          "Invalid input for query parameters changes-since. Value: 2011/01/01. '2011/01/01' is not a 'date-time'",
      },
    });
  }, 90_000);

  const CANDIDATES = [
    '2011/01/01',
    '2011-01-01',
    '2011-01-01T00:00:00Z',
    '2011-01-01T00:00:00.123456Z',
    '2011-01-01T00:00:00+05:30',
    '2011-01-01T00:00:00-0800',
    '2011-01-01 10:00:00',
    '2011-01-01T10',
    '2011-01-01T10:00',
    '2011',
    '2011-01',
    '20110101',
    '201101',
    '2011-1-1',
    '2011-01-01T25:00:00',
    '2011-02-30',
    '2011-13-01',
    '2011-01-01T00:00:60',
    '0000-01-01',
    'Jan 1 2011',
    '1/1/2011',
    '1293840000',
    'yesterday',
    ' 2011-01-01',
    '2011-01-01T00:00:00z',
    '2011-01-01t00:00:00',
    '2011-01-01T00:00:00,5Z',
    '2011-01-01T000000',
    '9999-12-31T23:59:59Z',
    '2011-01-01T00:00:00+24:00',
  ];
  const novaMessage = (name: string) => async (r: Response, text: string) =>
    (await json<{ badRequest?: { message: string } }>(r)).badRequest?.message ===
    `Invalid input for query parameters ${name}. Value: ${text}. '${text}' is not a 'date-time'`;
  // every query parameter Nova declares as format 'date-time'; Glance's time filters (same parser);
  // Nova's image proxy, which hands changes-since to Glance as updated_at=gte:<value>
  const PARAMS: {
    what: string;
    url: (v: string) => string;
    version: string;
    message: (r: Response, text: string) => Promise<boolean>;
  }[] = [
    {
      what: 'servers changes-since',
      url: (v) => `/compute/v2.1/servers?changes-since=${v}`,
      version: '2.1',
      message: novaMessage('changes-since'),
    },
    {
      what: 'servers/detail changes-before (2.66)',
      url: (v) => `/compute/v2.1/servers/detail?changes-before=${v}`,
      version: '2.66',
      message: novaMessage('changes-before'),
    },
    {
      what: 'os-migrations changes-since (2.59)',
      url: (v) => `/compute/v2.1/os-migrations?changes-since=${v}`,
      version: '2.59',
      message: novaMessage('changes-since'),
    },
    {
      what: 'os-migrations changes-before (2.66)',
      url: (v) => `/compute/v2.1/os-migrations?changes-before=${v}`,
      version: '2.66',
      message: novaMessage('changes-before'),
    },
    {
      what: 'os-instance-actions changes-since (2.58)',
      url: (v) => `/compute/v2.1/servers/SERVER/os-instance-actions?changes-since=${v}`,
      version: '2.58',
      message: novaMessage('changes-since'),
    },
    {
      what: 'os-instance-actions changes-before (2.66)',
      url: (v) => `/compute/v2.1/servers/SERVER/os-instance-actions?changes-before=${v}`,
      version: '2.66',
      message: novaMessage('changes-before'),
    },
    {
      what: 'glance created_at',
      url: (v) => `/image/v2/images?created_at=${v}`,
      version: '2.1',
      message: async (r) =>
        ((await json<{ message?: string }>(r)).message ?? '').startsWith(
          'Bad "created_at" query filter format. Use ISO 8601 DateTime notation.',
        ),
    },
    {
      what: 'compute images changes-since',
      url: (v) => `/compute/v2.1/images/detail?changes-since=${v}`,
      version: '2.1',
      message: async (r) => 'badRequest' in (await json(r)),
    },
  ];

  it('each parameter accepts exactly what parse_isotime accepts', async () => {
    const accepted = await python<boolean[]>('iso_oracle.py', [JSON.stringify(CANDIDATES)], {});
    const serverId = await boot('dt');
    const wrong: string[] = [];
    for (const p of PARAMS) {
      for (const [i, text] of CANDIDATES.entries()) {
        const r = await api('GET', p.url(encodeURIComponent(text)).replace('SERVER', serverId), undefined, p.version);
        const want = accepted[i] ? 200 : 400;
        if (r.status !== want) wrong.push(`${p.what} ${JSON.stringify(text)}: ${r.status}, Nova ${want}`);
        else if (want === 400 && !(await p.message(r, text)))
          wrong.push(`${p.what} ${JSON.stringify(text)}: not the service's message`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});

describe('accessIPv4 / accessIPv6 read back normalised', () => {
  it('nova boot --access-ip-v6 0000:…:babe:220.12.22.2 shows ::babe:dc0c:1602; update and rebuild normalise too', async () => {
    const r = await runCli(
      'nova',
      [
        'boot',
        '--image',
        imageId,
        '--flavor',
        '1',
        '--nic',
        'none',
        '--access-ip-v4',
        '1.1.1.1',
        '--access-ip-v6',
        '0000:0000:0000:0000:0000:babe:220.12.22.2',
        '--poll',
        'aip',
      ],
      env,
      { timeoutMs: 120_000 },
    );
    expectOk(r);
    const show = await runCli('nova', ['show', 'aip'], env);
    expectOk(show);
    expect(show.stdout).toMatch(/\|\s*accessIPv6\s*\|\s*::babe:dc0c:1602\s*\|/);
    expect(show.stdout).toMatch(/\|\s*accessIPv4\s*\|\s*1\.1\.1\.1\s*\|/);
    const id = /\|\s*id\s*\|\s*([0-9a-f-]{36})\s*\|/.exec(show.stdout)![1];
    const upd = await api('PUT', `/compute/v2.1/servers/${id}`, { server: { accessIPv6: '2001:DB8:0:0:1:0:0:1' } });
    expect((await json<{ server: { accessIPv6: string } }>(upd)).server.accessIPv6).toBe('2001:db8::1:0:0:1');
    const reb = await api('POST', `/compute/v2.1/servers/${id}/action`, {
      rebuild: { imageRef: imageId, accessIPv6: '0:0:0:0:0:FFFF:0102:0304' },
    });
    expect(reb.status).toBe(202);
    expect((await json<{ server: { accessIPv6: string } }>(reb)).server.accessIPv6).toBe('::ffff:1.2.3.4');
  }, 120_000);
});

describe('rebuild at 2.75 as admin', () => {
  it('answers user_data and not OS-EXT-SRV-ATTR:user_data (the server show at 2.75 has the latter)', async () => {
    const id = await boot('reb275', { user_data: Buffer.from('#!/bin/sh\necho hi\n').toString('base64') });
    const r = await api('POST', `/compute/v2.1/servers/${id}/action`, { rebuild: { imageRef: imageId } }, '2.75');
    expect(r.status).toBe(202);
    const srv = (await json<{ server: Record<string, unknown> }>(r)).server;
    expect(srv).toHaveProperty('user_data');
    expect(srv).not.toHaveProperty('OS-EXT-SRV-ATTR:user_data');
    const show = (
      await json<{ server: Record<string, unknown> }>(
        await api('GET', `/compute/v2.1/servers/${id}`, undefined, '2.75'),
      )
    ).server;
    expect(show).toHaveProperty('OS-EXT-SRV-ATTR:user_data');
  }, 60_000);
});
