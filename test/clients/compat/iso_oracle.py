"""What Nova and Glance take as an ISO 8601 date-time: oslo_utils.timeutils.parse_isotime (Nova's
'date-time' format checker, nova/api/validation/validators.py; Glance's created_at/updated_at
filters). Takes a JSON array of strings as its argument; prints a JSON array of booleans (accepted or not)."""
import json
import sys

from oslo_utils import timeutils

out = []
for text in json.loads(sys.argv[1]):
    try:
        timeutils.parse_isotime(text)
        out.append(True)
    except ValueError:
        out.append(False)
print(json.dumps(out))
