"""Apache Libcloud (Debian's python3-libcloud) writes server metadata as its users do:
create_node(ex_metadata=...) (POST /servers) and ex_set_metadata (PUT /servers/{id}/metadata).
Usage: libcloud_metadata.py create NAME IMAGE_ID FLAVOR_ID N | set SERVER_ID N
(N items key1=val1 … keyN=valN; OS_* variables for Keystone v3 password auth).
Prints one JSON object: {ok, id, code, message}."""
import json
import os
import sys

from libcloud.compute.base import Node, NodeImage, NodeSize
from libcloud.compute.providers import get_driver
from libcloud.compute.types import NodeState, Provider

driver = get_driver(Provider.OPENSTACK)(
    os.environ['OS_USERNAME'], os.environ['OS_PASSWORD'],
    # with a path, Libcloud posts to this URL as it is
    ex_force_auth_url=os.environ['OS_AUTH_URL'] + '/auth/tokens',
    ex_force_auth_version='3.x_password',
    ex_tenant_name=os.environ['OS_PROJECT_NAME'],
    ex_domain_name='Default',
    ex_force_service_region=os.environ.get('OS_REGION_NAME', 'RegionOne'),
)


def items(n):
    return {f'key{i}': f'val{i}' for i in range(1, n + 1)}


result = {'ok': False, 'id': None, 'code': None, 'message': None}
try:
    if sys.argv[1] == 'create':
        name, image_id, flavor_id, n = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
        node = driver.create_node(
            name=name,
            image=NodeImage(id=image_id, name=None, driver=driver),
            size=NodeSize(id=flavor_id, name=None, ram=None, disk=None, bandwidth=None, price=None, driver=driver),
            ex_metadata=items(n),
        )
        result.update(ok=True, id=node.id)
    else:
        server_id, n = sys.argv[2], int(sys.argv[3])
        node = Node(id=server_id, name=None, state=NodeState.UNKNOWN, public_ips=[], private_ips=[], driver=driver)
        driver.ex_set_metadata(node, items(n))
        result.update(ok=True, id=server_id)
except Exception as e:  # noqa: BLE001 - the test reports what Libcloud raised
    result.update(code=getattr(e, 'code', None), message=f'{type(e).__name__}: {e}')
print(json.dumps(result))
