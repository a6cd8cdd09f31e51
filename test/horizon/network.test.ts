// The Horizon pages that need the network service, in a real browser against a novadock on the real
// Docker Engine, with real clicks: Project Overview with the network quotas; Networks (the create
// network + subnet wizard, detail tabs, delete); Routers (create, Set Gateway to `public`, add an
// interface, detail, topology, then delete interface, gateway and router); Launch Instance (its Networks
// step lists the networks) and the instance detail tabs; Security Groups (create, add and delete a
// rule); Floating IPs (allocate from `public`, release); Admin → Networks (create, provider type
// `local`), Routers, Floating IPs. Every step is checked in the page and through the API.
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

let env: HorizonEnv;
const servers: string[] = [];
let netCidr = ''; // a free range for the project's network
let adminCidr = ''; // and one for the admin's
let netId = '';
let subnetId = '';
let routerId = '';
const V2 = '/networking/v2.0';

function expectClean(v: Visit): void {
  const why = `${v.path}: status ${v.status}, 5xx ${JSON.stringify(v.serverErrors)}, alerts ${JSON.stringify(v.errorAlerts)} (screenshot ${v.screenshot})\n${v.serverErrors.length ? horizonLogTail(env) : ''}`;
  expect(v.status, why).toBe(200);
  expect(v.serverErrors, why).toEqual([]);
  expect(v.errorAlerts, why).toEqual([]);
}
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
const text = async (selector: string) => squash(await env.page.locator(selector).first().innerText());
/** The messages Horizon shows after a form or an action (success and errors), then the screenshot. */
async function messages(shot: string): Promise<string[]> {
  await env.page.waitForLoadState('networkidle').catch(() => undefined);
  await env.shot(shot);
  return (await env.page.locator('.messages .alert').allInnerTexts()).map(squash);
}
/** Submits the open form (modal or page) and waits for the page it leads to. */
async function submit(): Promise<void> {
  await Promise.all([
    env.page.waitForNavigation(),
    env.page.locator('.modal .btn-primary[type=submit], form .btn-primary[type=submit]').first().click(),
  ]);
}
/** Clicks a row's action (in its dropdown when not the primary button) and confirms the dialog. */
async function rowAction(table: string, row: string, action: string): Promise<void> {
  const r = env.page.locator(`#${table} tbody tr`, { hasText: row });
  const button = r.locator('a, button', { hasText: action }).first();
  if (!(await button.isVisible())) await r.locator('.dropdown-toggle').click();
  await button.click();
  await Promise.all([env.page.waitForNavigation(), env.page.locator('.modal-footer .btn-danger').click()]);
}
const choose = (select: string, label: string) => env.page.selectOption(select, { label }, { force: true }); // Horizon's themable selects hide the <select>

beforeAll(async () => {
  env = await startHorizonEnv('network');
  [netCidr, adminCidr] = env.spareCidrs; // instance-network.test.ts takes the other two
  await uploadTestImage(env, 'busybox');
  await env.login();
}, 900_000);

afterAll(async () => {
  await deleteServers(env, servers.filter(Boolean));
  await env?.close();
}, 120_000);

describe('Horizon with the network service', () => {
  it('shows Project → Overview with the network quotas and their usage', async () => {
    const v = await env.visit('/project/', 'overview');
    expectClean(v);
    const nets = (await env.api('GET', `${V2}/quotas/${await projectId()}/details`)).body.quota;
    const body = await text('#content_body');
    expect(body).toContain('Limit Summary');
    for (const [label, used] of [
      ['Networks', `Used ${nets.network.used} of ${nets.network.limit}`],
      ['Routers', `Used ${nets.router.used} of ${nets.router.limit}`],
      ['Ports', `Used ${nets.port.used} of ${nets.port.limit}`],
      ['Floating IPs', `Allocated ${nets.floatingip.used} of ${nets.floatingip.limit}`],
      ['Security Groups', `Used ${nets.security_group.used} of ${nets.security_group.limit}`],
    ])
      expect(body, `${label} ${used} (screenshot ${v.screenshot})`).toContain(`${label} ${used}`);
  });

  it('creates a network with a subnet in the wizard and shows its detail', async () => {
    expectClean(await env.visit('/project/networks/', 'networks-before'));
    await env.page.click('#networks__action_create');
    await env.page.fill('#id_net_name', 'hz-net');
    await env.page.click('.modal button.button-next');
    await env.page.fill('#id_subnet_name', 'hz-subnet');
    await env.page.fill('#id_cidr', netCidr);
    await env.page.click('.modal button.button-next');
    await Promise.all([env.page.waitForNavigation(), env.page.click('.modal button.btn-primary[type=submit]')]);
    expect(await messages('network-created')).toEqual(['Success: Created network "hz-net".']);
    expect(await text('#networks tbody tr:has-text("hz-net")')).toContain(`hz-subnet ${netCidr}`);
    const net = (await env.api('GET', `${V2}/networks?name=hz-net`)).body.networks[0];
    const sub = (await env.api('GET', `${V2}/subnets?network_id=${net.id}`)).body.subnets[0];
    expect(sub).toMatchObject({ name: 'hz-subnet', cidr: netCidr, gateway_ip: hostIn(netCidr, 1) });
    [netId, subnetId] = [net.id, sub.id];
    const detail = await env.visit(`/project/networks/${netId}/detail`, 'network-detail');
    expectClean(detail);
    expect(await text('.detail')).toContain(`Name hz-net ID ${netId}`);
    expectClean(await env.visit(`/project/networks/${netId}/detail?tab=network_tabs__subnets_tab`, 'net-subnets'));
    expect(await text('#subnets')).toContain(`hz-subnet ${netCidr}`);
    expectClean(await env.visit(`/project/networks/subnets/${subnetId}/detail`, 'subnet-detail'));
  });

  it('creates a router, sets its gateway to public, adds an interface, and draws the topology', async () => {
    expectClean(await env.visit('/project/routers/', 'routers-before'));
    await env.page.click('#routers__action_create');
    await env.page.fill('#id_name', 'hz-router');
    await submit();
    expect(await messages('router-created')).toEqual(['Success: Router hz-router was successfully created.']);
    const r = env.page.locator('#routers tbody tr', { hasText: 'hz-router' });
    await r.locator('a', { hasText: 'Set Gateway' }).click();
    await choose('#id_network_id', 'public');
    await submit();
    expect(await messages('router-gateway')).toEqual(['Success: Gateway interface is added']);
    expect(await text('#routers tbody tr:has-text("hz-router")')).toContain('hz-router Active public UP');
    routerId = (await env.api('GET', `${V2}/routers?name=hz-router`)).body.routers[0].id;
    expectClean(await env.visit(`/project/routers/${routerId}/?tab=router_details__interfaces`, 'router-ifaces'));
    await env.page.click('#interfaces__action_create');
    await choose('#id_subnet_id', `hz-net: ${netCidr} (hz-subnet)`);
    await submit();
    const gw = hostIn(netCidr, 1);
    expect(await messages('router-interface')).toEqual([`Success: Interface added ${gw}`]);
    expect(await text('#interfaces')).toContain(`${gw}`);
    const router = (await env.api('GET', `${V2}/routers/${routerId}`)).body.router;
    const pub = (await env.api('GET', `${V2}/networks?name=public`)).body.networks[0];
    expect(router.external_gateway_info.network_id).toBe(pub.id);
    const ports = (await env.api('GET', `${V2}/ports?device_id=${routerId}`)).body.ports;
    expect(ports.map((p: { device_owner: string }) => p.device_owner).sort()).toEqual([
      'network:router_gateway',
      'network:router_interface',
    ]);
    const overview = await env.visit(`/project/routers/${routerId}/`, 'router-detail');
    expectClean(overview);
    expect(await text('.detail')).toContain('External Gateway Network Name public');
    // the topology page draws from Horizon's JSON of networks, routers and their ports
    const topo = env.page.waitForResponse((res) => res.url().includes('/project/network_topology/json'));
    expectClean(await env.visit('/project/network_topology/', 'topology'));
    const data = await (await topo).json();
    expect(data.routers.map((x: { name: string }) => x.name)).toContain('hz-router');
    expect(data.networks.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['hz-net', 'public']));
    expect(data.ports.filter((p: { device_id: string }) => p.device_id === routerId)).toHaveLength(2);
    expect(await text('#topologyCanvasContainer')).toContain('hz-net');
  });

  it('launches an instance whose Networks step lists the networks, and shows its detail tabs', async () => {
    expectClean(await env.visit('/project/instances/', 'instances-before-launch'));
    const page = env.page;
    const { step, allocate } = await openLaunchWizard(env, 'hz-launched');
    await allocate(await step('Source'), 'busybox');
    await allocate(await step('Flavor'), 'm1.tiny');
    const nets = await step('Networks');
    const available = squash(await nets.locator('table').nth(1).innerText());
    for (const n of ['private', 'hz-net']) expect(available).toContain(n);
    await allocate(nets, 'private');
    expect(squash(await nets.locator('table').first().innerText())).toContain('private');
    await env.shot('launch-networks');
    await page.click('.modal-footer button.btn-primary');
    await page.locator('.modal').waitFor({ state: 'detached' });
    let id = '';
    for (let i = 0; i < 40 && !id; i++, await page.waitForTimeout(250))
      id = (await env.api('GET', '/compute/v2.1/servers?name=hz-launched')).body.servers[0]?.id ?? '';
    servers.push(id);
    await waitForServer(env, id, (s) => s.status === 'ACTIVE', 60_000);
    for (const [tab, shows] of [
      ['overview', `hz-launched ID ${id}`],
      ['interfaces', 'Name Network Fixed IPs MAC Address Status Admin State'],
      ['log', 'Instance Console Log'],
      ['console', 'Instance Console'],
      ['audit', 'Create'],
    ]) {
      expectClean(await env.visit(`/project/instances/${id}/?tab=instance_details__${tab}`, `instance-${tab}`));
      expect(await text(`#instance_details__${tab}`)).toContain(shows);
    }
  });

  it('creates a security group, adds a rule and deletes it', async () => {
    expectClean(await env.visit('/project/security_groups/', 'sg-before'));
    expect(await text('#security_groups')).toContain('default');
    await env.page.click('#security_groups__action_create');
    await env.page.fill('#id_name', 'hz-sg');
    await env.page.fill('#id_description', 'from Horizon');
    await submit();
    expect(await messages('sg-created')).toEqual(['Success: Successfully created security group: hz-sg']);
    const sg = (await env.api('GET', `${V2}/security-groups?name=hz-sg`)).body.security_groups[0];
    expect(new URL(env.page.url()).pathname).toBe(`/project/security_groups/${sg.id}/`);
    await env.page.click('#rules__action_add_rule');
    await env.page.selectOption('#id_rule_menu', 'tcp', { force: true });
    await env.page.fill('#id_port', '22');
    await env.page.fill('#id_cidr', '198.18.0.0/16');
    await submit();
    expect(await messages('sg-rule')).toEqual([
      'Success: Successfully added rule: ALLOW IPv4 22/tcp from 198.18.0.0/16',
    ]);
    expect(await text('#rules')).toContain('Ingress IPv4 TCP 22 (SSH) 198.18.0.0/16');
    const rules = async () =>
      (await env.api('GET', `${V2}/security-group-rules?security_group_id=${sg.id}&direction=ingress`)).body
        .security_group_rules;
    expect(await rules()).toMatchObject([
      { protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '198.18.0.0/16' },
    ]);
    await rowAction('rules', '22 (SSH)', 'Delete Rule');
    expect(await messages('sg-rule-deleted')).toEqual(['Success: Deleted Rule: ALLOW IPv4 22/tcp from 198.18.0.0/16']);
    expect(await rules()).toEqual([]);
    await env.visit('/project/security_groups/', 'sg-before-delete');
    await rowAction('security_groups', 'hz-sg', 'Delete Security Group');
    expect(await messages('sg-deleted')).toEqual(['Success: Deleted Security Group: hz-sg']);
  });

  it('allocates a floating IP from public (also listed in Admin → Floating IPs) and releases it', async () => {
    expectClean(await env.visit('/project/floating_ips/', 'fip-before'));
    await env.page.click('#floating_ips__action_allocate');
    await env.page.locator('#id_pool').waitFor({ state: 'attached' });
    expect(await env.page.locator('#id_pool option').allInnerTexts()).toEqual(['public']);
    await env.page.fill('#id_description', 'hz-fip');
    await submit();
    const [msg] = await messages('fip-allocated');
    const ip = /Allocated Floating IP ([\d.]+)\./.exec(msg)?.[1];
    expect(msg).toMatch(/^Success: Allocated Floating IP [\d.]+\.$/);
    const fips = async () => (await env.api('GET', `${V2}/floatingips?floating_ip_address=${ip}`)).body.floatingips;
    expect(await fips()).toMatchObject([{ description: 'hz-fip', status: 'DOWN', port_id: null }]);
    expect(await text('#floating_ips tbody tr:has-text("hz-fip")')).toContain(`${ip} hz-fip - public`);
    expectClean(await env.visit('/admin/floating_ips/', 'admin-floating-ips'));
    expect(await text('#floating_ips')).toContain(`admin ${ip} hz-fip - public Down`);
    await env.visit('/project/floating_ips/', 'fip-before-release');
    await rowAction('floating_ips', 'hz-fip', 'Release Floating IP');
    expect(await messages('fip-released')).toEqual([`Success: Released Floating IP: ${ip}`]);
    expect(await fips()).toEqual([]);
  });

  it('creates and deletes a network as admin (provider type local), and shows admin routers', async () => {
    expectClean(await env.visit('/admin/networks/', 'admin-networks'));
    await env.page.click('#networks__action_create');
    await env.page.fill('#id_name', 'hz-admin-net');
    await choose('#id_tenant_id', 'admin');
    expect(await env.page.locator('#id_network_type option').allInnerTexts()).toEqual(['Local']);
    await env.page.click('.modal button.button-next');
    await env.page.fill('#id_subnet_name', 'hz-admin-subnet');
    await env.page.fill('#id_cidr', adminCidr);
    await env.page.click('.modal button.button-next');
    await Promise.all([env.page.waitForNavigation(), env.page.click('.modal button.btn-primary[type=submit]')]);
    expect(await messages('admin-network-created')).toEqual(['Success: Created network "hz-admin-net".']);
    const n = (await env.api('GET', `${V2}/networks?name=hz-admin-net`)).body.networks[0];
    expect(n['provider:network_type']).toBe('local');
    expect(await text('#networks tbody tr:has-text("hz-admin-net")')).toContain(`hz-admin-subnet ${adminCidr}`);
    expectClean(await env.visit(`/admin/networks/${n.id}/detail`, 'admin-network-detail'));
    expect(await text('.detail')).toContain('Network Type: local');
    expectClean(await env.visit('/admin/routers/', 'admin-routers'));
    expect(await text('#routers')).toContain('hz-router');
    expectClean(await env.visit(`/admin/routers/${routerId}/`, 'admin-router-detail'));
    await env.visit('/admin/networks/', 'admin-networks-before-delete');
    await rowAction('networks', 'hz-admin-net', 'Delete Network');
    expect(await messages('admin-network-deleted')).toEqual(['Success: Deleted Network: hz-admin-net']);
  });

  it('deletes the interface, clears the gateway, deletes the router and then the network', async () => {
    await env.visit(`/project/routers/${routerId}/?tab=router_details__interfaces`, 'router-before-delete');
    await rowAction('interfaces', 'Internal Interface', 'Delete Interface');
    expect((await messages('interface-deleted'))[0]).toMatch(/^Success: Deleted Interface: /);
    await env.visit('/project/routers/', 'routers-before-clear');
    await rowAction('routers', 'hz-router', 'Clear Gateway');
    expect(await messages('gateway-cleared')).toEqual(['Success: Cleared Gateway: hz-router']);
    await rowAction('routers', 'hz-router', 'Delete Router');
    expect(await messages('router-deleted')).toEqual(['Success: Deleted Router: hz-router']);
    expect((await env.api('GET', `${V2}/routers/${routerId}`)).status).toBe(404);
    await env.visit('/project/networks/', 'networks-before-delete');
    await rowAction('networks', 'hz-net', 'Delete Network');
    expect(await messages('network-deleted')).toEqual(['Success: Deleted Network: hz-net']);
    expect((await env.api('GET', `${V2}/networks/${netId}`)).status).toBe(404);
    expect((await env.api('GET', `${V2}/subnets/${subnetId}`)).status).toBe(404);
  });
});

async function projectId(): Promise<string> {
  return (await env.api('GET', '/identity/v3/projects?name=admin')).body.projects[0].id as string;
}
