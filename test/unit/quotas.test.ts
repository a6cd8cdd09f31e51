import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertInstanceRow } from '../helpers/instance-rows.js';
import { QuotaExceeded } from '../../src/errors.js';
import { createKnex } from '../../src/db/connect.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { createServices, type Services } from '../../src/composition/services.js';
import { testConfig } from '../../src/config.js';
import { systemClock } from '../../src/db/time.js';
import { fakeDriverFactory } from '../../src/virt/factory.js';
import { sql } from '../../src/db/sql.js';

// The services alone on a migrated :memory: database (no HTTP needed here).
let t: { services: Services };
beforeAll(async () => {
  const db = createKnex('sqlite://:memory:');
  await migrateLatest(db);
  t = {
    services: createServices({ config: testConfig(), db, clock: systemClock, driverFactory: fakeDriverFactory() }),
  };
});
afterAll(async () => {
  await t.services.db.destroy();
});

describe('QuotaService', () => {
  it("defaults are Nova's", async () => {
    const d = await t.services.quotas.limitsFor('p-defaults');
    expect(d).toMatchObject({
      instances: 10,
      cores: 20,
      ram: 51200,
      metadata_items: 128,
      key_pairs: 100,
      server_groups: 10,
      server_group_members: 10,
      injected_files: 5,
      injected_file_content_bytes: 10240,
      injected_file_path_bytes: 255,
    });
  });

  it("counts live instances only and refuses the 11th with Nova's message", async () => {
    const db = sql(t.services.db);
    for (let i = 0; i < 10; i++) await insertInstanceRow(db, { projectId: 'p-full', vcpus: 1, memoryMb: 256 });
    await insertInstanceRow(db, { projectId: 'p-full', vcpus: 8, memoryMb: 8192, deleted: true });
    expect(await t.services.quotas.usage('p-full')).toEqual({ instances: 10, cores: 10, ram: 2560, server_groups: 0 });
    const err = await db
      .transaction((trx) => t.services.quotas.assertCanCreate(trx, 'p-full', { instances: 1, cores: 1, ramMb: 256 }))
      .catch((e) => e);
    expect(err).toBeInstanceOf(QuotaExceeded);
    expect(err.status).toBe(403);
    expect(err.message).toBe('Quota exceeded for instances: Requested 1, but already used 10 of 10 instances');
  });

  it('names every resource over quota, sorted, with joined figures', async () => {
    const db = sql(t.services.db);
    await insertInstanceRow(db, { projectId: 'p-big', vcpus: 16, memoryMb: 40960 });
    const err = await db
      .transaction((trx) => t.services.quotas.assertCanCreate(trx, 'p-big', { instances: 1, cores: 8, ramMb: 16384 }))
      .catch((e) => e);
    expect(err.message).toBe(
      'Quota exceeded for cores, ram: Requested 8, 16384, but already used 16, 40960 of 20, 51200 cores, ram',
    );
  });

  it('multi-create gets as many as fit between min and max', async () => {
    const db = sql(t.services.db);
    for (let i = 0; i < 7; i++) await insertInstanceRow(db, { projectId: 'p-multi' });
    const n = await db.transaction((trx) =>
      t.services.quotas.allowedInstances(trx, 'p-multi', { min: 1, max: 5, vcpus: 1, memoryMb: 512 }),
    );
    expect(n).toBe(3);
    const err = await db
      .transaction((trx) =>
        t.services.quotas.allowedInstances(trx, 'p-multi', { min: 4, max: 5, vcpus: 1, memoryMb: 512 }),
      )
      .catch((e) => e);
    expect(err.message).toBe('Quota exceeded for instances: Requested 4-5, but already used 7 of 10 instances');
  });

  it('project limits override defaults; -1 is unlimited; resize checks the increase only', async () => {
    const db = sql(t.services.db);
    const repoNow = new Date().toISOString();
    await db('quotas').insert([
      { project_id: 'p-own', resource: 'instances', hard_limit: -1, created_at: repoNow },
      { project_id: 'p-own', resource: 'cores', hard_limit: 4, created_at: repoNow },
    ]);
    for (let i = 0; i < 12; i++)
      await insertInstanceRow(db, { projectId: 'p-own', vcpus: i < 3 ? 1 : 0, memoryMb: 64 });
    await db.transaction((trx) =>
      t.services.quotas.assertCanCreate(trx, 'p-own', { instances: 1, cores: 1, ramMb: 64 }),
    );
    await db.transaction((trx) => t.services.quotas.assertCanResize(trx, 'p-own', { cores: -2, ramMb: 100 }));
    const err = await db
      .transaction((trx) => t.services.quotas.assertCanResize(trx, 'p-own', { cores: 2, ramMb: 0 }))
      .catch((e) => e);
    expect(err.message).toBe('Quota exceeded for cores: Requested 2, but already used 3 of 4 cores');
  });
});

describe('HostHealth.isUp', () => {
  it('with the heartbeat running, a host unseen for more than two intervals is down; forced down always is', async () => {
    const { HostHealth } = await import('../../src/compute/hosts/host-health.js');
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = { now: () => new Date(now) };
    const h = new HostHealth(t.services.hosts, t.services.hostsRepo, clock, 10);
    h.start();
    try {
      const seen = { last_seen_at: '2026-01-01T00:00:00.000Z', forced_down: false };
      now += 20_000;
      expect(h.isUp(seen)).toBe(true);
      now += 1;
      expect(h.isUp(seen)).toBe(false);
      expect(h.isUp({ ...seen, last_seen_at: new Date(now).toISOString(), forced_down: true })).toBe(false);
      expect(h.isUp({ last_seen_at: null, forced_down: false })).toBe(false);
    } finally {
      await h.stop();
    }
  });

  it('without the periodic heartbeat, age counts to the last round run, not to now', async () => {
    const { HostHealth } = await import('../../src/compute/hosts/host-health.js');
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = { now: () => new Date(now) };
    const h = new HostHealth(t.services.hosts, t.services.hostsRepo, clock, 10);
    await t.services.hosts.ensureHost('unit-host', 'unix:///var/run/docker.sock', 'nova');
    await h.beat();
    const row = (await t.services.hostsRepo.list())[0];
    now += 3_600_000;
    expect(h.isUp(row)).toBe(true);
  });
});
