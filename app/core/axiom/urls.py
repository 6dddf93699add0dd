"""The one policy for where the token may go: loopback hosts, plain http, same-origin redirects."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import httpx

from app.core.axiom.errors import CredentialsInURL, InsecureURL


def is_loopback_host(host: str) -> bool:
    """This machine: localhost, *.localhost (RFC 6761), 127.0.0.0/8, ::1."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str | None) -> bool:
    """True when the URL's host is this machine: plain http there never leaves the computer."""
    return is_loopback_host(urlsplit(url or "").hostname or "")


def check_url(url: str, *, allow_http: bool = False) -> str:
    """Refuse URLs that would send the token in clear to another machine, or sign in with the
    user name and password in them instead of the token (CredentialsInURL). Returns the URL."""
    parts = urlsplit(url)
    if "@" in parts.netloc:
        raise CredentialsInURL()
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise InsecureURL(f"not an http(s) URL: {url!r}")
    if scheme == "http" and not allow_http and not is_loopback_host(parts.hostname):
        raise InsecureURL(
            f"{url} uses plain http to another machine: the token would travel unencrypted. "
            "Use https, or confirm that you want plain http for this profile."
        )
    return url


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the default port filled in: a redirect is followed only
    within one origin, so the token never reaches another host."""
    default = {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host.lower(), url.port or default)
