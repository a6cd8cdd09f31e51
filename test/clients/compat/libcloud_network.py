"""Apache Libcloud (Debian's python3-libcloud; its OpenStack driver is OpenStack_1_1, the compute API
only) on a server with a network, as its users write it: the network found with ex_list_networks
(GET /os-networks, below 2.36), create_node(networks=[...]), the node's IPs, a floating IP from the
pool (os-floating-ip-pools, os-floating-ips) attached with addFloatingIp and detached, the node's
security groups, destroy.
Usage: libcloud_network.py NETWORK_NAME IMAGE_ID FLAVOR_ID (OS_* variables, Keystone v3).
Prints one JSON array on its last line: [{step, ok, value | error}]."""
import json
import os
import sys

from libcloud.compute.base import NodeImage, NodeSize
from libcloud.compute.providers import get_driver
from libcloud.compute.types import Provider

net_name, image_id, flavor_id = sys.argv[1:4]
steps = []


def step(name, fn):
    try:
        v = fn()
        steps.append({'step': name, 'ok': True, 'value': v})
        return v
    except Exception as e:  # noqa: BLE001 - every failure is a result
        steps.append({'step': name, 'ok': False, 'error': f'{type(e).__name__}: {str(e)[:400]}'})
        return None


def ips(node_id):
    n = d.ex_get_node_details(node_id)
    return sorted(n.private_ips + n.public_ips)


d = get_driver(Provider.OPENSTACK)(
    os.environ['OS_USERNAME'], os.environ['OS_PASSWORD'],
    # with a path, Libcloud posts to this URL as it is
    ex_force_auth_url=os.environ['OS_AUTH_URL'] + '/auth/tokens',
    ex_force_auth_version='3.x_password',
    ex_tenant_name=os.environ['OS_PROJECT_NAME'],
    ex_domain_name='Default',
    ex_force_service_region=os.environ.get('OS_REGION_NAME', 'RegionOne'),
)
try:
    nets = step('ex_list_networks', lambda: {n.name: n.id for n in d.ex_list_networks()})
    net = [n for n in d.ex_list_networks() if n.name == net_name][0]
    node = step('create_node networks', lambda: d.create_node(
        name='lc-vm', image=NodeImage(id=image_id, name=None, driver=d),
        size=NodeSize(id=flavor_id, name=None, ram=None, disk=None, bandwidth=None, price=None, driver=d),
        networks=[net]))
    steps[-1]['value'] = node.id
    step('wait_until_running', lambda: [str(n.state) for n, _ in d.wait_until_running([node], wait_period=1, timeout=120)])
    step('ips', lambda: ips(node.id))
    step('ex_list_floating_ip_pools', lambda: [p.name for p in d.ex_list_floating_ip_pools()])
    pool = [p for p in d.ex_list_floating_ip_pools() if p.name == 'public'][0]
    fip = pool.create_floating_ip()
    step('create_floating_ip', lambda: fip.ip_address)
    step('ex_attach_floating_ip_to_node', lambda: d.ex_attach_floating_ip_to_node(node, fip.ip_address))
    step('ips after attach', lambda: ips(node.id))
    step('ex_list_floating_ips', lambda: [[f.ip_address, f.node_id] for f in d.ex_list_floating_ips() if f.ip_address == fip.ip_address])
    step('ex_detach_floating_ip_from_node', lambda: d.ex_detach_floating_ip_from_node(node, fip.ip_address))
    step('floating ip delete', lambda: fip.delete())
    step('ex_get_node_security_groups', lambda: [g.name for g in d.ex_get_node_security_groups(node)])
    step('destroy_node', lambda: node.destroy())
except Exception as e:  # noqa: BLE001
    steps.append({'step': 'script', 'ok': False, 'error': f'{type(e).__name__}: {str(e)[:400]}'})
print(json.dumps(steps, default=str))
