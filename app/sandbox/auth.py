"""Who may call what: an API token (xaat-…) or a personal access token (xapt-…) with the org id
header, compared in constant time and never logged nor written anywhere."""

from __future__ import annotations

import hmac

from aiohttp import web

from app.sandbox.errors import REASONS, ApiError


class TokenChecks:
    """Mixin of the Sandbox: the checks its handlers start with."""

    token: str
    personal_token: str
    org_id: str
    ingest_only: bool   # the API token may only ingest (403 on /v2/datasets)
    refused_status: int  # what a wrong token gets: 401, or 403 (Axiom's docs say 403 in places)

    def _auth(self, request: web.Request) -> str:
        """"api" or "personal"; ApiError 401 (or `refused_status`) otherwise. Constant-time
        compare, nothing logged."""
        value = request.headers.get("Authorization", "")
        scheme, _, given = value.partition(" ")
        if scheme.lower() == "bearer" and given.strip():
            given_b = given.strip().encode()
            if hmac.compare_digest(given_b, self.token.encode()):
                return "api"
            if hmac.compare_digest(given_b, self.personal_token.encode()):
                return "personal"
        raise ApiError(self.refused_status, REASONS[self.refused_status])  # Axiom's words

    def _check_org(self, request: web.Request) -> None:
        org = request.headers.get("X-Axiom-Org-Id")
        if not org:
            raise ApiError(403, "missing X-Axiom-Org-Id: a personal access token needs the organization ID")
        if org != self.org_id:
            raise ApiError(403, "forbidden: this token has no access to that organization (X-Axiom-Org-Id)")

    def _auth_api(self, request: web.Request) -> str:
        """Auth for /v2 calls: PAT + org id, or an API token that may do more than ingest."""
        kind = self._auth(request)
        if kind == "personal":
            self._check_org(request)
        elif self.ingest_only:
            raise ApiError(403, "forbidden: this API token may only ingest data")
        return kind
