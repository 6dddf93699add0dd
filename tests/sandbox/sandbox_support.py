"""What the sandbox tests share: Axiom's documented example bodies and a way to post them."""

from __future__ import annotations

import json
from datetime import datetime

import httpx

from app.sandbox import Sandbox

# The five request bodies of Axiom's "Send data to Axiom via API" page, verbatim (as `curl -d` sends them).
SEED_GROUPED = """[
        {
          "time":"2025-01-12T00:00:00.000Z",
          "data":{"key1":"value1","key2":"value2"}
        },
        {
          "data":{"key3":"value3"},
          "labels":{"key4":"value4"}
        }
      ]"""

SEED_NESTED_ARRAYS = """[
            {
            "axiom": [{
                "logging":[{
                    "observability":[{
                        "location":[{
                            "credentials":[{
                                "datasets":[{
                                    "first_name":"axiom",
                                    "last_name":"logging",
                                    "location":"global"
                                }],
                                "work":[{
                                    "details":"https://app.axiom.co/",
                                    "tutorials":"https://www.axiom.co/blog",
                                    "changelog":"https://www.axiom.co/changelog",
                                    "documentation": "https://www.axiom.co/docs"
                                }]
                            }],
                            "social_media":[{
                                "details":[{
                                    "twitter":"https://twitter.com/AxiomFM",
                                    "linkedin":"https://linkedin.com/company/axiomhq",
                                    "github":"https://github.com/axiomhq"
                                }],
                                "features":[{
                                    "datasets":"view logs",
                                    "stream":"live_tail",
                                    "explorer":"queries"
                                }]
                            }]
                        }]
                    }],
                    "logs":[{
                        "apl": "functions"
                    }]
                }],
                "storage":[{}]
            }]}
        ]"""

SEED_OBJECTS = """[{ "axiom": {
        "logging": {
            "observability": [
                { "apl": 23, "function": "tostring" },
                { "apl": 24, "operator": "summarize" }
            ],
            "axiom": [
                { "stream": "livetail", "datasets": [4, 0, 16], "logging": "observability", "metrics": 8, "dashboard": 10, "alerting": "kubernetes" }
            ]
        },
        "apl": {
            "reference":
                [[80, 12], [30, 40]]
        }
    }
    }]"""

SEED_NDJSON = """{"id":1,"name":"machala"}
        {"id":2,"name":"axiom"}
        {"id":3,"name":"apl"}
        {"index": {"_index": "products"}}
        {"timestamp": "2016-06-06T12:00:00+02:00", "attributes": {"key1": "value1","key2": "value2"}}
        {"queryString": "count()"}"""

SEED_CSV = """user, name
        foo, bar"""

RESPONSE_KEYS = {"ingested", "failed", "failures", "processedBytes", "blocksCreated", "walLength"}
NDJSON = "application/x-ndjson"


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def ingest(sb: Sandbox, body: bytes | str, content_type: str = NDJSON, dataset: str = "logs", *,
           token: str | None = None, params: dict | None = None, legacy: bool = False,
           timeout: float = 10, **headers: str) -> httpx.Response:
    path = f"/v1/datasets/{dataset}/ingest" if legacy else f"/v1/ingest/{dataset}"
    if isinstance(body, str):
        body = body.encode()
    hdrs = auth(token or sb.token, **{"Content-Type": content_type})
    hdrs.update({k.replace("_", "-"): v for k, v in headers.items()})
    return httpx.post(sb.url + path, content=body, headers=hdrs, params=params, timeout=timeout)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def ndjson(*events: dict) -> bytes:
    return b"".join(json.dumps(e).encode() + b"\n" for e in events)

