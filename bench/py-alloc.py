# Workload for bench/run.sh: python3 building, serializing and indexing
# records. Strings of 513 bytes and more, the records' dicts of 9 keys and
# more, list and dict tables and the JSON text go to malloc; smaller objects
# come from python's own pool allocator, as they do in any python program.
# usage: python3 py-alloc.py [RECORDS]
import json
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 150000
records = []
for i in range(n):
    r = {"id": i, "name": "item-%d" % i, "blob": "x" * (200 + i % 900)}
    if i % 3 == 0:
        r.update({"k%d" % k: k for k in range(8)})
    records.append(r)
text = json.dumps(records)
back = json.loads(text)
index = {r["name"]: r for r in back}
total = sum(len(r["blob"]) for r in index.values())
del records, back
print(len(index), total, len(text))
