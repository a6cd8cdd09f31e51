// The scheduler's filters (enabled, up, availability zone, RAM and vCPU fit) and weigher (free RAM).
import { describe, expect, it } from 'vitest';
import { Scheduler, NoValidHost, RAM_ALLOCATION_RATIO } from '../../src/compute/hosts/scheduler.js';
import type { ComputeHostRow } from '../../src/db/repositories/hosts-repo.js';
import type { InstancesRepo } from '../../src/db/repositories/instances-repo.js';

const GiB = 1024 ** 3;
function host(id: number, o: Partial<ComputeHostRow> & { cpus?: number; memGiB?: number } = {}): ComputeHostRow {
  return {
    id,
    uuid: `u${id}`,
    name: `h${id}`,
    docker_url: 'unix:///x',
    availability_zone: 'nova',
    disabled: false,
    disabled_reason: null,
    forced_down: false,
    last_seen_at: new Date().toISOString(),
    created_at: '',
    updated_at: null,
    info: JSON.stringify({ cpus: o.cpus ?? 2, memoryBytes: (o.memGiB ?? 4) * GiB }),
    ...o,
  };
}
function scheduler(
  hosts: ComputeHostRow[],
  used: Record<number, { vcpus: number; memoryMb: number }> = {},
  up: (h: ComputeHostRow) => boolean = () => true,
) {
  const instances = {
    usageByHost: async () => new Map(Object.entries(used).map(([k, v]) => [Number(k), { ...v, count: 1 }])),
  } as unknown as InstancesRepo;
  return new Scheduler({ list: async () => hosts }, instances, { isUp: up });
}
const spec = { memoryMb: 512, vcpus: 1, availabilityZone: null };

describe('Scheduler', () => {
  it('weighs by free RAM (most free wins), counting what servers already use', async () => {
    const s = scheduler([host(1, { memGiB: 8 }), host(2, { memGiB: 8 })], { 1: { vcpus: 1, memoryMb: 2048 } });
    expect((await s.selectHost(spec)).id).toBe(2);
  });
  it('filters disabled, forced-down and down hosts, and the availability zone', async () => {
    const hosts = [
      host(1, { disabled: true }),
      host(2, { forced_down: true }),
      host(3),
      host(4, { availability_zone: 'az2' }),
    ];
    expect((await scheduler(hosts, {}, (h) => h.id !== 3).selectHost(spec)).id).toBe(4);
    expect((await scheduler(hosts).selectHost({ ...spec, availabilityZone: 'nova' })).id).toBe(3);
    await expect(scheduler(hosts).selectHost({ ...spec, availabilityZone: 'az9' })).rejects.toBeInstanceOf(NoValidHost);
  });
  it('RAM and vCPU must fit (with the allocation ratios)', async () => {
    const small = host(1, { memGiB: 1, cpus: 1 });
    const cap = 1024 * RAM_ALLOCATION_RATIO;
    await expect(scheduler([small]).selectHost({ ...spec, memoryMb: cap + 1 })).rejects.toThrow(
      'No valid host was found. There are not enough hosts available.',
    );
    expect((await scheduler([small]).selectHost({ ...spec, memoryMb: cap })).id).toBe(1);
    await expect(scheduler([small]).selectHost({ ...spec, vcpus: 17 })).rejects.toBeInstanceOf(NoValidHost);
  });
  it('a requested host (2.74) is the only candidate', async () => {
    const s = scheduler([host(1, { memGiB: 64 }), host(2)]);
    expect((await s.selectHost({ ...spec, onlyHostId: 2 })).id).toBe(2);
  });
});
