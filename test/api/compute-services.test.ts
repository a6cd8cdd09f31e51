// os-services, os-hypervisors and os-availability-zone over two fake Docker hosts.
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { insertInstanceRow } from '../helpers/instance-rows.js';
import { HostRegistry } from '../../src/compute/hosts/host-registry.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let member: { token: string; projectId: string };
let mainHost: { id: number; uuid: string; name: string };
let second: { id: number; uuid: string; name: string };
beforeAll(async () => {
  t = await makeTestApp({
    computeHosts: [{ name: 'dock2', dockerUrl: 'tcp://10.1.2.3:2375', availabilityZone: 'zone-b' }],
  });
  member = await makeProjectUser(t, 'ops-member', 'member');
  mainHost = (await t.services.hostsRepo.findByName(HostRegistry.defaultHostName()))!;
  second = (await t.services.hostsRepo.findByName('dock2'))!;
  // servers placed on the main host: 2 live (1 vcpu/512 MB/1 GB, 2 vcpus/1024 MB/10 GB, one busy), 1 deleted
  await insertInstanceRow(t.services.db, {
    projectId: member.projectId,
    hostId: mainHost.id,
    vcpus: 1,
    memoryMb: 512,
    rootGb: 1,
    name: 'a',
  });
  await insertInstanceRow(t.services.db, {
    projectId: member.projectId,
    hostId: mainHost.id,
    vcpus: 2,
    memoryMb: 1024,
    rootGb: 10,
    name: 'b',
  });
  await sql(t.services.db)('instances').where({ display_name: 'b' }).update({ task_state: 'rebooting' });
  await insertInstanceRow(t.services.db, {
    projectId: member.projectId,
    hostId: mainHost.id,
    vcpus: 8,
    memoryMb: 8192,
    deleted: true,
  });
});
afterAll(async () => {
  await t.close();
});

const admin = (v?: string) => ({
  'X-Auth-Token': t.adminToken,
  ...(v ? { 'OpenStack-API-Version': `compute ${v}` } : {}),
});

describe('os-services', () => {
  it('2.1: conductor and scheduler (internal) then one nova-compute per Docker host, all up after the first heartbeat', async () => {
    const res = await t.http.get('/compute/v2.1/os-services').set(admin());
    expect(res.status).toBe(200);
    const me = os.hostname();
    expect(
      res.body.services.map((s: { binary: string; host: string; zone: string; id: number }) => [
        s.id,
        s.binary,
        s.host,
        s.zone,
      ]),
    ).toEqual([
      [1, 'nova-conductor', me, 'internal'],
      [2, 'nova-scheduler', me, 'internal'],
      [mainHost.id + 2, 'nova-compute', mainHost.name, 'nova'],
      [second.id + 2, 'nova-compute', 'dock2', 'zone-b'],
    ]);
    const compute = res.body.services[2];
    expect(Object.keys(compute)).toEqual([
      'binary',
      'host',
      'id',
      'zone',
      'status',
      'state',
      'updated_at',
      'disabled_reason',
    ]);
    expect(compute).toMatchObject({ status: 'enabled', state: 'up', disabled_reason: null });
    expect(compute.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
  });

  it('2.11 adds forced_down; 2.53 uses UUIDs; filters by host and binary', async () => {
    const r11 = await t.http.get('/compute/v2.1/os-services').set(admin('2.11'));
    expect(r11.body.services[0].forced_down).toBe(false);
    const r53 = await t.http.get('/compute/v2.1/os-services?binary=nova-compute&host=dock2').set(admin('2.53'));
    expect(r53.body.services).toHaveLength(1);
    expect(r53.body.services[0].id).toBe(second.uuid);
  });

  it("non-admins get Nova's 403", async () => {
    const res = await t.http.get('/compute/v2.1/os-services').set('X-Auth-Token', member.token);
    expect(res.status).toBe(403);
    expect(res.body.forbidden.message).toBe("Policy doesn't allow os_compute_api:os-services:list to be performed.");
  });

  it('legacy disable-log-reason/enable by host and binary (below 2.53)', async () => {
    const dis = await t.http
      .put('/compute/v2.1/os-services/disable-log-reason')
      .set(admin('2.11'))
      .send({ host: 'dock2', binary: 'nova-compute', disabled_reason: 'maintenance' });
    expect(dis.status).toBe(200);
    expect(dis.body).toEqual({
      service: { host: 'dock2', binary: 'nova-compute', status: 'disabled', disabled_reason: 'maintenance' },
    });
    const row = await t.services.hostsRepo.findByName('dock2');
    expect(Boolean(row!.disabled)).toBe(true);
    expect(row!.disabled_reason).toBe('maintenance');
    const en = await t.http
      .put('/compute/v2.1/os-services/enable')
      .set(admin())
      .send({ host: 'dock2', binary: 'nova-compute' });
    expect(en.body).toEqual({ service: { host: 'dock2', binary: 'nova-compute', status: 'enabled' } });
    const missing = await t.http
      .put('/compute/v2.1/os-services/enable')
      .set(admin())
      .send({ host: 'nope', binary: 'nova-compute' });
    expect(missing.status).toBe(404);
    const unknown = await t.http
      .put('/compute/v2.1/os-services/explode')
      .set(admin())
      .send({ host: 'dock2', binary: 'nova-compute' });
    expect(unknown.status).toBe(404);
  });

  it("2.53 PUT by uuid: disable with reason, force down (state down), errors in Nova's words", async () => {
    const url = `/compute/v2.1/os-services/${second.uuid}`;
    const dis = await t.http.put(url).set(admin('2.53')).send({ status: 'disabled', disabled_reason: 'broken disk' });
    expect(dis.status).toBe(200);
    expect(dis.body.service).toMatchObject({
      id: second.uuid,
      status: 'disabled',
      disabled_reason: 'broken disk',
      state: 'up',
      forced_down: false,
    });
    const down = await t.http.put(url).set(admin('2.53')).send({ forced_down: true });
    expect(down.body.service).toMatchObject({ state: 'down', forced_down: true });
    const zones = await t.http.get('/compute/v2.1/os-availability-zone').set('X-Auth-Token', member.token);
    expect(zones.body.availabilityZoneInfo).toEqual([
      { zoneName: 'nova', zoneState: { available: true }, hosts: null },
      { zoneName: 'zone-b', zoneState: { available: false }, hosts: null },
    ]);
    const both = await t.http.put(url).set(admin('2.53')).send({ status: 'enabled', forced_down: false });
    expect(both.body.service).toMatchObject({
      status: 'enabled',
      disabled_reason: null,
      state: 'up',
      forced_down: false,
    });
    const cases: [object, number, string][] = [
      [{}, 400, "At least one of 'status' or 'forced_down' must be specified in the request body."],
      [
        { status: 'enabled', disabled_reason: 'x' },
        400,
        "Specifying 'disabled_reason' with status 'enabled' is invalid.",
      ],
      [
        { status: 'sideways' },
        400,
        "Invalid input for field/attribute status. Value: sideways. 'sideways' is not one of ['enabled', 'disabled']",
      ],
    ];
    for (const [body, code, message] of cases) {
      const r = await t.http.put(url).set(admin('2.53')).send(body);
      expect(r.status).toBe(code);
      expect(r.body.badRequest.message).toBe(message);
    }
    const bad = await t.http.put('/compute/v2.1/os-services/42').set(admin('2.53')).send({ status: 'enabled' });
    expect(bad.body.badRequest.message).toBe('Invalid uuid 42');
    const scheduler = (await t.http.get('/compute/v2.1/os-services?binary=nova-scheduler').set(admin('2.53'))).body
      .services[0];
    const notCompute = await t.http
      .put(`/compute/v2.1/os-services/${scheduler.id}`)
      .set(admin('2.53'))
      .send({ status: 'disabled' });
    expect(notCompute.body.badRequest.message).toBe(
      'Updating a nova-scheduler service is not supported. Only nova-compute services can be updated.',
    );
  });

  it('a host that stops answering turns down after two missed heartbeats', async () => {
    const fake = (await t.services.hosts.driverFor(second.id)) as unknown as { down: boolean };
    fake.down = true;
    const old = new Date(Date.now() - 3 * t.services.config.heartbeatIntervalSeconds * 1000).toISOString();
    await t.services.hostsRepo.update(second.id, { last_seen_at: old });
    await t.services.hostHealth.beat();
    const res = await t.http.get('/compute/v2.1/os-services?host=dock2').set(admin());
    expect(res.body.services[0].state).toBe('down');
    fake.down = false;
    await t.services.hostHealth.beat();
    const back = await t.http.get('/compute/v2.1/os-services?host=dock2').set(admin());
    expect(back.body.services[0].state).toBe('up');
  });

  it('delete: 409 while servers live on the host, 204 otherwise', async () => {
    const busy = await t.http.delete(`/compute/v2.1/os-services/${mainHost.uuid}`).set(admin('2.53'));
    expect(busy.status).toBe(409);
    expect(busy.body.conflictingRequest.message).toBe(
      'Unable to delete compute service that is hosting instances. Migrate or delete the instances first.',
    );
    const extra = await t.services.hosts.ensureHost('dock3', 'tcp://10.9.9.9:2375', 'nova');
    const del = await t.http.delete(`/compute/v2.1/os-services/${extra.id + 2}`).set(admin());
    expect(del.status).toBe(204);
    expect(await t.services.hostsRepo.findByName('dock3')).toBeUndefined();
  });
});

describe('os-hypervisors', () => {
  it('list 2.1: integer ids, host names, state and status', async () => {
    const res = await t.http.get('/compute/v2.1/os-hypervisors').set(admin());
    expect(res.status).toBe(200);
    expect(res.body.hypervisors).toEqual([
      { id: mainHost.id, hypervisor_hostname: mainHost.name, state: 'up', status: 'enabled' },
      { id: second.id, hypervisor_hostname: 'dock2', state: 'up', status: 'enabled' },
    ]);
  });

  it('detail: docker info capacity and the live servers placed there', async () => {
    const res = await t.http.get('/compute/v2.1/os-hypervisors/detail').set(admin());
    const h = res.body.hypervisors[0];
    // the fake engine reports 2 CPUs, 24 GiB, 100 GiB disk (80 free), version 20.10.24
    expect(h).toMatchObject({
      id: mainHost.id,
      hypervisor_hostname: mainHost.name,
      state: 'up',
      status: 'enabled',
      hypervisor_type: 'docker',
      hypervisor_version: 20010024,
      host_ip: '127.0.0.1',
      service: { id: mainHost.id + 2, host: mainHost.name, disabled_reason: null },
      vcpus: 2,
      memory_mb: 24576,
      local_gb: 100,
      vcpus_used: 3,
      memory_mb_used: 1536,
      local_gb_used: 11,
      free_ram_mb: 23040,
      free_disk_gb: 89,
      current_workload: 1,
      running_vms: 2,
      disk_available_least: 80,
    });
    expect(Object.keys(h)).toEqual([
      'id',
      'hypervisor_hostname',
      'state',
      'status',
      'hypervisor_type',
      'hypervisor_version',
      'host_ip',
      'service',
      'vcpus',
      'memory_mb',
      'local_gb',
      'vcpus_used',
      'memory_mb_used',
      'local_gb_used',
      'free_ram_mb',
      'free_disk_gb',
      'current_workload',
      'running_vms',
      'disk_available_least',
      'cpu_info',
    ]);
    expect(typeof h.cpu_info).toBe('string');
    expect(JSON.parse(h.cpu_info).topology.cores).toBe(2);
    expect(res.body.hypervisors[1]).toMatchObject({ host_ip: '10.1.2.3', running_vms: 0, vcpus_used: 0 });
    const r28 = await t.http.get('/compute/v2.1/os-hypervisors/detail').set(admin('2.28'));
    expect(typeof r28.body.hypervisors[0].cpu_info).toBe('object');
  });

  it('2.53: UUID ids, with_servers, hostname pattern', async () => {
    const res = await t.http
      .get('/compute/v2.1/os-hypervisors?with_servers=true&hypervisor_hostname_pattern=dock')
      .set(admin('2.53'));
    expect(res.body.hypervisors).toHaveLength(1);
    expect(res.body.hypervisors[0]).toMatchObject({ hypervisor_hostname: 'dock2', servers: [] });
    expect(res.body.hypervisors[0].id).toMatch(/^[0-9a-f-]{36}$/);
    const detail = await t.http.get('/compute/v2.1/os-hypervisors/detail?with_servers=1').set(admin('2.53'));
    expect(detail.body.hypervisors[0].servers.map((s: { name: string }) => s.name)).toEqual(['a', 'b']);
    expect(detail.body.hypervisors[0].service.id).toBe(mainHost.uuid);
    const none = await t.http.get('/compute/v2.1/os-hypervisors?hypervisor_hostname_pattern=zzz').set(admin('2.53'));
    expect(none.status).toBe(404);
    expect(none.body.itemNotFound.message).toBe("No hypervisor matching 'zzz' could be found.");
  });

  it('show by id (integer / uuid), paging from 2.33, statistics summed over hosts', async () => {
    const show = await t.http.get(`/compute/v2.1/os-hypervisors/${second.id}`).set(admin());
    expect(show.body.hypervisor.hypervisor_hostname).toBe('dock2');
    const uuid = (await t.http.get('/compute/v2.1/os-hypervisors').set(admin('2.53'))).body.hypervisors[0].id;
    const show53 = await t.http.get(`/compute/v2.1/os-hypervisors/${uuid}`).set(admin('2.53'));
    expect(show53.body.hypervisor.hypervisor_hostname).toBe(mainHost.name);
    expect((await t.http.get('/compute/v2.1/os-hypervisors/999').set(admin())).body.itemNotFound.message).toBe(
      "Hypervisor with ID '999' could not be found.",
    );
    expect((await t.http.get('/compute/v2.1/os-hypervisors/1').set(admin('2.53'))).body.badRequest.message).toBe(
      'Invalid uuid 1',
    );
    const page = await t.http.get('/compute/v2.1/os-hypervisors?limit=1').set(admin('2.33')).set('Host', 'h:1');
    expect(page.body.hypervisors).toHaveLength(1);
    expect(page.body.hypervisors_links).toEqual([
      { rel: 'next', href: `http://h:1/compute/v2.1/os-hypervisors?limit=1&marker=${mainHost.id}` },
    ]);
    const page2 = await t.http.get(`/compute/v2.1/os-hypervisors?limit=1&marker=${mainHost.id}`).set(admin('2.33'));
    expect(page2.body.hypervisors[0].hypervisor_hostname).toBe('dock2');
    const stats = await t.http.get('/compute/v2.1/os-hypervisors/statistics').set(admin());
    expect(stats.body).toEqual({
      hypervisor_statistics: {
        count: 2,
        vcpus: 4,
        memory_mb: 49152,
        local_gb: 200,
        vcpus_used: 3,
        memory_mb_used: 1536,
        local_gb_used: 11,
        free_ram_mb: 47616,
        free_disk_gb: 189,
        current_workload: 1,
        running_vms: 2,
        disk_available_least: 160,
      },
    });
  });

  it('search and servers below 2.53; uptime of the local engine; non-admin 403', async () => {
    const search = await t.http.get('/compute/v2.1/os-hypervisors/dock/search').set(admin());
    expect(search.body.hypervisors.map((h: { hypervisor_hostname: string }) => h.hypervisor_hostname)).toEqual([
      'dock2',
    ]);
    const servers = await t.http
      .get(`/compute/v2.1/os-hypervisors/${encodeURIComponent(mainHost.name)}/servers`)
      .set(admin());
    expect(servers.body.hypervisors[0].servers.map((s: { name: string }) => s.name)).toEqual(['a', 'b']);
    const up = await t.http.get(`/compute/v2.1/os-hypervisors/${mainHost.id}/uptime`).set(admin());
    expect(up.body.hypervisor.uptime).toMatch(/ up \d+ days, .*load average: /);
    const remote = await t.http.get(`/compute/v2.1/os-hypervisors/${second.id}/uptime`).set(admin());
    expect(remote.status).toBe(501);
    const denied = await t.http.get('/compute/v2.1/os-hypervisors/detail').set('X-Auth-Token', member.token);
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({
      forbidden: {
        code: 403,
        message: "Policy doesn't allow os_compute_api:os-hypervisors:list-detail to be performed.",
      },
    });
  });
});

describe('os-availability-zone', () => {
  it('detail (admin) lists the internal zone with the control services, and each host under its zone', async () => {
    const res = await t.http.get('/compute/v2.1/os-availability-zone/detail').set(admin());
    expect(res.status).toBe(200);
    const zones = res.body.availabilityZoneInfo;
    expect(zones.map((z: { zoneName: string }) => z.zoneName)).toEqual(['internal', 'nova', 'zone-b']);
    expect(Object.keys(zones[0].hosts[os.hostname()])).toEqual(['nova-conductor', 'nova-scheduler']);
    expect(zones[2].hosts.dock2['nova-compute']).toMatchObject({ available: true, active: true });
    const denied = await t.http.get('/compute/v2.1/os-availability-zone/detail').set('X-Auth-Token', member.token);
    expect(denied.status).toBe(403);
  });
});

describe('os-aggregates (read-only view of the zones)', () => {
  it('each non-default zone is an aggregate of its hosts with availability_zone metadata', async () => {
    const res = await t.http.get('/compute/v2.1/os-aggregates').set(admin());
    expect(res.status).toBe(200);
    expect(res.body.aggregates).toEqual([
      expect.objectContaining({
        id: 1,
        name: 'zone-b',
        availability_zone: 'zone-b',
        hosts: ['dock2'],
        metadata: { availability_zone: 'zone-b' },
        deleted: false,
      }),
    ]);
    const one = await t.http.get('/compute/v2.1/os-aggregates/1').set(admin('2.41'));
    expect(one.body.aggregate.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await t.http.get('/compute/v2.1/os-aggregates/9').set(admin())).status).toBe(404);
    expect((await t.http.get('/compute/v2.1/os-aggregates').set('X-Auth-Token', member.token)).status).toBe(403);
  });
});
