// Fast checks of the Docker driver's stream handling: NDJSON across chunk boundaries, event
// decoding, stdout/stderr demultiplexing, in-band progress errors, stats mapping, console tails.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { lineSplitter, parseJsonLine } from '../../src/virt/docker/ndjson.js';
import { toDriverEvent } from '../../src/virt/docker/events.js';
import { demux } from '../../src/virt/docker/docker-driver.js';
import { followProgress } from '../../src/virt/docker/docker-client.js';
import { toInstanceStats } from '../../src/virt/docker/stats.js';
import { lastLines } from '../../src/virt/driver.js';
import { DriverError } from '../../src/errors.js';

const frame = (stream: 1 | 2, text: string) => {
  const payload = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
};

describe('lineSplitter', () => {
  it('reassembles lines split at every possible byte, multi-byte characters included', () => {
    const text = '{"a":"é€😀"}\n{"b":2}\r\n\n{"c":3}';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const lines: string[] = [];
      const s = lineSplitter((l) => lines.push(l));
      s.push(bytes.subarray(0, cut));
      s.push(bytes.subarray(cut));
      s.flush();
      expect(lines).toEqual(['{"a":"é€😀"}', '{"b":2}', '{"c":3}']);
    }
  });

  it('byte by byte', () => {
    const lines: string[] = [];
    const s = lineSplitter((l) => lines.push(l));
    for (const b of Buffer.from('{"x":1}\n{"y":"ü"}\n')) s.push(Buffer.from([b]));
    s.flush();
    expect(lines.map(parseJsonLine)).toEqual([{ x: 1 }, { y: 'ü' }]);
  });

  it('parseJsonLine refuses garbage and non-objects', () => {
    expect(parseJsonLine('{"half":')).toBeUndefined();
    expect(parseJsonLine('[1,2]')).toBeUndefined();
    expect(parseJsonLine('42')).toBeUndefined();
  });
});

describe('toDriverEvent', () => {
  const base = {
    Type: 'container',
    Action: 'die',
    time: 1700000000,
    timeNano: 1700000000123456800, // as a JSON number arrives: beyond 2^53 the last digits are gone
    Actor: { ID: 'abc', Attributes: { 'io.novadock.instance-uuid': 'u-1', name: 'nova-u-1', exitCode: '137' } },
  };
  it('decodes uuid, action, time and exit code', () => {
    expect(toDriverEvent(base)).toEqual({
      instanceUuid: 'u-1',
      action: 'die',
      time: 1700000000123,
      exitCode: 137,
      containerId: 'abc',
    });
  });
  it('drops the detail after a colon and falls back to the container name', () => {
    const e = toDriverEvent({
      ...base,
      Action: 'exec_start: /bin/sh',
      Actor: { ID: 'abc', Attributes: { name: 'nova-u-2' } },
    });
    expect(e).toMatchObject({ instanceUuid: 'u-2', action: 'exec_start' });
    expect(e?.exitCode).toBeUndefined();
  });
  it('ignores network events and containers that are not ours', () => {
    expect(toDriverEvent({ ...base, Type: 'network' })).toBeUndefined();
    expect(toDriverEvent({ ...base, Actor: { ID: 'x', Attributes: { name: 'someone-else' } } })).toBeUndefined();
  });
});

describe('demux', () => {
  it('joins stdout and stderr frames and tolerates a frame cut short', () => {
    const buf = Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'tail-cut')]);
    expect(demux(buf).toString()).toBe('out\nerr\ntail-cut');
    expect(demux(buf.subarray(0, buf.length - 3)).toString()).toBe('out\nerr\ntail-');
    expect(demux(Buffer.alloc(0)).length).toBe(0);
  });
});

describe('followProgress', () => {
  it('turns an in-band {"error"} under a 200 into a DriverError', async () => {
    const s = new PassThrough();
    const p = followProgress(s, 'image load', 5000);
    s.write('{"status":"Loading layer"}\n{"errorDetail":{"message":"bad tar"},');
    s.end('"error":"Error processing tar file: bad tar"}\n');
    await expect(p).rejects.toThrow(/image load failed: Error processing tar file: bad tar/);
  });
  it('a stream that breaks before its end is a failure, not a success', async () => {
    const s = new PassThrough();
    const p = followProgress(s, 'image load', 5000);
    s.write('{"status":"Loading layer"}\n');
    s.destroy();
    const err = await p.catch((e) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err.kind).toBe('unavailable');
  });
  it('a stream that never ends times out', async () => {
    const s = new PassThrough();
    const err = await followProgress(s, 'image load', 50).catch((e) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err.kind).toBe('timeout');
  });
  it('resolves with every event on a clean end', async () => {
    const s = new PassThrough();
    const p = followProgress(s, 'image import', 5000);
    s.end('{"status":"sha256:abc"}');
    await expect(p).resolves.toEqual([{ status: 'sha256:abc' }]);
  });
});

describe('toInstanceStats', () => {
  it('maps cgroup v1 stats, subtracting page cache, with networks and uptime', () => {
    const s = toInstanceStats(
      {
        cpu_stats: { cpu_usage: { total_usage: 3000, percpu_usage: [1000, 2000] }, online_cpus: 2 },
        memory_stats: { usage: 10_000, limit: 64 * 1024 * 1024, stats: { cache: 4000 } },
        networks: { eth0: { rx_bytes: 10, rx_packets: 1, tx_bytes: 20, tx_packets: 2 } },
      },
      '2026-01-01T00:00:00Z',
      true,
      Date.parse('2026-01-01T00:01:30Z'),
    );
    expect(s).toEqual({
      cpuTimeNs: 3000,
      memoryUsedBytes: 6000,
      memoryLimitBytes: 64 * 1024 * 1024,
      onlineCpus: 2,
      perCpuNs: [1000, 2000],
      networks: {
        eth0: {
          rxBytes: 10,
          rxPackets: 1,
          rxErrors: 0,
          rxDropped: 0,
          txBytes: 20,
          txPackets: 2,
          txErrors: 0,
          txDropped: 0,
        },
      },
      uptimeSeconds: 90,
    });
    expect(toInstanceStats({}, null, false, 0)).toMatchObject({
      cpuTimeNs: 0,
      perCpuNs: [],
      networks: {},
      uptimeSeconds: 0,
    });
  });
});

describe('lastLines', () => {
  it('keeps the last n lines, each ending in a newline', () => {
    expect(lastLines('a\nb\nc\n', 2)).toBe('b\nc\n');
    expect(lastLines('a\nb\nc', 1)).toBe('c\n');
    expect(lastLines('a\nb\n', 0)).toBe('');
    expect(lastLines('a\nb\n', 10)).toBe('a\nb\n');
    expect(lastLines('a\nb', undefined)).toBe('a\nb');
  });
});
