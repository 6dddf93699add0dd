"""What the client sends and gets back: endpoints, ingest options, results, datasets, limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from app.core import config


def base_url(url: str) -> str:
    """A base URL as the client joins paths to it: no surrounding spaces, no trailing slash."""
    return url.strip().rstrip("/")


def token_kind(token: str) -> str:
    """"personal" for xapt- tokens (legacy ingest + org ID), else "api" (edge ingest)."""
    return "personal" if token.startswith("xapt-") else "api"


@dataclass
class Endpoint:
    """Where requests go: the API host (datasets, legacy ingest) and the ingest (edge) host."""

    api_url: str
    ingest_url: str

    @classmethod
    def for_profile(cls, profile: config.Profile, sandbox_url: str | None = None) -> "Endpoint":
        kind = profile.kind
        if kind == "sandbox":
            if not sandbox_url:
                raise ValueError("the local sandbox is not running (no sandbox URL)")
            url = base_url(sandbox_url)
            return cls(url, url)
        if kind in config.EDGE_URLS:
            return cls(config.API_URL, config.EDGE_URLS[kind])
        if kind == "custom":
            if not profile.url.strip():
                raise ValueError(f"profile {profile.name!r} has no URL")
            # Plain http is checked by AxiomClient (with the profile's or the CLI's allow_http).
            url = base_url(profile.url)
            return cls(url, url)
        raise ValueError(f"unknown profile kind {kind!r}")


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
