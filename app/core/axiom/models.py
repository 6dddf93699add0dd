"""What the client sends and gets back: ingest options, results, datasets, limits; dataset names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping


def base_url(url: str) -> str:
    """A base URL as the client joins paths to it: no surrounding spaces, no trailing slash."""
    return url.strip().rstrip("/")


def token_kind(token: str) -> str:
    """"personal" for xapt- tokens (legacy ingest + org ID), else "api" (edge ingest)."""
    return "personal" if token.startswith("xapt-") else "api"


@dataclass
class IngestOptions:
    timestamp_field: str | None = None
    timestamp_format: str | None = None
    csv_delimiter: str | None = None
    csv_fields: list[str] | None = None
    labels: dict[str, str] | None = None


@dataclass
class RateLimit:
    """X-RateLimit-*: requests per minute for this scope (user/organization)."""

    scope: str | None
    limit: int | None
    remaining: int | None
    reset: int | None  # UTC epoch seconds


@dataclass
class IngestLimit:
    """X-IngestLimit-*: ingest volume (bytes) per month."""

    limit: int | None
    remaining: int | None
    reset: int | None  # UTC epoch seconds


@dataclass
class IngestResult:
    ingested: int
    failed: int
    failures: list[dict] = field(default_factory=list)  # [{"timestamp": str, "error": str}]
    processed_bytes: int = 0
    warnings: list[dict] = field(default_factory=list)  # the "messages" array (locked schema)
    trace_id: str | None = None
    rate_limit: RateLimit | None = None
    ingest_limit: IngestLimit | None = None


@dataclass
class Dataset:
    name: str
    description: str = ""
    kind: str | None = None
    region: str | None = None  # edgeDeployment, e.g. "cloud.eu-central-1.aws"
    edge_url: str | None = None  # edgeDeploymentUrl
    can_write: bool | None = None
    created: str | None = None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "Dataset":
        edge_url = obj.get("edgeDeploymentUrl") or None
        can_write = obj.get("canWrite")
        return cls(
            name=str(obj.get("name") or obj.get("id") or ""),
            description=str(obj.get("description") or ""),
            kind=obj.get("kind") or None,
            region=obj.get("edgeDeployment") or None,
            edge_url=base_url(edge_url) if isinstance(edge_url, str) else None,
            can_write=can_write if isinstance(can_write, bool) else None,
            created=obj.get("created") or None,
        )


MAX_NAME = 80
# The whole rule in one sentence, said with whichever part a name breaks (docs/axiom-api.md).
NAME_RULE = (f"Axiom's rule for a new dataset's name: at most {MAX_NAME} of letters, digits, “-”, “_” and “.”, "
             "starting and ending with a letter or a digit, not starting with “axiom-”")
_NAME_CHARS = re.compile(r"[A-Za-z0-9._-]+")


def dataset_name_problem(name: str) -> str | None:
    """Why Axiom would refuse to create a dataset of this name (axiom-go's DatasetCreateRequest:
    at most 80 of [A-Za-z0-9._-], no special character first or last, no "axiom-" prefix), or None."""
    if not name:
        return "a dataset needs a name"
    if len(name) > MAX_NAME:
        return f"a dataset name has at most {MAX_NAME} characters (this one has {len(name)})"
    if not _NAME_CHARS.fullmatch(name):
        return "a dataset name uses only letters, digits, “-”, “_” and “.”"
    if not (name[0].isalnum() and name[-1].isalnum()):
        return "a dataset name starts and ends with a letter or a digit"
    if name.startswith("axiom-"):
        return "dataset names starting with “axiom-” are reserved by Axiom"
    return None


def create_name_refusal(name: str) -> str | None:
    """Why a dataset of this name will not be made (the broken part, then the whole rule), or None:
    said before any request, so a name Axiom would refuse costs no round trip."""
    problem = dataset_name_problem(name)
    return f"cannot create dataset {name!r}: {problem} ({NAME_RULE})" if problem else None
