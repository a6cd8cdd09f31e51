// The instance pages that need Nova's Neutron ports, in the real Horizon in a real browser, against a
// novadock on the real Docker Engine: Launch Instance on a network of the test's own (not `private`) and
// with an existing port (Network Ports step), the instance's addresses in the Instances list and its
// Interfaces tab; the row actions Associate / Disassociate Floating IP, Attach / Detach Interface and Edit
// Security Groups. Every step is checked in Horizon's page, in novadock's API and in the container
// (`docker inspect`: the endpoints and their addresses).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  horizonLogTail,
  hostIn,
  deleteServers,
  startHorizonEnv,
  uploadTestImage,
  waitForServer,
  type HorizonEnv,
  type Visit,
  openLaunchWizard,
} from './harness.js';
import { docker } from '../helpers/docker-app.js';

let env: HorizonEnv;
const servers: string[] = [];
const V2 = '/networking/v2.0';
let blue = { net: '', subnet: '', cidr: '' }; // the network Launch Instance picks
let green = { net: '', subnet: '', cidr: '' }; // the network Attach Interface picks
let portId = ''; // an existing port on `private`, picked in the Network Ports step
let portIp = '';
let id = ''; // the launched server
let blueIp = '';

function expectClean(v: Visit): void {
  const why = `${v.path}: status ${v.status}, 5xx ${JSON.stringify(v.serverErrors)}, alerts ${JSON.stringify(v.errorAlerts)} (screenshot ${v.screenshot})\n${v.serverErrors.length ? horizonLogTail(env) : ''}`;
  expect(v.status, why).toBe(200);
  expect(v.serverErrors, why).toEqual([]);
  expect(v.errorAlerts, why).toEqual([]);
}
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
const row = () => env.page.locator(`#instances__row__${id}`);
/** The messages Horizon shows after a form (success and errors), after a screenshot. */
async function messages(shot: string): Promise<string[]> {
  await env.page.waitForLoadState('networkidle').catch(() => undefined);
  await env.shot(shot);
  return (await env.page.locator('.messages .alert').allInnerTexts()).map(squash);
}
/** Opens a row action's form or dialog (from the row's menu when it is in there) on the Instances page. */
async function openRowAction(name: string, form = true): Promise<void> {
  expectClean(await env.visit('/project/instances/', `before-${name}`));
  const button = env.page.locator(`#instances__row_${id}__action_${name}`);
  if (!(await button.isVisible())) await row().locator('.dropdown-toggle').first().click();
  await button.click();
  if (form) await env.page.locator('.modal form').first().waitFor();
}
/** Submits the open modal form and waits for the page it leads to. */
async function submit(): Promise<void> {
  await Promise.all([
    env.page.waitForNavigation({ timeout: 60_000 }),
    env.page.locator('.modal .btn-primary[type=submit]').first().click(),
  ]);
}
/** Picks an option of a themable select by its label (Horizon hides the <select>). */
const choose = (select: string, label: string | RegExp) =>
  env.page
    .locator(`${select} option`, { hasText: label })
    .first()
    .getAttribute('value')
    .then((v) => env.page.selectOption(select, v, { force: true }));
/** The container's endpoints: Docker network name → its IPv4 address. */
function endpoints(): Record<string, string> {
  const raw = docker('inspect', '-f', '{{json .NetworkSettings.Networks}}', `nova-${id}`);
  return Object.fromEntries(
    Object.entries(JSON.parse(raw) as Record<string, { IPAddress: string }>).map(([k, v]) => [k, v.IPAddress]),
  );
}
const ports = async (q: string) => (await env.api('GET', `${V2}/ports?${q}`)).body.ports as any[];
const interfaces = async () =>
  (await env.api('GET', `/compute/v2.1/servers/${id}/os-interface`)).body.interfaceAttachments as any[];
/** Waits until the API says so (attach, detach and association are asynchronous for Horizon's view). */
async function until<T>(what: string, f: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
async function makeNetwork(name: string, cidr: string): Promise<{ net: string; subnet: string; cidr: string }> {
  const net = await env.api('POST', `${V2}/networks`, { network: { name } });
  expect(net.status, JSON.stringify(net.body)).toBe(201);
  const sub = await env.api('POST', `${V2}/subnets`, {
    subnet: { name: `${name}-subnet`, network_id: net.body.network.id, ip_version: 4, cidr },
  });
  expect(sub.status, JSON.stringify(sub.body)).toBe(201);
  return { net: net.body.network.id, subnet: sub.body.subnet.id, cidr };
}

beforeAll(async () => {
  env = await startHorizonEnv('instance-net');
  blue = await makeNetwork('hz-blue', env.spareCidrs[2]); // network.test.ts takes the first two
  green = await makeNetwork('hz-green', env.spareCidrs[3]);
  const privateNet = (await env.api('GET', `${V2}/networks?name=private`)).body.networks[0].id;
  const port = await env.api('POST', `${V2}/ports`, { port: { name: 'hz-port', network_id: privateNet } });
  expect(port.status, JSON.stringify(port.body)).toBe(201);
  portId = port.body.port.id;
  portIp = port.body.port.fixed_ips[0].ip_address;
  const sg = await env.api('POST', `${V2}/security-groups`, { security_group: { name: 'hz-web' } });
  expect(sg.status).toBe(201);
  await uploadTestImage(env, 'busybox');
  await env.login();
}, 900_000);

afterAll(async () => {
  await deleteServers(env, servers);
  for (const n of [blue.net, green.net].filter(Boolean))
    await env?.api('DELETE', `${V2}/networks/${n}`).catch(() => undefined);
  await env?.close();
}, 120_000);

describe('Horizon instance networking on real containers', () => {
  it('launches an instance on a network of its own plus an existing port, and shows both addresses', async () => {
    expectClean(await env.visit('/project/instances/', 'instances-before-launch'));
    const page = env.page;
    const { step, allocate } = await openLaunchWizard(env, 'hz-netlaunch');
    await allocate(await step('Source'), 'busybox');
    await allocate(await step('Flavor'), 'm1.tiny');
    const nets = await step('Networks');
    await allocate(nets, 'hz-blue');
    expect(squash(await nets.locator('table').first().innerText())).toContain('hz-blue');
    await env.shot('launch-networks');
    const portsStep = await step('Network Ports');
    await portsStep.locator('tr', { hasText: 'hz-port' }).first().waitFor();
    await allocate(portsStep, 'hz-port');
    expect(squash(await portsStep.locator('table').first().innerText())).toContain('hz-port');
    await env.shot('launch-ports');
    await page.click('.modal-footer button.btn-primary');
    await page.locator('.modal').waitFor({ state: 'detached' });
    for (let i = 0; i < 40 && !id; i++, await page.waitForTimeout(250))
      id = (await env.api('GET', '/compute/v2.1/servers?name=hz-netlaunch')).body.servers[0]?.id ?? '';
    expect(id).not.toBe('');
    servers.push(id);
    const server = await waitForServer(env, id, (s) => s.status === 'ACTIVE', 90_000);
    blueIp = server.addresses['hz-blue']?.[0]?.addr;
    expect(blueIp, JSON.stringify(server.addresses)).toBe(hostIn(blue.cidr, 2)); // the lowest free: .1 is the gateway
    expect(server.addresses.private.map((x: { addr: string }) => x.addr)).toEqual([portIp]);
    expect((await ports(`device_id=${id}`)).map((p) => p.id)).toContain(portId);
    const eps = Object.values(endpoints());
    expect(eps).toEqual(expect.arrayContaining([blueIp, portIp]));
    expectClean(await env.visit('/project/instances/', 'instances-launched'));
    const text = squash(await row().innerText());
    for (const t of ['hz-netlaunch', blueIp, portIp, 'Active', 'Running']) expect(text).toContain(t);
    expectClean(await env.visit(`/project/instances/${id}/?tab=instance_details__interfaces`, 'launched-interfaces'));
    const ifaces = squash(await env.page.locator('#instance_details__interfaces').innerText());
    for (const t of ['hz-blue', blueIp, 'private', portIp]) expect(ifaces).toContain(t);
  });

  it('associates a floating IP from the row action and disassociates it, then the same from Floating IPs', async () => {
    const fip = await env.api('POST', `${V2}/floatingips`, {
      floatingip: { floating_network_id: (await env.api('GET', `${V2}/networks?name=public`)).body.networks[0].id },
    });
    expect(fip.status).toBe(201);
    const address = fip.body.floatingip.floating_ip_address as string;
    await openRowAction('associate');
    await choose('#id_ip_id', address);
    // the targets are the instance's addresses that a router joins to public: the port on `private`
    const targets = await env.page.locator('#id_port_id option').allInnerTexts();
    expect(targets.join(' | ')).toContain(portIp);
    await choose('#id_port_id', portIp);
    await env.shot('associate-form');
    await submit();
    expect(await messages('associated')).toEqual([`Success: IP address ${address} associated.`]);
    const associated = (await env.api('GET', `${V2}/floatingips/${fip.body.floatingip.id}`)).body.floatingip;
    expect(associated).toMatchObject({ port_id: portId, fixed_ip_address: portIp });
    expect(Object.values(endpoints())).toContain(address);
    expectClean(await env.visit('/project/instances/', 'instances-floating'));
    expect(squash(await row().innerText())).toContain(address);

    await openRowAction('disassociate');
    await choose('#id_fip', address);
    await env.shot('disassociate-form');
    await submit();
    expect(await messages('disassociated')).toEqual([`Success: Successfully disassociated floating IP ${address}`]);
    expect((await env.api('GET', `${V2}/floatingips/${fip.body.floatingip.id}`)).body.floatingip.port_id).toBeNull();
    expect(Object.values(endpoints())).not.toContain(address);
    expectClean(await env.visit('/project/instances/', 'instances-floating-gone'));
    expect(squash(await row().innerText())).not.toContain(address);

    // the same from Network → Floating IPs: Associate lists every port of the project a router joins to public
    expectClean(await env.visit('/project/floating_ips/', 'fip-panel-before'));
    const fipRow = env.page.locator('#floating_ips tbody tr', { hasText: address });
    await fipRow.locator('a', { hasText: 'Associate' }).click();
    await env.page.locator('.modal form').first().waitFor();
    await choose('#id_port_id', `hz-netlaunch: ${portIp}`);
    await env.shot('fip-panel-associate-form');
    await submit();
    expect(await messages('fip-panel-associated')).toEqual([`Success: IP address ${address} associated.`]);
    expect(squash(await fipRow.innerText())).toContain(`hz-netlaunch ${portIp} public Active`);
    expect(Object.values(endpoints())).toContain(address);
    if (!(await fipRow.locator('button', { hasText: 'Disassociate' }).isVisible()))
      await fipRow.locator('.dropdown-toggle').click();
    await fipRow.locator('button', { hasText: 'Disassociate' }).click();
    const confirm = env.page.locator('.modal-footer .btn-danger');
    await Promise.all([env.page.waitForNavigation({ timeout: 60_000 }), confirm.click()]);
    expect(await messages('fip-panel-disassociated')).toEqual([
      `Success: Successfully disassociated Floating IP: ${address}`,
    ]);
    expect((await env.api('GET', `${V2}/floatingips/${fip.body.floatingip.id}`)).body.floatingip.port_id).toBeNull();
    expect(Object.values(endpoints())).not.toContain(address);
    await env.api('DELETE', `${V2}/floatingips/${fip.body.floatingip.id}`);
  });

  it('attaches an interface on another network with a fixed IP, and detaches it', async () => {
    const fixed = hostIn(green.cidr, 23);
    await openRowAction('attach_interface');
    await choose('#id_specification_method', 'by Network (and IP address)');
    await choose('#id_network', 'hz-green');
    await env.page.fill('#id_fixed_ip', fixed);
    await env.shot('attach-interface-form');
    await submit();
    expect(await messages('attached')).toEqual([`Success: Attaching interface for instance ${id}.`]);
    const attached = await until('the attached interface', interfaces, (l) => l.some((i) => i.net_id === green.net));
    const greenPort = attached.find((i) => i.net_id === green.net)!;
    expect(greenPort.fixed_ips).toEqual([{ subnet_id: green.subnet, ip_address: fixed }]);
    expect(Object.values(endpoints())).toContain(fixed);
    expectClean(await env.visit('/project/instances/', 'instances-attached'));
    expect(squash(await row().innerText())).toContain(fixed);

    await openRowAction('detach_interface');
    await choose('#id_port', fixed);
    await env.shot('detach-interface-form');
    await submit();
    expect(await messages('detached')).toEqual([
      `Success: Detached interface ${greenPort.port_id} for instance ${id}.`,
    ]);
    await until('the detach', interfaces, (l) => !l.some((i) => i.net_id === green.net));
    expect(await ports(`id=${greenPort.port_id}`)).toEqual([]); // Nova made it, so Nova deletes it
    expect(Object.values(endpoints())).not.toContain(fixed);
    expectClean(await env.visit('/project/instances/', 'instances-detached'));
    expect(squash(await row().innerText())).not.toContain(fixed);
  });

  it("edits the instance's security groups: adds one, removes default (every port of the instance follows)", async () => {
    await openRowAction('edit_secgroups');
    // Horizon's membership widget: one ul.btn-group per group, its "+" / "-" button moves it across
    const group = (list: string, name: string) =>
      env.page.locator(`ul.${list} > ul:has(span.display_name:text-is("${name}"))`).first();
    expect(squash(await env.page.locator('ul.update_security_groups_members').innerText())).toContain('default');
    await group('available_update_security_groups', 'hz-web').locator('a[href="#add_remove"]').click();
    await group('update_security_groups_members', 'hz-web').waitFor();
    await group('update_security_groups_members', 'default').locator('a[href="#add_remove"]').click();
    await group('available_update_security_groups', 'default').waitFor();
    expect(squash(await env.page.locator('ul.update_security_groups_members').innerText())).not.toContain('default');
    await env.shot('edit-secgroups-form');
    await submit();
    expect(await messages('secgroups-saved')).toEqual(['Success: Modified instance "hz-netlaunch".']);
    const sg = (await env.api('GET', `${V2}/security-groups?name=hz-web`)).body.security_groups[0].id;
    const mine = await ports(`device_id=${id}`);
    expect(mine).toHaveLength(2);
    for (const p of mine) expect(p.security_groups).toEqual([sg]);
    const groups = (await env.api('GET', `/compute/v2.1/servers/${id}/os-security-groups`)).body.security_groups;
    // Nova lists a group once per port that has it (security_group_api.get_instance_security_groups)
    expect(groups.map((g: { name: string }) => g.name)).toEqual(['hz-web', 'hz-web']);
    expectClean(await env.visit(`/project/instances/${id}/`, 'secgroups-overview'));
    expect(squash(await env.page.locator('#instance_details__overview').innerText())).toContain('hz-web');
  });

  it("shows the instance's ports in Network Topology and its addresses in Admin → Instances", async () => {
    expectClean(await env.visit('/project/network_topology/', 'topology-instance'));
    const topo = await (await env.page.request.get(`${env.horizonUrl}/project/network_topology/json`)).json();
    expect(topo.servers.map((x: { id: string }) => x.id)).toContain(id);
    const served = topo.ports.filter((p: { device_id: string }) => p.device_id === id);
    expect(served.map((p: { network_id: string }) => p.network_id).sort()).toEqual(
      [blue.net, (await ports(`id=${portId}`))[0].network_id].sort(),
    );
    const v = await env.visit(`/admin/instances/${id}/detail`, 'admin-instance-detail');
    expectClean(v);
    const overview = squash(await env.page.locator('#content_body').innerText());
    for (const t of ['hz-netlaunch', 'hz-blue', blueIp, 'private', portIp]) expect(overview).toContain(t);
  });

  it('deletes the instance: the port Nova made goes, the existing port stays and is free again', async () => {
    await openRowAction('delete', false); // a confirmation dialog
    await Promise.all([
      env.page.waitForNavigation({ timeout: 60_000 }),
      env.page.locator('.modal-footer .btn-danger').click(),
    ]);
    expect(await messages('deleted')).toEqual(['Info: Scheduled deletion of Instance: hz-netlaunch']);
    await waitForServer(env, id, (x) => x === null, 60_000);
    expect(await ports(`device_id=${id}`)).toEqual([]);
    expect(await ports(`network_id=${blue.net}&device_owner=compute:nova`)).toEqual([]);
    expect((await ports(`id=${portId}`))[0]).toMatchObject({
      device_id: '',
      device_owner: '',
      fixed_ips: [{ ip_address: portIp }],
    });
    expect(() => docker('inspect', `nova-${id}`)).toThrow();
  });
});
