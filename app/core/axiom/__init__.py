"""The HTTP client for Axiom's API and its typed errors (API facts: docs/axiom-api.md).

    client     AxiomClient (with an httpx transport seam), client_from_env
    errors     the AxiomError hierarchy and ErrorKind, what callers branch on
    models     IngestOptions, IngestResult, Dataset (and which names Axiom accepts), RateLimit, IngestLimit
    routing    Endpoint and the routing table: which host and path each ingest and API call takes
    headers    the limit headers and the wait they imply
    urls       where the token may go: loopback hosts, plain http, same-origin redirects
    responses  answers read: scrubbed of the token (every one, once), failed ones into typed errors
    network    a failed exchange: was the body sent (maybe_sent), what broke, each request's deadline
"""

from app.core.axiom.client import USER_AGENT, AxiomClient, client_from_env
from app.core.axiom.errors import (
    DEFAULT_RATE_LIMIT_WAIT,
    AuthError,
    AxiomError,
    BadRequest,
    Conflict,
    CredentialsInURL,
    ErrorKind,
    InsecureURL,
    DatasetMissing,
    NotFound,
    RateLimited,
    RegionError,
    ServerError,
    TooLarge,
    TransportError,
    kind_for_status,
)
from app.core.axiom.headers import parse_ingest_limit, parse_rate_limit, parse_retry_after, rate_limit_wait
from app.core.axiom.models import Dataset, IngestLimit, IngestOptions, IngestResult, RateLimit, dataset_name_problem, token_kind
from app.core.axiom.routing import Endpoint, Route, region_label
from app.core.axiom.urls import check_url, is_loopback_host, is_loopback_url

__all__ = [
    "AuthError",
    "AxiomClient",
    "AxiomError",
    "BadRequest",
    "Conflict",
    "CredentialsInURL",
    "DEFAULT_RATE_LIMIT_WAIT",
    "Dataset",
    "Endpoint",
    "ErrorKind",
    "IngestLimit",
    "IngestOptions",
    "IngestResult",
    "InsecureURL",
    "DatasetMissing",
    "NotFound",
    "RateLimit",
    "RateLimited",
    "RegionError",
    "Route",
    "ServerError",
    "TooLarge",
    "TransportError",
    "USER_AGENT",
    "check_url",
    "client_from_env",
    "dataset_name_problem",
    "is_loopback_host",
    "is_loopback_url",
    "kind_for_status",
    "parse_ingest_limit",
    "parse_rate_limit",
    "parse_retry_after",
    "rate_limit_wait",
    "region_label",
    "token_kind",
]
