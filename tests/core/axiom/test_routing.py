"""The routing table, exhaustively: every setup × token kind × dataset region → the ingest URL
(or a refusal before sending), and /v2 never to an edge host (docs/axiom-api.md, "Routing")."""

from __future__ import annotations

import pytest

from app.core import config
from app.core.axiom import ErrorKind, RegionError, region_label
from app.core.axiom.routing import Endpoint, from_env, ingest_route

API = "https://api.axiom.co"
US_EDGE = "https://us-east-1.aws.edge.axiom.co"
EU_EDGE = "https://eu-central-1.aws.edge.axiom.co"
PROXY = "https://axiom.example.com"
PROXY_EDGE = "https://edge.example.com"
SANDBOX = "http://127.0.0.1:5080"

US, EU, AP = "cloud.us-east-1.aws", "cloud.eu-central-1.aws", "cloud.ap-southeast-1.aws"
LISTED = "https://listed.edge.axiom.co"  # an edgeDeploymentUrl the listing gave for the dataset

SETUPS = {
    "sandbox profile": lambda: Endpoint.for_profile(config.Profile("s", "sandbox"), SANDBOX + "/"),
    "us profile": lambda: Endpoint.for_profile(config.Profile("u", "us")),
    "eu profile": lambda: Endpoint.for_profile(config.Profile("e", "eu")),
    "custom base": lambda: Endpoint.for_profile(config.Profile("c", "custom", url=PROXY + "/")),
    "custom base + edge": lambda: Endpoint.for_profile(config.Profile("c", "custom", url=PROXY, edge_url=PROXY_EDGE)),
    "custom eu edge domain": lambda: Endpoint.for_profile(config.Profile("c", "custom", url=EU_EDGE)),
    "env: nothing": lambda: from_env({}),
    "env: AXIOM_URL=api": lambda: from_env({"AXIOM_URL": API}),
    "env: AXIOM_URL=sandbox": lambda: from_env({"AXIOM_URL": SANDBOX}),
    "env: AXIOM_URL + AXIOM_EDGE_URL=eu": lambda: from_env({"AXIOM_URL": API, "AXIOM_EDGE_URL": EU_EDGE + "/"}),
    "env: AXIOM_EDGE=eu domain": lambda: from_env({"AXIOM_EDGE": "eu-central-1.aws.edge.axiom.co"}),
    "env: AXIOM_URL + custom edge": lambda: from_env({"AXIOM_URL": SANDBOX, "AXIOM_EDGE_URL": "http://127.0.0.1:5081"}),
}

# (api_url, ingest_url, edge, region) each setup must become
ENDPOINTS = {
    "sandbox profile": (SANDBOX, SANDBOX, True, None),
    "us profile": (API, US_EDGE, True, US),
    "eu profile": (API, EU_EDGE, True, EU),
    "custom base": (PROXY, PROXY, False, None),
    "custom base + edge": (PROXY, PROXY_EDGE, True, None),
    "custom eu edge domain": (API, EU_EDGE, True, EU),
    "env: nothing": (API, US_EDGE, True, US),
    "env: AXIOM_URL=api": (API, API, False, None),
    "env: AXIOM_URL=sandbox": (SANDBOX, SANDBOX, False, None),
    "env: AXIOM_URL + AXIOM_EDGE_URL=eu": (API, EU_EDGE, True, EU),
    "env: AXIOM_EDGE=eu domain": (API, EU_EDGE, True, EU),
    "env: AXIOM_URL + custom edge": (SANDBOX, "http://127.0.0.1:5081", True, None),
}

REFUSED = "refused"
E = "/v1/ingest/d"            # the edge path
L = "/v1/datasets/d/ingest"   # the legacy path
# The dataset's region as the listing said it: not known, US, EU, the sandbox's "local", an
# Axiom region without a known edge, or EU with an edgeDeploymentUrl.
REGIONS = {"unknown": (None, None), "us": (US, None), "eu": (EU, None), "local": ("local", None),
           "ap": (AP, None), "eu+url": (EU, LISTED)}

API_TOKEN = {
    "sandbox profile":      dict(unknown=SANDBOX + E, us=SANDBOX + E, eu=SANDBOX + E, local=SANDBOX + E, ap=SANDBOX + E, **{"eu+url": SANDBOX + E}),
    "us profile":           dict(unknown=US_EDGE + E, us=US_EDGE + E, eu=EU_EDGE + E, local=US_EDGE + E, ap=REFUSED, **{"eu+url": LISTED + E}),
    "eu profile":           dict(unknown=EU_EDGE + E, us=US_EDGE + E, eu=EU_EDGE + E, local=EU_EDGE + E, ap=REFUSED, **{"eu+url": LISTED + E}),
    "custom base":          dict(unknown=PROXY + L, us=US_EDGE + E, eu=EU_EDGE + E, local=PROXY + L, ap=REFUSED, **{"eu+url": LISTED + E}),
    "custom base + edge":   dict(unknown=PROXY_EDGE + E, us=PROXY_EDGE + E, eu=PROXY_EDGE + E, local=PROXY_EDGE + E, ap=PROXY_EDGE + E, **{"eu+url": PROXY_EDGE + E}),
    "custom eu edge domain": dict(unknown=EU_EDGE + E, us=US_EDGE + E, eu=EU_EDGE + E, local=EU_EDGE + E, ap=REFUSED, **{"eu+url": LISTED + E}),
    "env: nothing":         dict(unknown=US_EDGE + E, us=US_EDGE + E, eu=EU_EDGE + E, local=US_EDGE + E, ap=REFUSED, **{"eu+url": LISTED + E}),
    "env: AXIOM_URL=api":   dict(unknown=API + L, us=US_EDGE + E, eu=EU_EDGE + E, local=API + L, ap=REFUSED, **{"eu+url": LISTED + E}),
    "env: AXIOM_URL=sandbox": dict(unknown=SANDBOX + L, us=US_EDGE + E, eu=EU_EDGE + E, local=SANDBOX + L, ap=REFUSED, **{"eu+url": LISTED + E}),
    "env: AXIOM_URL + AXIOM_EDGE_URL=eu": dict(unknown=EU_EDGE + E, us=US_EDGE + E, eu=EU_EDGE + E, local=EU_EDGE + E, ap=REFUSED, **{"eu+url": LISTED + E}),
    "env: AXIOM_EDGE=eu domain": dict(unknown=EU_EDGE + E, us=US_EDGE + E, eu=EU_EDGE + E, local=EU_EDGE + E, ap=REFUSED, **{"eu+url": LISTED + E}),
    "env: AXIOM_URL + custom edge": dict(unknown="http://127.0.0.1:5081" + E, us="http://127.0.0.1:5081" + E, eu="http://127.0.0.1:5081" + E,
                                         local="http://127.0.0.1:5081" + E, ap="http://127.0.0.1:5081" + E, **{"eu+url": "http://127.0.0.1:5081" + E}),
}


def _personal(setup: str) -> dict[str, str]:
    """A personal token only ever uses the legacy endpoint on the API host (US East): refused for
    a dataset in another Axiom region, and, when the dataset's region is not known, from a setup
    in one ("local" is the sandbox's: not an Axiom region)."""
    api, _, _, profile_region = ENDPOINTS[setup]
    return dict(unknown=REFUSED if profile_region == EU else api + L, us=api + L, eu=REFUSED, local=api + L,
                ap=REFUSED, **{"eu+url": REFUSED})


@pytest.mark.parametrize("setup", SETUPS)
def test_each_setup_makes_its_endpoint_and_never_sends_v2_to_an_edge(setup):
    ep = SETUPS[setup]()
    assert (ep.api_url, ep.ingest_url, ep.edge, ep.region) == ENDPOINTS[setup]
    assert ".edge.axiom.co" not in ep.api_url


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("token", ["api", "personal"])
@pytest.mark.parametrize("setup", SETUPS)
def test_routing_table(setup, token, region):
    expected = (API_TOKEN[setup] if token == "api" else _personal(setup))[region]
    name, url = REGIONS[region]
    ep = SETUPS[setup]()
    if expected == REFUSED:
        with pytest.raises(RegionError) as e:
            ingest_route(ep, token, "d", name, url)
        assert e.value.kind is ErrorKind.REGION and "nothing was sent" in e.value.message
        return
    route = ingest_route(ep, token, "d", name, url)
    assert route.url == expected
    assert route.edge == expected.endswith(E)


def test_the_table_covers_every_setup():
    assert set(API_TOKEN) == set(SETUPS) == set(ENDPOINTS)
    assert all(set(row) == set(REGIONS) for row in API_TOKEN.values())


def test_personal_token_refusal_says_an_api_token_is_needed_for_eu():
    with pytest.raises(RegionError) as e:
        ingest_route(Endpoint.for_profile(config.Profile("u", "us")), "personal", "eu-logs", EU)
    assert e.value.message == (
        "dataset 'eu-logs' is in EU (eu-central-1): a personal access token (xapt-…) can only use Axiom's "
        "legacy ingest endpoint, which stores data in US East. An API token (xaat-…) is needed for EU "
        "datasets; nothing was sent")


def test_an_axiom_region_without_a_known_edge_names_the_fix():
    with pytest.raises(RegionError, match="set AXIOM_EDGE_URL"):
        ingest_route(from_env({}), "api", "d", AP)


def test_dataset_names_are_quoted_in_the_path():
    assert ingest_route(from_env({"AXIOM_URL": API}), "api", "a b/c").url == API + "/v1/datasets/a%20b%2Fc/ingest"


def test_region_names_are_matched_without_case():
    assert ingest_route(from_env({}), "api", "d", "CLOUD.EU-CENTRAL-1.AWS").url == EU_EDGE + E


def test_region_labels():
    assert region_label(EU) == "EU (eu-central-1)" and region_label(EU, short=True) == "eu-central-1"
    assert region_label(US) == "US East (us-east-1)" and region_label(AP) == "ap-southeast-1"
    assert region_label("local") == "local" and region_label(None) == ""
