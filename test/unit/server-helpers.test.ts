// Small pure helpers of the servers area: Nova's hostname sanitising, image/flavor refs as links,
// os_command_line splitting, the API status from (vm_state, task_state).
import { describe, expect, it } from 'vitest';
import { lastPathSegment, sanitizeHostname } from '../../src/compute/servers/compute-api.js';
import { isUuidLike } from '../../src/contract/parameter-types.js';
import { splitCommand } from '../../src/worker/manager/build.js';
import { hostIdOf, instanceName } from '../../src/api/compute/servers/views/servers.js';

describe('sanitizeHostname (nova utils.sanitize_hostname)', () => {
  it('lowercases, turns spaces, underscores and dots into dashes, drops the rest', () => {
    expect(sanitizeHostname('My Web_Server.1', 'u')).toBe('my-web-server-1');
    expect(sanitizeHostname('--ok!!--', 'u')).toBe('ok');
    expect(sanitizeHostname('Ünïcode', 'u')).toBe('unicode');
  });
  it('at most 63 characters, never ending in a dash; empty → server-<uuid>', () => {
    expect(sanitizeHostname('a'.repeat(62) + '-b', 'u')).toBe('a'.repeat(62));
    expect(sanitizeHostname('!!!', '1234')).toBe('server-1234');
  });
});

describe('refs and ids', () => {
  it('imageRef/flavorRef may be links', () => {
    expect(lastPathSegment('http://h/compute/flavors/1')).toBe('1');
    expect(lastPathSegment('http://h/compute/images/abc/')).toBe('abc');
    expect(lastPathSegment('m1.tiny')).toBe('m1.tiny');
  });
  it('uuid-like ids', () => {
    expect(isUuidLike('e7fcd042-8afe-4d09-9b31-7a578ccb7ff1')).toBe(true);
    expect(isUuidLike('test')).toBe(false);
  });
});

describe('splitCommand (image property os_command_line)', () => {
  it('splits like a shell, with quotes', () => {
    expect(splitCommand(`sh -c 'sleep 1; echo "x"'`)).toEqual(['sh', '-c', 'sleep 1; echo "x"']);
    expect(splitCommand(`echo "a \\"b\\"" c`)).toEqual(['echo', 'a "b"', 'c']);
  });
});

describe('view helpers', () => {
  it('hostId is sha224(project + host), "" without a host; instance-%08x', () => {
    expect(hostIdOf('p', null)).toBe('');
    expect(hostIdOf('p', 'h')).toMatch(/^[0-9a-f]{56}$/);
    expect(hostIdOf('p', 'h')).not.toBe(hostIdOf('q', 'h'));
    expect(instanceName({ id: 187 })).toBe('instance-000000bb');
  });
});
