"""openstacksdk (Debian's python3-openstacksdk) on a server with a network, as Ansible's
openstack.cloud modules drive it: create_server(network=NAME), the server's private_v4 / public_v4
/ interface_ip, add_auto_ip (a floating IP from the network service on the server's port), the
compute proxy's server_ips and server_interfaces, remove_server_security_groups of its last group
and add it again, delete_server(delete_ips=True).
Usage: sdk_network.py NETWORK_NAME IMAGE_ID FLAVOR_ID (OS_* variables, Keystone v3).
Prints one JSON array on its last line: [{step, ok, value | error}]."""
import json
import os
import sys

import openstack

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


conn = openstack.connect(
    auth_url=os.environ['OS_AUTH_URL'], username=os.environ['OS_USERNAME'], password=os.environ['OS_PASSWORD'],
    project_name=os.environ['OS_PROJECT_NAME'], user_domain_name='Default', project_domain_name='Default',
    region_name=os.environ.get('OS_REGION_NAME', 'RegionOne'))
try:
    srv = conn.create_server('sdk-vm', image=image_id, flavor=flavor_id, network=net_name, wait=True,
                             auto_ip=False, timeout=120)
    step('create_server network', lambda: srv.status)
    s = conn.get_server(srv.id)
    step('ips', lambda: {'private_v4': s.private_v4, 'public_v4': s.public_v4, 'interface_ip': s.interface_ip})
    fip = step('add_auto_ip', lambda: conn.add_auto_ip(s, wait=True, timeout=60))
    s = conn.get_server(srv.id)
    step('ips after add_auto_ip',
         lambda: {'private_v4': s.private_v4, 'public_v4': s.public_v4, 'interface_ip': s.interface_ip})
    step('compute.server_ips', lambda: sorted([i.network_label, i.address] for i in conn.compute.server_ips(srv.id)))
    step('compute.server_interfaces', lambda: [i.net_id for i in conn.compute.server_interfaces(srv.id)])
    step('remove_server_security_groups', lambda: conn.remove_server_security_groups(s, ['default']))
    step('groups after remove', lambda: [g['name'] for g in conn.list_server_security_groups(conn.get_server(srv.id))])
    step('add_server_security_groups', lambda: conn.add_server_security_groups(s, ['default']))
    step('groups after add', lambda: [g['name'] for g in conn.list_server_security_groups(conn.get_server(srv.id))])
    step('delete_server delete_ips', lambda: conn.delete_server(srv.id, wait=True, delete_ips=True, timeout=120))
    step('floating ip left', lambda: [f.floating_ip_address for f in conn.list_floating_ips()
                                      if f.floating_ip_address == fip])
except Exception as e:  # noqa: BLE001
    steps.append({'step': 'script', 'ok': False, 'error': f'{type(e).__name__}: {str(e)[:400]}'})
print(json.dumps(steps, default=str))
