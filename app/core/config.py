"""Where Axiom Drop keeps its files, and its profiles and preferences.

All paths come from here. `AXIOM_DROP_HOME`, when set, holds everything (config, data, journal,
logs), so tests and scripts never touch the user's real directories. The token is never stored
here: see secrets.py.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import platformdirs

APP_DIR_NAME = "axiom-drop"

# Hosts of Axiom's cloud, per docs/axiom-api.md.
API_URL = "https://api.axiom.co"
APP_URL = "https://app.axiom.co"  # Axiom's web app: where tokens and datasets are made
EDGE_URLS = {
    "us": "https://us-east-1.aws.edge.axiom.co",
    "eu": "https://eu-central-1.aws.edge.axiom.co",
}


def _home() -> Path | None:
    value = os.environ.get("AXIOM_DROP_HOME")
    return Path(value).expanduser() if value else None


def _dir(under_home: str, platform_dir) -> Path:
    """`AXIOM_DROP_HOME/<under_home>` when set, else the platform's folder; made if missing."""
    home = _home()
    path = home / under_home if home else Path(platform_dir(APP_DIR_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    return _dir("config", platformdirs.user_config_dir)


def data_dir() -> Path:
    return _dir("data", platformdirs.user_data_dir)


def log_dir() -> Path:
    return _dir("logs", platformdirs.user_log_dir)


def sandbox_dir() -> Path:
    """Where the local sandbox stores what it accepts (NDJSON per dataset)."""
    path = data_dir() / "sandbox"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Profile:
    """A place to send data. `kind` is sandbox, us, eu or custom."""

    name: str
    kind: str = "sandbox"
    url: str = ""  # custom base URL (kind == "custom")
    edge_url: str = ""  # custom: an edge for ingest (/v1/ingest/{id}) beside the base URL; empty: legacy ingest there
    org_id: str = ""  # needed with a personal access token (xapt-…)
    dataset: str = ""  # the last dataset chosen with this profile
    recent_datasets: list[str] = field(default_factory=list)
    allow_http: bool = False  # the user confirmed plain http to a non-loopback host

    def remember_dataset(self, name: str, keep: int = 10) -> None:
        self.dataset = name
        self.recent_datasets = [name] + [d for d in self.recent_datasets if d != name][: keep - 1]


DEFAULT_PROFILES = [
    Profile("Local sandbox", "sandbox"),
    Profile("Axiom US", "us"),
    Profile("Axiom EU", "eu"),
]


@dataclass
class Settings:
    profiles: list[Profile] = field(default_factory=lambda: [Profile(**asdict(p)) for p in DEFAULT_PROFILES])
    current_profile: str = "Local sandbox"
    history_keep_days: int = 30

    def profile(self, name: str | None = None) -> Profile:
        name = name or self.current_profile
        for p in self.profiles:
            if p.name == name:
                return p
        raise KeyError(f"no profile named {name!r}")

    def upsert(self, profile: Profile) -> None:
        self.profiles = [p for p in self.profiles if p.name != profile.name] + [profile]


def settings_path() -> Path:
    return config_dir() / "settings.json"


def load_settings() -> Settings:
    path = settings_path()
    try:
        raw = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return Settings()
    profiles = [Profile(**{k: v for k, v in p.items() if k in Profile.__dataclass_fields__}) for p in raw.get("profiles", [])]
    settings = Settings(
        profiles=profiles or Settings().profiles,
        current_profile=raw.get("current_profile", "Local sandbox"),
        history_keep_days=int(raw.get("history_keep_days", 30)),
    )
    return settings


def save_settings(settings: Settings) -> None:
    """Write atomically: a crash mid-write leaves the old file, never half a file."""
    path = settings_path()
    data = json.dumps(asdict(settings), indent=2)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(data)
    os.replace(tmp, path)
