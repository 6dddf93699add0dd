"""Where the sandbox keeps what it accepts: `{data_dir}/{dataset}.ndjson` per dataset, and the
datasets' descriptions in `{data_dir}/.datasets.json` (a name that cannot clash with a dataset's
file). A `.ndjson` file without a description is a dataset too, so data survives a restart."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeGuard

import orjson

from app.core.time import datetime_ns, format_time
from app.sandbox.errors import ApiError
from app.sandbox.events import flatten_names, prepare_event, refusal
from app.sandbox.limits import PLAN_FIELDS
from app.sandbox.names import LOCAL, name_error

EVENT_KIND = "axiom:events:v1"
METADATA_FILE = ".datasets.json"
_NAME_RE = re.compile(r"[A-Za-z0-9._-]{1,128}")


def valid_name(name: object) -> TypeGuard[str]:
    """A name that is safe as a file name here (new datasets must also pass names.name_error)."""
    return isinstance(name, str) and bool(_NAME_RE.fullmatch(name)) and name not in (".", "..")


class DatasetStore:
    """The datasets of one data dir. Every method holds the store's lock: the server thread
    writes while a test's thread reads."""

    def __init__(self, data_dir: Path, max_fields: int = PLAN_FIELDS["cloud"]):
        self.data_dir = data_dir
        self.max_fields = max_fields                # fields per dataset: the plan's limit
        self._lock = threading.RLock()
        self._meta: dict[str, dict] | None = None   # cached .datasets.json (+ files without one)
        self._fields: dict[str, set[str]] = {}      # per dataset: its flattened field names

    def events(self, dataset: str) -> list[dict]:
        """What is stored in `dataset` (empty when nothing is)."""
        path = self._path(dataset)
        with self._lock:
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                return []
        return [orjson.loads(line) for line in data.splitlines() if line.strip()]

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._metadata())

    def exists(self, dataset: str) -> bool:
        with self._lock:
            return dataset in self._metadata()

    def describe(self, dataset: str) -> dict | None:
        """The dataset as /v2/datasets/{dataset} answers it; None when there is no such dataset."""
        with self._lock:
            meta = self._metadata().get(dataset)
        return None if meta is None else _dataset_json(dataset, meta)

    def describe_all(self) -> list[dict]:
        with self._lock:
            meta = dict(self._metadata())
        return [_dataset_json(n, meta[n]) for n in sorted(meta)]

    def region(self, dataset: str) -> str | None:
        """The dataset's edgeDeployment; None when there is no such dataset."""
        with self._lock:
            meta = self._metadata().get(dataset)
        return None if meta is None else meta.get("edgeDeployment", LOCAL)

    def create(self, name: object, description: str, kind: str, who: str, region: str = LOCAL) -> dict:
        """A new dataset (as `describe` shows it) in `region`; ApiError 400 for a name Axiom
        would refuse, 409 when it exists."""
        problem = name_error(name)
        if problem or not valid_name(name):
            raise ApiError(400, problem or "invalid dataset name")
        with self._lock:
            meta = self._metadata()
            if name in meta:
                raise ApiError(409, f"dataset {name!r} exists")
            meta[name] = {"description": description, "kind": kind, "who": who, "edgeDeployment": region,
                          "created": format_time(time.time_ns() // 10**9 * 10**9)}
            tmp = self.data_dir / (METADATA_FILE + ".tmp")
            tmp.write_text(json.dumps(meta, indent=1), "utf-8")
            tmp.replace(self.data_dir / METADATA_FILE)  # never half a file
            self._path(name).touch()
            return _dataset_json(name, meta[name])

    def create_if_missing(self, name: str, who: str, region: str = LOCAL) -> None:
        with self._lock:
            if name not in self._metadata():
                self.create(name, "", EVENT_KIND, who, region)

    def append(self, dataset: str, events: list[dict], *, labels: dict | None, timestamp_field: str,
               layout: str | None, reject: str | None, max_fields: int) -> tuple[int, list[dict]]:
        """Prepare, check and append the events; returns (stored, failures). Called on the loop
        thread without awaiting, so concurrent requests never interleave inside a dataset.
        `max_fields` (a fault) only ever lowers the plan's limit."""
        max_fields = min(max_fields, self.max_fields)
        ingest_ns = time.time_ns()
        lines: list[bytes] = []
        failures: list[dict] = []
        with self._lock:
            known = self._dataset_fields(dataset)
            for raw in events:
                names: set[str] = set()
                event, ts, bad_time = prepare_event(raw, labels=labels, timestamp_field=timestamp_field,
                                                    layout=layout, ingest_ns=ingest_ns, names=names)
                error = bad_time or refusal(event, names, known, reject=reject, max_fields=max_fields)
                if error:
                    failures.append({"timestamp": format_time(ts), "error": error})
                    continue
                known |= names
                lines.append(orjson.dumps(event))
            if lines:
                with open(self._path(dataset), "ab") as f:
                    f.write(b"\n".join(lines) + b"\n")
                    f.flush()
        return len(lines), failures

    def delete(self, name: str) -> bool:
        """Remove the dataset and its events; False when there is no such dataset."""
        with self._lock:
            meta = self._metadata()
            if name not in meta:
                return False
            del meta[name]
            tmp = self.data_dir / (METADATA_FILE + ".tmp")
            tmp.write_text(json.dumps(meta, indent=1), "utf-8")
            tmp.replace(self.data_dir / METADATA_FILE)
            self._path(name).unlink(missing_ok=True)
            self._fields.pop(name, None)
            return True

    def clear(self) -> None:
        """Remove every dataset and its events."""
        with self._lock:
            for path in self.data_dir.glob("*.ndjson"):
                path.unlink(missing_ok=True)
            (self.data_dir / METADATA_FILE).unlink(missing_ok=True)
            self._fields.clear()
            self._meta = None

    def _path(self, dataset: str) -> Path:
        if not valid_name(dataset):
            raise ApiError(400, f"invalid dataset name {dataset!r}")
        return self.data_dir / f"{dataset}.ndjson"

    def _metadata(self) -> dict[str, dict]:
        """Known datasets (cached; the caller holds the lock). Files without metadata count too."""
        if self._meta is not None:
            return self._meta
        try:
            meta = json.loads((self.data_dir / METADATA_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            meta = {}
        for path in self.data_dir.glob("*.ndjson"):
            name = path.name[: -len(".ndjson")]
            if name not in meta and _NAME_RE.fullmatch(name):
                created = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
                meta[name] = {"description": "", "kind": EVENT_KIND, "who": "sandbox",
                              "created": format_time(datetime_ns(created.replace(microsecond=0)))}
        self._meta = meta
        return meta

    def _dataset_fields(self, dataset: str) -> set[str]:
        known = self._fields.get(dataset)
        if known is None:
            known = set()
            for event in self.events(dataset):
                flatten_names(event, "", known)
            known -= {"_time", "_sysTime"}
            self._fields[dataset] = known
        return known


def _dataset_json(name: str, meta: dict) -> dict:
    return {"id": name, "name": name, "description": meta.get("description", ""),
            "who": meta.get("who", "sandbox"), "created": meta.get("created"),
            "kind": meta.get("kind", EVENT_KIND), "edgeDeployment": meta.get("edgeDeployment", LOCAL),
            "canWrite": True}
