"""Profile → token → client: the one way the window and the CLI reach Axiom or the local sandbox.

Starting the sandbox is the caller's part (core does not import app.sandbox): the window starts
it off the GUI thread, the CLI for one run; both build its client here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
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
    endpoint = axiom.Endpoint.for_profile(profile, sandbox_url=sandbox_url)  # the routing table's inputs
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


async def learn_region(client: axiom.AxiomClient, dataset: str) -> None:
    """Before sending to `dataset`: its region (GET /v2/datasets/{id}), when that can change the
    route (routing.depends_on_region) and no listing said it yet. A token that may not read it,
    a dataset that does not exist yet or a failed request leave the profile's region in place:
    the first ingest then says what is wrong."""
    if not dataset or not client.needs_region(dataset):
        return
    try:
        await client.get_dataset(dataset)
    except axiom.AxiomError:
        pass


@dataclass
class DatasetAccess:
    """What listing the datasets showed about the token, for the window to say."""

    state: str  # "connected", "limited" (may not list; may still ingest) or "error"
    message: str
    datasets: list = field(default_factory=list)  # event datasets (otel:* kinds are not for files)
    can_list: bool | None = None  # None: unknown (the token was refused, or the listing failed)
    retry: bool = False  # no connection at all: worth trying again (CONNECT_RETRY_DELAYS) while saying so


# After "no connection" (no HTTP answer at all), the window tries again after each of these waits,
# showing "connecting…" meanwhile, then gives up until the user presses Reconnect.
CONNECT_RETRY_DELAYS = (2.0, 5.0, 10.0, 20.0, 30.0)


def retrying_text(profile: str, problem: str, delay: float) -> str:
    """The connection state while it tries again: what is wrong first (the label may be cut at
    its end), then that it is connecting again, and when."""
    return f"{_sentence(problem)}. Connecting to {profile} again in {delay:.0f} s…"


def gave_up_text(problem: str) -> str:
    return f"{_sentence(problem)} — press Reconnect to try again"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


async def list_datasets(client: axiom.AxiomClient) -> DatasetAccess:
    """List the datasets and say what a failure means. A 403 is not proof of an ingest-only
    token (Axiom answers 403 for failed authentication too): a personal token is checked with
    GET /v2/user; an API token cannot be checked (no endpoint validates it), so the first upload
    will. A 401, or a personal token refused by /v2/user, reads as "the token was refused"."""
    try:
        datasets = await client.list_datasets()
    except axiom.AuthError as e:
        if e.status is None:  # refused before asking (a personal token without the org ID)
            return DatasetAccess("error", e.message[:1].upper() + e.message[1:])
        if e.kind is not axiom.ErrorKind.FORBIDDEN:
            return DatasetAccess("error", "The token was refused (401): check it or paste a new one")
        return await _explain_403(client)
    except axiom.TransportError as e:  # "no connection to api.axiom.co: the name could not be resolved …"
        return DatasetAccess("error", _sentence(e.message), retry=True)
    except axiom.AxiomError as e:
        return DatasetAccess("error", f"Cannot list datasets: {e.message or e}")
    events = [d for d in datasets if not str(d.kind or "").startswith("otel")]
    n = len(events)
    return DatasetAccess("connected", f"Connected — {n} dataset{'s' if n != 1 else ''}", events, True)


async def _explain_403(client: axiom.AxiomClient) -> DatasetAccess:
    if client.token_kind != "personal":
        # Ingest-only, or refused: only an ingest can tell (no endpoint validates an API token).
        return DatasetAccess("limited", "Could not list datasets (403); the first upload will check the token",
                             can_list=False)
    try:
        await client.current_user()
    except axiom.AuthError as e:
        return DatasetAccess("error", f"The token was refused ({e.status or 401}): check it and the organization ID")
    except axiom.AxiomError as e:
        return DatasetAccess("error", f"Cannot list datasets (403), and checking the token failed: {e.message or e}")
    return DatasetAccess("limited", "This personal token may not list datasets here (403): check the organization ID",
                         can_list=False)


def token_help(profile: config.Profile) -> list[str]:
    """What the token dialog says about getting a token: where to create one and which
    permissions this app uses (Axiom's "Settings → API tokens"; Basic = ingest, Advanced adds
    reading and creating datasets). One paragraph a list item."""
    app = config.APP_URL.removeprefix("https://")
    where = (f"Create an API token on {app}: Settings → API tokens → New API token."
             if profile.kind != "custom" else
             f"For Axiom behind this URL, create an API token on {app}: Settings → API tokens → New API token.")
    needs = ("It needs ingest permission on the datasets you send to. To pick a dataset from the list and "
             "create datasets here, also allow it to read (list, query) and create datasets.")
    lines = [where, needs]
    if profile.kind == "eu":
        lines.append("Datasets in the EU region (eu-central-1) need an API token: a personal token (xapt-…) "
                     "can only send to US datasets.")
    return lines


def create_failure_text(name: str, err: axiom.AxiomError) -> str:
    """Why creating dataset `name` failed, once: the client's message already names the status
    ("the server refused the request (400): …"), so it is not repeated."""
    message = err.message or str(err)
    status = f" ({err.status})" if err.status and f"({err.status})" not in message else ""
    return f"Could not create “{name}”{status}: {message}"
