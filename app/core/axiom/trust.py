"""Which CA certificates verify a server: the operating system's trust store (via `truststore`,
as pip does), so a company's TLS-inspecting proxy whose CA the IT department installed works in
the app as it does in the browser; SSL_CERT_FILE / SSL_CERT_DIR when the user sets them; certifi's
bundle only when the system has no store the app can use (a bare Linux without ca-certificates)."""

from __future__ import annotations

import os
import re
import ssl
import sys
from dataclasses import dataclass

import httpx

# Where Linux distributions keep their bundle when OpenSSL's compiled-in paths are empty (the
# list truststore itself searches, from certifi-system-store).
_LINUX_BUNDLES = (
    "/etc/ssl/cert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/pki/tls/cert.pem",
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/ssl/ca-bundle.pem",
)
_HASHED_NAME = re.compile(r"^[0-9a-fA-F]{8}\.[0-9]$")


@dataclass(frozen=True)
class Trust:
    """The store a context trusts, for the self-test and for error messages."""

    kind: str  # "system" | "environment" | "certifi"
    where: str  # the file, folder or OS service it reads

    def describe(self) -> str:
        return {
            "system": f"the operating system's certificates ({self.where})",
            "environment": f"the certificates named by {self.where}",
            "certifi": f"certifi's bundle ({self.where}): the system has no certificate store the app can use",
        }[self.kind]


def _env_override() -> str | None:
    names = [n for n in ("SSL_CERT_FILE", "SSL_CERT_DIR") if os.environ.get(n)]
    return " and ".join(f"{n}={os.environ[n]}" for n in names) or None


def _linux_store() -> str | None:
    """The system bundle OpenSSL (and so truststore) will load on Linux, or None."""
    paths = ssl.get_default_verify_paths()
    if paths.cafile:
        return paths.cafile
    if paths.capath and os.path.isdir(paths.capath) and any(_HASHED_NAME.match(n) for n in os.listdir(paths.capath)):
        return paths.capath
    return next((p for p in _LINUX_BUNDLES if os.path.isfile(p)), None)


def system_store() -> str | None:
    """What the OS store is on this platform, or None when there is none to use."""
    if sys.platform == "darwin":
        return "the macOS Keychain"
    if sys.platform == "win32":
        return "the Windows certificate store"
    return _linux_store()


def which_trust(trust_env: bool = True) -> Trust:
    """The rule, without building a context (the self-test reports it)."""
    override = _env_override() if trust_env else None
    if override:
        return Trust("environment", override)
    store = system_store()
    if store:
        try:
            import truststore  # noqa: F401
        except ImportError:
            store = None
    if store:
        return Trust("system", store)
    import certifi

    return Trust("certifi", certifi.where())


def tls_context(trust_env: bool = True) -> tuple[ssl.SSLContext, Trust]:
    """A verifying context for httpx, and which store it trusts. `trust_env` False (everything on
    loopback) ignores SSL_CERT_FILE / SSL_CERT_DIR, as httpx does for proxies."""
    trust = which_trust(trust_env)
    if trust.kind == "system":
        import truststore

        ctx: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return ctx, trust
    return httpx.create_ssl_context(trust_env=trust.kind == "environment"), trust
