// Microversion 2.86: POST /flavors/{id}/os-extra_specs and PUT …/os-extra_specs/{key} validate
// the specs of Nova's known namespaces with Nova's 400 messages (nova validators.py, base.py);
// other namespaces and keys without one stay free, and before 2.86 anything goes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';

const P = '/compute/v2.1';
let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => {
  await t.close();
});

const post = (flavorId: string, specs: Record<string, unknown>, mv = '2.86') =>
  t.http
    .post(`${P}/flavors/${flavorId}/os-extra_specs`)
    .set('X-Auth-Token', t.adminToken)
    .set('OpenStack-API-Version', `compute ${mv}`)
    .send({ extra_specs: specs });
const put = (flavorId: string, key: string, body: Record<string, unknown>, mv = '2.86') =>
  t.http
    .put(`${P}/flavors/${flavorId}/os-extra_specs/${encodeURIComponent(key)}`)
    .set('X-Auth-Token', t.adminToken)
    .set('OpenStack-API-Version', `compute ${mv}`)
    .send(body);
const storedSpecs = async (flavorId: string) =>
  (await t.http.get(`${P}/flavors/${flavorId}/os-extra_specs`).set('X-Auth-Token', t.adminToken)).body.extra_specs;

let seq = 0;
async function newFlavor(): Promise<string> {
  const res = await t.http
    .post(`${P}/flavors`)
    .set('X-Auth-Token', t.adminToken)
    .send({ flavor: { name: `esv-${++seq}`, ram: 64, vcpus: 1, disk: 0 } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.flavor.id as string;
}

/** POSTs one spec at 2.86 and returns the 400 message, failing if the answer is not a 400. */
async function rejection(key: string, value: unknown): Promise<string> {
  const res = await post(await newFlavor(), { [key]: value });
  expect(res.status, `${key}=${String(value)}: ${JSON.stringify(res.body)}`).toBe(400);
  return res.body.badRequest.message as string;
}

describe('2.86: known specs with good values are stored', () => {
  it('accepts a spec of every known namespace, JSON numbers included', async () => {
    const id = await newFlavor();
    const specs = {
      'hw:cpu_policy': 'dedicated',
      'hw:cpu_thread_policy': 'isolate',
      'hw:numa_nodes': 2,
      'hw:numa_cpus.0': '0-1,^1',
      'hw:numa_mem.0': '512',
      'hw:mem_page_size': '2MB',
      'hw:cpu_realtime': 'true',
      'hw:cpu_realtime_mask': '^0',
      'hw:pmem': 'SMALL,LARGE',
      'hw:watchdog_action': 'reset',
      'hw:ephemeral_encryption_format': 'luksv2',
      'hw_rng:allowed': 'YES',
      'hw_rng:rate_bytes': ' 1_024 ',
      'hw_video:ram_max_mb': '0',
      'os:monitors': 8,
      'os:vram': '256',
      'quota:cpu_quota': '-1',
      'quota:disk_read_bytes_sec': '10240',
      'quota:vif_shares_level': 'custom',
      'resources:VCPU': '1',
      'resources1:CUSTOM_GPU': '2',
      'trait:HW_CPU_X86_AVX2': 'required',
      'trait_grp:CUSTOM_FOO': 'forbidden',
      'capabilities:hypervisor_type': 's== QEMU',
      'capabilities:cpu_info:features': '<in> aes',
      'aggregate_instance_extra_specs:ssd': 'true',
      'accel:device_profile': 'fpga-1',
      'pci_passthrough:alias': 'a1:2, b:1',
      'vmware:hw_version': 'vmx-13',
      group_policy: 'isolate',
      hide_hypervisor_id: 'false',
    };
    const res = await post(id, specs);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ extra_specs: specs });
    const stored = await storedSpecs(id);
    expect(stored).toMatchObject({
      'hw:numa_nodes': '2',
      'hw:cpu_realtime': 'true',
      'os:monitors': '8',
      'trait:HW_CPU_X86_AVX2': 'required',
    });
    expect(Object.keys(stored)).toHaveLength(Object.keys(specs).length);
  });

  it('PUT of a known spec with a good value', async () => {
    const id = await newFlavor();
    const res = await put(id, 'hw:cpu_policy', { 'hw:cpu_policy': 'mixed' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await storedSpecs(id)).toEqual({ 'hw:cpu_policy': 'mixed' });
  });
});

describe('2.86: keys outside the known namespaces are free', () => {
  it('accepts other namespaces (novadock:pids_limit, which the manager applies; powervm:, gone in Zed) and keys without one', async () => {
    const id = await newFlavor();
    const specs = {
      'novadock:pids_limit': '64',
      'powervm:proc_units': 'anything',
      'foo:bar': 'baz',
      'hw-x:y': 'z',
      plain: 'value',
    };
    const res = await post(id, specs);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await storedSpecs(id)).toEqual(specs);
    expect((await put(id, 'foo:bar', { 'foo:bar': 'qux' })).status).toBe(200);
  });
});

describe('2.86: unknown keys in a known namespace are a 400', () => {
  it.each([
    'hw:foo',
    'hw_rng:speed',
    'quota:cpu_bogus',
    'os:colour',
    'capabilities:nope',
    'vmware:x',
    'accel:other',
    'trait:NOT_A_TRAIT',
    'resources:custom_lower',
    'resources_g1:BOGUS',
    'trait1:NOPE',
  ])('%s', async (key) => {
    expect(await rejection(key, 'x')).toBe(
      `Validation failed; extra spec '${key}' does not appear to be a valid extra spec.`,
    );
  });
});

describe('2.86: bad values are a 400 with Nova message', () => {
  it.each([
    ['hw:numa_nodes', '0', "Validation failed; '0' is less than the min value of '1'."],
    ['hw:numa_nodes', 'foo', "Validation failed; 'foo' is not a valid integer value."],
    ['hw:numa_nodes', 2.5, "Validation failed; '2.5' is not a valid integer value."],
    ['hw:numa_nodes', '1.5', "Validation failed; '1.5' is not a valid integer value."],
    ['os:monitors', ' 09 ', "Validation failed; '9' is greater than the max value of '8'."],
    ['quota:cpu_shares', -5, "Validation failed; '-5' is less than the min value of '0'."],
    ['hw:cpu_policy', 'bogus', "Validation failed; 'bogus' is not one of: dedicated, shared, mixed."],
    ['trait:HW_CPU_X86_AVX2', 'yes', "Validation failed; 'yes' is not one of: required, forbidden."],
    ['os:vram', 100, "Validation failed; '100' is not one of: 64, 128, 256, 512, 1024."],
    ['hw:cpu_realtime', 'maybe', "Validation failed; 'maybe' is not a valid boolean-like value."],
    ['hide_hypervisor_id', 2, "Validation failed; '2' is not a valid boolean-like value."],
    [
      'hw:cpu_realtime_mask',
      '0-',
      String.raw`Validation failed; '0-' is not of the format '(\^)?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*'.`,
    ],
    [
      'hw:numa_cpus.1',
      'a',
      String.raw`Validation failed; 'a' is not of the format '\^?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*'.`,
    ],
    [
      'pci_passthrough:alias',
      'a1',
      String.raw`Validation failed; 'a1' is not of the format '[^:]+:\d+(?:\s*,\s*[^:]+:\d+)*'.`,
    ],
    ['hw:pmem', 'A,,B', "Validation failed; 'A,,B' is not of the format '([a-zA-Z0-9_]+(,)?)+'."],
  ])('%s=%s', async (key, value, message) => {
    expect(await rejection(key, value)).toBe(message);
  });

  it('stores nothing when one spec of the body is bad, and validates before looking the flavor up', async () => {
    const id = await newFlavor();
    const res = await post(id, { 'hw:numa_nodes': '1', 'hw:cpu_policy': 'bogus', 'foo:bar': 'x' });
    expect(res.status).toBe(400);
    expect(await storedSpecs(id)).toEqual({});
    const missing = await post('no-such-flavor', { 'hw:cpu_policy': 'bogus' });
    expect(missing.status).toBe(400);
    expect((await post('no-such-flavor', { 'hw:cpu_policy': 'shared' })).status).toBe(404);
  });

  it('PUT: a bad value is a 400 (checked before the key-and-URI mismatch), at latest too', async () => {
    const id = await newFlavor();
    const bad = await put(id, 'hw:cpu_policy', { 'hw:cpu_policy': 'bogus' });
    expect(bad.status).toBe(400);
    expect(bad.body.badRequest.message).toBe("Validation failed; 'bogus' is not one of: dedicated, shared, mixed.");
    const mismatch = await put(id, 'other', { 'hw:foo': 'x' }, 'latest');
    expect(mismatch.body.badRequest.message).toBe(
      "Validation failed; extra spec 'hw:foo' does not appear to be a valid extra spec.",
    );
    const goodMismatch = await put(id, 'other', { 'hw:cpu_policy': 'shared' });
    expect(goodMismatch.body.badRequest.message).toBe('Request body and URI mismatch');
    expect(await storedSpecs(id)).toEqual({});
  });
});

describe('before 2.86 anything goes', () => {
  it('2.85 stores unknown keys and bad values of known namespaces, by POST and by PUT', async () => {
    const id = await newFlavor();
    const specs = { 'hw:foo': 'bar', 'hw:cpu_policy': 'bogus', 'hw:numa_nodes': '0', 'trait:NOPE': 'maybe' };
    const res = await post(id, specs, '2.85');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await put(id, 'os:monitors', { 'os:monitors': '99' }, '2.85')).status).toBe(200);
    expect(await storedSpecs(id)).toEqual({ ...specs, 'os:monitors': '99' });
  });
  it('and so does the default 2.1', async () => {
    const id = await newFlavor();
    const res = t.http
      .post(`${P}/flavors/${id}/os-extra_specs`)
      .set('X-Auth-Token', t.adminToken)
      .send({ extra_specs: { 'hw:cpu_policy': 'bogus' } });
    expect((await res).status).toBe(200);
  });
});
