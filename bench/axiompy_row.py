"""One benchmark row: axiom-py's `Client.ingest` with a gzip body (run by bench/ in its own venv).

    axiom-py-venv/bin/python bench/axiompy_row.py FILE URL DATASET   (token in AXIOM_TOKEN)

What a Python user of the official library writes for a file: read it, gzip it (the library's
own `ingest_events` uses gzip.compress's default level), one `ingest` call. The URL points the
client at the sandbox (it sends to {url}/v1/datasets/{dataset}/ingest).
"""

import gzip
import json
import os
import sys

from axiom_py import Client
from axiom_py.client import ContentEncoding, ContentType

path, url, dataset = sys.argv[1:4]
client = Client(os.environ["AXIOM_TOKEN"], url=url)
with open(path, "rb") as f:
    body = gzip.compress(f.read())
status = client.ingest(dataset, body, ContentType.NDJSON, ContentEncoding.GZIP)
print(json.dumps({"ingested": status.ingested, "failed": status.failed, "bytes": len(body)}))
