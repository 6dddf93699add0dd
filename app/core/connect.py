"""Profile → token → client: the one way the window and the CLI reach Axiom or the local sandbox.

Starting the sandbox is the caller's part (core does not import app.sandbox): the window starts
it off the GUI thread, the CLI for one run; both build its client here.
"""

from __future__ import annotations

import os
from typing import Mapping

from app.core import axiom, config

# The journal's endpoint for jobs sent to the local sandbox: its port changes between runs, so
# its jobs are recorded under this fixed label and a job started today resumes tomorrow.
SANDBOX_ENDPOINT = "sandbox (local)"
SANDBOX_PROFILE = "Local sandbox"


class ConnectError(Exception):
    """No client can be built from what is configured: no such profile, no token, no keyring."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def find_profile(settings: config.Settings, name: str) -> config.Profile:
    try:
        return settings.profile(name)
    except KeyError:
        names = ", ".join(p.name for p in settings.profiles)
        raise ConnectError(f"no profile named {name!r} (there are: {names})") from None


def read_token(profile_name: str) -> tuple[str | None, str]:
    """(token, where it is kept: "session" or the keyring's name; "none" without one).

    Blocks on the keyring (the window calls it in a worker thread); raises
    secrets.NoSecureKeyring when there is no secure keyring."""
    from app.core import secrets  # the keyring's imports cost ~15 ms: only when a token is needed

    token = secrets.SESSION_TOKENS.get(profile_name)
    if token:
        return token, "session"
    token = secrets.get_token(profile_name)
    if not token:
        return None, "none"
    return token, secrets.backend_description()[0]


def token_for(profile: config.Profile, environ: Mapping[str, str] | None = None) -> str:
    """The command line's token for a profile: AXIOM_TOKEN, else the stored one."""
    from app.core import secrets

    env = os.environ if environ is None else environ
    token = env.get("AXIOM_TOKEN")
    if token:
        return token
    try:
        token, _ = read_token(profile.name)
    except secrets.NoSecureKeyring as e:
        raise ConnectError(f"{e} Set AXIOM_TOKEN instead.") from None
    if not token:
        raise ConnectError(f"no token stored for profile {profile.name!r}: add one in the window, or set AXIOM_TOKEN")
    return token


def client_for(profile: config.Profile, token: str, *, sandbox_url: str | None = None, org_id: str | None = None,
               allow_http: bool = False) -> axiom.AxiomClient:
    """A client for `profile` (a sandbox profile needs the running sandbox's URL). The profile's
    org ID wins over `org_id`; plain http is allowed when asked, confirmed for the profile, or
    to the sandbox (this machine)."""
    endpoint = axiom.Endpoint.for_profile(profile, sandbox_url=sandbox_url)
    return axiom.AxiomClient(endpoint, token, profile.org_id or org_id or None,
                             allow_http=allow_http or profile.allow_http or profile.kind == "sandbox")


def sandbox_client(sandbox) -> axiom.AxiomClient:
    """A client for a running local sandbox (anything with `url` and `token`)."""
    return client_for(config.Profile(SANDBOX_PROFILE, "sandbox"), sandbox.token, sandbox_url=sandbox.url)


def env_client(*, allow_http: bool = False, environ: Mapping[str, str] | None = None) -> axiom.AxiomClient:
    """A client from AXIOM_TOKEN, AXIOM_URL and AXIOM_ORG_ID, like Axiom's own tools."""
    env = os.environ if environ is None else environ
    if not env.get("AXIOM_TOKEN"):
        raise ConnectError("no token: set AXIOM_TOKEN (and AXIOM_URL, AXIOM_ORG_ID as needed), "
                           "or use --profile NAME, or --sandbox to try it locally")
    return axiom.client_from_env(env, allow_http=allow_http)
