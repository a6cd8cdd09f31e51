"""openstacksdk (Debian's python3-openstacksdk) finds images by name, as `openstack server create
--image NAME` does: conn.image.find_image (GET /v2/images/NAME, then /v2/images?name=NAME) and
conn.compute.find_image (Nova's image proxy). Usage: sdk_find_image.py NAME... (OS_* variables).
Prints one JSON array: [{name, image, compute, error}] with the ids found (null when none)."""
import json
import sys

import openstack

conn = openstack.connect()
results = []
for name in sys.argv[1:]:
    row = {'name': name, 'image': None, 'compute': None, 'error': None}
    try:
        found = conn.image.find_image(name, ignore_missing=True)
        row['image'] = found.id if found else None
        found = conn.compute.find_image(name, ignore_missing=True)
        row['compute'] = found.id if found else None
    except Exception as e:  # noqa: BLE001 - the test reports what the SDK raised
        row['error'] = f'{type(e).__name__}: {e}'
    results.append(row)
print(json.dumps(results))
