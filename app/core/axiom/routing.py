"""Where each request goes: the one routing table (docs/axiom-api.md, "Routing, regions, tokens").

Axiom has one API host (api.axiom.co: /v2/..., and the legacy ingest /v1/datasets/{id}/ingest,
which stores in US East only) and one edge host per region (/v1/ingest/{id}, API tokens only).
A dataset's region is fixed at creation (its `edgeDeployment`). So an ingest is routed by:

  personal token (xapt-)   legacy ingest on the API host; refused before sending when the
                           dataset is in a cloud region other than US East
  API token (xaat-)        1. a custom edge the user gave (AXIOM_EDGE_URL to a proxy, the sandbox)
                           2. the dataset's edgeDeploymentUrl, when the listing gave one
                           3. the edge of the dataset's region (else the profile's region)
                           4. an Axiom region without a known edge: refused before sending
                           5. the configured edge, else (a base URL alone) legacy on the API host

and API calls never go to an edge host. AxiomClient asks `ingest_route` for every ingest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import quote, urlsplit

from app.core import config
from app.core.axiom.errors import RegionError
from app.core.axiom.models import base_url

US_EAST = "cloud.us-east-1.aws"
EU_CENTRAL = "cloud.eu-central-1.aws"
# The documented edgeDeployment names and their edges (axiom-js's map; docs: edge deployments).
REGION_EDGES = {US_EAST: config.EDGE_URLS["us"], EU_CENTRAL: config.EDGE_URLS["eu"]}
PROFILE_REGIONS = {"us": US_EAST, "eu": EU_CENTRAL}
EDGE_DOMAIN = ".edge.axiom.co"


def is_axiom_edge(url: str | None) -> bool:
    """An Axiom edge host (us-east-1.aws.edge.axiom.co …): it serves ingest, never /v2."""
    return (urlsplit(url or "").hostname or "").lower().endswith(EDGE_DOMAIN)


def region_of_edge(url: str) -> str | None:
    """The edgeDeployment name an Axiom edge URL serves: https://X.edge.axiom.co → cloud.X."""
    host = (urlsplit(url).hostname or "").lower()
    return "cloud." + host[: -len(EDGE_DOMAIN)] if host.endswith(EDGE_DOMAIN) else None


def is_cloud_region(region: str | None) -> bool:
    """An Axiom cloud deployment name (cloud.…), as opposed to none or the sandbox's "local"."""
    return bool(region) and region.lower().startswith("cloud.")


def region_label(region: str | None, *, short: bool = False) -> str:
    """What a person reads: "EU (eu-central-1)", or with short=True "eu-central-1"; "local" as is."""
    if not region:
        return ""
    parts = region.split(".")
    code = parts[1] if len(parts) >= 3 and is_cloud_region(region) else region
    if short:
        return code
    named = {US_EAST: "US East", EU_CENTRAL: "EU"}.get(region.lower())
    return f"{named} ({code})" if named else code


@dataclass
class Endpoint:
    """Where requests go. `api_url` takes /v2 calls and the legacy ingest; `ingest_url` is an edge
    (serves /v1/ingest/{id}) when `edge`, else the same base URL (legacy ingest there). `region` is
    the profile's region: it routes datasets whose own region is not known."""

    api_url: str
    ingest_url: str
    edge: bool = True
    region: str | None = None

    def __post_init__(self) -> None:
        if is_axiom_edge(self.api_url):  # edge hosts do not serve /v2: those calls go to the API host
            self.api_url = config.API_URL

    @classmethod
    def for_profile(cls, profile: config.Profile, sandbox_url: str | None = None) -> "Endpoint":
        """The sandbox plays both roles on one port; us/eu are Axiom's hosts; a custom URL is a
        base URL alone (legacy ingest there, as Axiom's own tools do), or an edge when it is an
        Axiom edge domain or the profile names an edge URL."""
        kind = profile.kind
        if kind == "sandbox":
            if not sandbox_url:
                raise ValueError("the local sandbox is not running (no sandbox URL)")
            url = base_url(sandbox_url)
            return cls(url, url)
        if kind in PROFILE_REGIONS:
            return cls(config.API_URL, config.EDGE_URLS[kind], region=PROFILE_REGIONS[kind])
        if kind == "custom":
            if not profile.url.strip():
                raise ValueError(f"profile {profile.name!r} has no URL")
            # Plain http is checked by AxiomClient (with the profile's or the CLI's allow_http).
            return from_urls(profile.url, profile.edge_url)
        raise ValueError(f"unknown profile kind {kind!r}")


def from_urls(url: str | None, edge_url: str | None = None) -> Endpoint:
    """A base URL and an optional edge URL (AXIOM_URL / AXIOM_EDGE_URL) as an Endpoint."""
    url = base_url(url or "") or config.API_URL
    edge = base_url(edge_url or "")
    if not edge and is_axiom_edge(url):
        edge = url
    if edge:
        return Endpoint(url, edge, region=region_of_edge(edge))
    return Endpoint(url, url, edge=False)


def from_env(env: Mapping[str, str] | None = None) -> Endpoint:
    """Like axiom-go: AXIOM_URL (the base), AXIOM_EDGE_URL or AXIOM_EDGE (a domain) for ingest.
    Neither set: Axiom US, as a new profile of the window."""
    env = os.environ if env is None else env
    url = (env.get("AXIOM_URL") or "").strip()
    edge = (env.get("AXIOM_EDGE_URL") or "").strip()
    if not edge and (domain := (env.get("AXIOM_EDGE") or "").strip()):
        edge = f"https://{domain}"
    if not url and not edge:
        return Endpoint(config.API_URL, config.EDGE_URLS["us"], region=US_EAST)
    return from_urls(url, edge)


@dataclass(frozen=True)
class Route:
    """An ingest's URL, whether it is the edge path, and the region it stores in when known."""

    url: str
    edge: bool
    region: str | None


def custom_edge(endpoint: Endpoint) -> bool:
    """The user named an edge that is not Axiom's (a proxy, the sandbox): all edge ingest goes there."""
    return endpoint.edge and not is_axiom_edge(endpoint.ingest_url)


def depends_on_region(endpoint: Endpoint, token_kind: str) -> bool:
    """Whether the dataset's region can change the route (so it is worth looking up first)."""
    return token_kind == "personal" or not custom_edge(endpoint)


def ingest_route(endpoint: Endpoint, token_kind: str, dataset: str, region: str | None = None,
                 region_url: str | None = None) -> Route:
    """The route of an ingest into `dataset`, whose region (`edgeDeployment`) and edge URL
    (`edgeDeploymentUrl`) are what the listing said (None: not known, the profile's region
    applies). Raises RegionError when no route stores the data in the dataset's region."""
    name = quote(dataset, safe="")
    region = region or endpoint.region
    legacy = f"{endpoint.api_url}/v1/datasets/{name}/ingest"
    if token_kind == "personal":
        if is_cloud_region(region) and region.lower() != US_EAST:
            need = "EU datasets" if region.lower() == EU_CENTRAL else "datasets outside US East"
            raise RegionError(
                f"dataset {dataset!r} is in {region_label(region)}: a personal access token (xapt-…) can only "
                f"use Axiom's legacy ingest endpoint, which stores data in US East. An API token (xaat-…) is "
                f"needed for {need}; nothing was sent")
        return Route(legacy, False, region)
    if custom_edge(endpoint):
        base = endpoint.ingest_url
    elif region_url:
        base = region_url
    elif region and region.lower() in REGION_EDGES:
        base = REGION_EDGES[region.lower()]
    elif is_cloud_region(region):
        raise RegionError(
            f"dataset {dataset!r} is in the region {region!r}, whose ingest address Axiom Drop does not know: "
            "set AXIOM_EDGE_URL (or a custom profile's URL) to that region's edge; nothing was sent")
    elif endpoint.edge:
        base = endpoint.ingest_url
    else:
        return Route(legacy, False, region)
    return Route(f"{base}/v1/ingest/{name}", True, region)
