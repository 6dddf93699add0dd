"""The one exception hierarchy of the client, and `ErrorKind`: what callers branch on.

Every AxiomError carries `kind`, so a caller decides by kind (`err.kind is ErrorKind.QUOTA`),
never by the wording of `str(err)`, which is a sentence for the user and may change.
"""

from __future__ import annotations

import enum
from typing import Any

from app.core.axiom.models import IngestLimit, RateLimit

# Used when a 429/430 carries neither Retry-After nor X-RateLimit-Reset. Axiom's request limits
# are per minute, so a short pause followed by the server's own answer is the sensible guess.
DEFAULT_RATE_LIMIT_WAIT = 10.0


class ErrorKind(enum.Enum):
    """What went wrong, one member per way a request can fail."""

    AUTH = "auth"  # 401, no token, a personal token without an org ID
    REGION = "region"  # the dataset's region is out of this token's (or setup's) reach: not sent
    FORBIDDEN = "forbidden"  # 403: the token lacks a permission
    NOT_FOUND = "not_found"  # 404
    DATASET_MISSING = "dataset_missing"  # 404 on ingest: no such dataset (Axiom never creates one on ingest)
    CONFLICT = "conflict"  # 409
    TOO_LARGE = "too_large"  # 413
    BAD_REQUEST = "bad_request"  # 400: nothing of the request was stored
    RATE_LIMITED = "rate_limited"  # 429: requests per minute
    QUOTA = "quota"  # 430: the monthly ingest limit
    SERVER = "server"  # 5xx
    TRANSPORT = "transport"  # no HTTP answer at all
    INSECURE_URL = "insecure_url"  # plain http to another machine, not an http(s) URL, or user info in it
    REDIRECT = "redirect"  # a redirect to another host, or too many redirects: not followed
    TLS = "tls"  # the CA certificates could not be loaded
    UNEXPECTED = "unexpected"  # any other status, or an answer that cannot be read


def kind_for_status(status: int) -> ErrorKind:
    """The kind of a failed HTTP answer with this status (redirects are handled before)."""
    if status >= 500:
        return ErrorKind.SERVER
    return _STATUS_KINDS.get(status, ErrorKind.UNEXPECTED)


_STATUS_KINDS = {
    400: ErrorKind.BAD_REQUEST,
    401: ErrorKind.AUTH,
    403: ErrorKind.FORBIDDEN,
    404: ErrorKind.NOT_FOUND,
    409: ErrorKind.CONFLICT,
    413: ErrorKind.TOO_LARGE,
    429: ErrorKind.RATE_LIMITED,
    430: ErrorKind.QUOTA,
}


class AxiomError(Exception):
    """Anything that went wrong talking to Axiom. `str(err)` is a sentence a user can act on."""

    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind = ErrorKind.UNEXPECTED,
        status: int | None = None,
        code: Any = None,
        trace_id: str | None = None,
        rate_limit: RateLimit | None = None,
        ingest_limit: IngestLimit | None = None,
        detail: str | None = None,
        maybe_sent: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status
        self.code = code
        self.trace_id = trace_id
        self.rate_limit = rate_limit
        self.ingest_limit = ingest_limit
        self.detail = detail  # the server's own words, when it said something
        # The whole request reached the server and the answer does not say it was refused (a 5xx,
        # an answer that cannot be read, a network failure after the body went out): the server
        # may have stored its events, so sending them again may store them twice.
        self.maybe_sent = maybe_sent

    def __str__(self) -> str:
        return self.message


class AuthError(AxiomError):
    """401 (token refused) or 403 (token lacks permission); also a PAT without an org ID."""

    def __init__(self, message: str, *, forbidden: bool = False, **kw: Any) -> None:
        super().__init__(message, kind=ErrorKind.FORBIDDEN if forbidden else ErrorKind.AUTH, **kw)
        self.forbidden = forbidden


class RegionError(AuthError):
    """Refused before sending: no route stores the data in the dataset's region (a personal token
    and an EU dataset; an Axiom region whose edge is not known). A token problem for the job."""

    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.kind = ErrorKind.REGION


class NotFound(AxiomError):
    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, kind=ErrorKind.NOT_FOUND, **kw)


class DatasetMissing(NotFound):
    """A 404 on ingest: the dataset does not exist. Axiom does not create datasets on ingest, so
    nothing of the request was stored and resending is pointless until the dataset is created;
    then the same events can be sent (a job stopped by this resumes)."""

    def __init__(self, message: str, *, dataset: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.kind = ErrorKind.DATASET_MISSING
        self.dataset = dataset


class Conflict(AxiomError):
    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, kind=ErrorKind.CONFLICT, **kw)


class TooLarge(AxiomError):
    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, kind=ErrorKind.TOO_LARGE, **kw)


class BadRequest(AxiomError):
    """400: the server took nothing from this request. `event_index` is the bad event's
    position within the request when the server named it ("invalid event at index 17")."""

    def __init__(self, message: str, *, event_index: int | None = None, **kw: Any) -> None:
        super().__init__(message, kind=ErrorKind.BAD_REQUEST, **kw)
        self.event_index = event_index


class RateLimited(AxiomError):
    """429 (request rate) or 430 (monthly quota, `quota=True`).

    `retry_at` is the epoch second Retry-After named (None without the header); `wait_seconds`
    is how long to wait as seen when the response arrived (job.policy.wait_for_rate_limit recomputes
    it for a later moment)."""

    def __init__(
        self,
        message: str,
        *,
        quota: bool = False,
        retry_at: float | None = None,
        wait_seconds: float = DEFAULT_RATE_LIMIT_WAIT,
        **kw: Any,
    ) -> None:
        super().__init__(message, kind=ErrorKind.QUOTA if quota else ErrorKind.RATE_LIMITED, **kw)
        self.quota = quota
        self.retry_at = retry_at
        self.wait_seconds = wait_seconds

    @property
    def reset(self) -> float | None:
        """When the relevant limit resets (epoch s), from the headers."""
        if self.quota and self.ingest_limit and self.ingest_limit.reset:
            return float(self.ingest_limit.reset)
        if self.rate_limit and self.rate_limit.reset:
            return float(self.rate_limit.reset)
        return None


class ServerError(AxiomError):
    """5xx. `maybe_sent` when the body had been sent whole: a gateway's 504 often comes after
    the server behind it stored the events."""

    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, kind=ErrorKind.SERVER, **kw)


class TransportError(AxiomError):
    """The network failed: no HTTP answer at all.

    `maybe_sent` is True when the failure came after the request body was fully written (a read
    timeout, the server closing the connection without an answer): the server may have stored
    those events, so resending them may duplicate them and the job must report that. It is False
    when the request cannot have reached the server whole (connection refused, connect/pool
    timeout, a failed write): resending is safe."""

    def __init__(self, message: str, *, maybe_sent: bool, **kw: Any) -> None:
        super().__init__(message, kind=ErrorKind.TRANSPORT, maybe_sent=maybe_sent, **kw)


class InsecureURL(AxiomError):
    """Plain http:// to a host that is not this machine: the token would cross the network in clear."""

    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, kind=ErrorKind.INSECURE_URL, **kw)


class CredentialsInURL(AxiomError):
    """A URL with a user name or password in it (http://user:pass@host): httpx would sign in with
    them instead of the token, and every message naming the URL would show the password. Refused;
    the message never repeats the URL."""

    def __init__(self, message: str = "the URL has a user name or password in it; remove it — the token "
                 "is how Axiom Drop signs in", **kw: Any) -> None:
        super().__init__(message, kind=ErrorKind.INSECURE_URL, **kw)
