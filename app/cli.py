"""The same engine from a terminal: `axiom-drop inspect|send|resume|sandbox …`.

Exit codes of `send`: 0 when every event was ingested, 1 when some failed or were not sent,
2 for a usage, file or authentication error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

COMMANDS = ("inspect", "send", "resume", "sandbox")
SANDBOX_ENDPOINT = "sandbox (local)"  # the journal's endpoint for --sandbox runs (their port changes)
EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2


def is_cli_invocation(argv: list[str]) -> bool:
    """Subcommands and options run the CLI; anything else (no args, file paths) opens the window."""
    return bool(argv) and (argv[0] in COMMANDS or argv[0] in ("-h", "--help", "--version"))


def build_parser() -> argparse.ArgumentParser:
    from app import __version__

    parser = argparse.ArgumentParser(
        prog="axiom-drop",
        description="Send JSON, NDJSON and CSV files to Axiom. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"axiom-drop {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("inspect", help="say what each input is (format, encoding, dialect, timestamp)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="one JSON object per path")

    p = sub.add_parser("send", help="send files (or - for standard input) to a dataset")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders (their supported files), or -")
    p.add_argument("--dataset", "-d", required=True)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--sandbox", action="store_true", help="send to a local sandbox started for this run")
    where.add_argument("--profile", help="a profile of the app (its token comes from the OS keyring)")
    p.add_argument("--format", choices=["ndjson", "json-array", "json-object", "json", "csv"],
                   help="override the detected format")
    p.add_argument("--timestamp-field")
    p.add_argument("--timestamp-format", help="a Go time layout, e.g. 2006-01-02 15:04:05")
    p.add_argument("--csv-delimiter", help="override the detected delimiter (use '\\t' for tab)")
    p.add_argument("--csv-fields", help="comma-separated field names for a CSV without a header row")
    p.add_argument("--label", action="append", default=[], metavar="KEY=VALUE",
                   help="add a label to every event (repeatable)")
    p.add_argument("--allow-http", action="store_true", help="allow plain http to a host other than loopback")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.add_argument("--compression", choices=["zstd", "gzip", "none"], default="zstd")
    p.add_argument("--in-flight", type=int, default=None,
                   help="requests in flight at once (default: 8, raised while it speeds up the upload)")

    p = sub.add_parser("resume", help="list interrupted uploads, or continue them (--all or JOB_ID…)",
                       description="Without --all or job ids, lists the unfinished jobs. A job continues where "
                                   "it stopped: batches the server acknowledged are not sent again; batches "
                                   "that were in flight when it stopped are resent and reported as possible "
                                   "duplicates. A file that changed since is refused.")
    p.add_argument("jobs", nargs="*", metavar="JOB_ID", help="job ids (or unique prefixes) to continue")
    p.add_argument("--all", action="store_true", help="continue every unfinished job")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--sandbox", action="store_true", help="jobs that were sent to a local sandbox")
    where.add_argument("--profile", help="a profile of the app (default: the job's own profile)")
    p.add_argument("--allow-http", action="store_true", help="allow plain http to a host other than loopback")
    p.add_argument("--json", action="store_true", help="print the list or the summary as one JSON object")
    p.add_argument("--in-flight", type=int, default=None,
                   help="requests in flight at once (default: 8, raised while it speeds up the upload)")

    p = sub.add_parser("sandbox", help="run a local Axiom-compatible server on loopback")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--token")
    p.add_argument("--data-dir")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return EXIT_USAGE if e.code not in (0, None) else EXIT_OK
    if args.command == "inspect":
        return cmd_inspect(args)
    if args.command == "send":
        try:
            return asyncio.run(cmd_send(args))
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return EXIT_FAILURES
    if args.command == "resume":
        try:
            return asyncio.run(cmd_resume(args))
        except KeyboardInterrupt:
            print("interrupted (run `axiom-drop resume` again to continue)", file=sys.stderr)
            return EXIT_FAILURES
    if args.command == "sandbox":
        return cmd_sandbox(args)
    return EXIT_USAGE


# -- inspect -----------------------------------------------------------------------------------
def cmd_inspect(args) -> int:
    from app.core import sniff as sniffing

    code = EXIT_OK
    for path in args.paths:
        result = sniffing.sniff_path(path)
        if result.error:
            code = EXIT_USAGE
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            print(describe_sniff(path, result))
    return code


def describe_sniff(path: str, s) -> str:
    if s.error:
        return f"{path}: {s.error}"
    lines = [f"{path}: {s.format} ({s.confidence:.0%} sure)"]
    details = [f"encoding {s.encoding}"]
    if s.compression:
        details.append(f"{s.compression}-compressed")
    if s.csv:
        delim = {"\t": "tab"}.get(s.csv.delimiter, repr(s.csv.delimiter))
        details.append(f"delimiter {delim}, {'a header row' if s.csv.has_header else 'no header row'}")
    details.append(f"about {s.estimated_events:,} events")
    lines.append("  " + ", ".join(details))
    if s.timestamp:
        t = s.timestamp
        how = f"timestamp-format {t.layout!r}" if t.layout else f"{t.kind}, read by the server unaided"
        lines.append(f"  timestamp: field {t.field!r} ({how}), e.g. {t.example}")
    for reason in s.reasons:
        lines.append(f"  - {reason}")
    if s.runner_up:
        lines.append(f"  runner-up: {s.runner_up[0]} ({s.runner_up[1]:.0%})")
    return "\n".join(lines)


# -- send --------------------------------------------------------------------------------------
class UsageError(Exception):
    pass


def parse_labels(pairs: list[str]) -> dict[str, str]:
    labels = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--label takes KEY=VALUE, got {pair!r}")
        labels[key] = value
    return labels


def make_plan(sniff, args):
    """The sniff's plan with the user's overrides applied."""
    from app.core.batching import Plan
    from app.core.sniff import CsvDialect

    fmt = {"json": None}.get(args.format, args.format)
    if sniff.error and not fmt:
        raise UsageError(sniff.error)
    plan = Plan.from_sniff(sniff) if not sniff.error else Plan(format=fmt, compression=sniff.compression,
                                                                encoding=sniff.encoding or "utf-8")
    if fmt:
        plan.format = fmt
    if args.format == "json" and plan.format not in ("json-array", "json-object", "ndjson"):
        plan.format = "ndjson"
    if plan.format == "csv":
        dialect = plan.csv or CsvDialect()
        if args.csv_delimiter:
            dialect.delimiter = args.csv_delimiter.replace("\\t", "\t")
        if args.csv_fields:
            dialect.fields = [f.strip() for f in args.csv_fields.split(",")]
            dialect.has_header = False
        plan.csv = dialect
    if args.timestamp_field:
        plan.timestamp_field = args.timestamp_field
    if args.timestamp_format:
        plan.timestamp_format = args.timestamp_format
    plan.labels = parse_labels(args.label)
    return plan


def open_client(args):
    """(client, sandbox or None) for --sandbox, --profile or the AXIOM_* variables."""
    from app.core import axiom, config

    if args.sandbox:
        return _sandbox_client(args)
    if args.profile:
        settings = config.load_settings()
        try:
            profile = settings.profile(args.profile)
        except KeyError:
            names = ", ".join(p.name for p in settings.profiles)
            raise UsageError(f"no profile named {args.profile!r} (there are: {names})") from None
        if profile.kind == "sandbox":
            return _sandbox_client(args)
        token = os.environ.get("AXIOM_TOKEN")
        if not token:
            from app.core import secrets  # the keyring's imports cost ~15 ms: only when needed

            try:
                token = secrets.get_token(profile.name)
            except secrets.NoSecureKeyring as e:
                raise UsageError(f"{e} Set AXIOM_TOKEN instead.") from None
        if not token:
            raise UsageError(f"no token stored for profile {profile.name!r}: add one in the window, or set AXIOM_TOKEN")
        endpoint = axiom.Endpoint.for_profile(profile)
        client = axiom.AxiomClient(endpoint, token, profile.org_id or os.environ.get("AXIOM_ORG_ID") or None,
                                   allow_http=args.allow_http or profile.allow_http)
        return client, None
    if not os.environ.get("AXIOM_TOKEN"):
        raise UsageError("no token: set AXIOM_TOKEN (and AXIOM_URL, AXIOM_ORG_ID as needed), "
                         "or use --profile NAME, or --sandbox to try it locally")
    return axiom.client_from_env(allow_http=args.allow_http), None


def _sandbox_client(args):
    from app.core import axiom
    from app.core.sandbox import Sandbox

    sandbox = Sandbox().start()
    endpoint = axiom.Endpoint(api_url=sandbox.url, ingest_url=sandbox.url)
    return axiom.AxiomClient(endpoint, sandbox.token), sandbox


class ProgressLine:
    """A live line on a terminal (standard error), redrawn at most 10 times a second."""

    def __init__(self, name: str, enabled: bool):
        self.name, self.enabled, self._last = name, enabled, 0.0

    def __call__(self, p) -> None:
        now = time.monotonic()
        if not self.enabled or now - self._last < 0.1:
            return
        self._last = now
        frac = f"{p.fraction:4.0%} " if p.fraction is not None else ""
        text = (f"\r{self.name}: {frac}{p.ingested:,} ingested, {p.failed:,} failed, "
                f"{p.bytes_per_s / 1e6:.1f} MB/s {p.state.value}")
        if p.message:
            text += f" — {p.message}"
        sys.stderr.write(text[:160].ljust(100))
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 100 + "\r")
            sys.stderr.flush()


async def cmd_send(args) -> int:
    from app.core import axiom, sniff as sniffing, sources
    from app.core.job import JobState, Source, UploadJob

    summaries: list[dict] = []
    notes: list[str] = []
    code = EXIT_OK
    try:
        parse_labels(args.label)
        client, sandbox = open_client(args)
    except axiom.InsecureURL as e:
        return _usage(args, f"{e.message} (from the command line: --allow-http)")
    except (UsageError, axiom.AxiomError) as e:
        return _usage(args, str(getattr(e, "message", e)))
    try:
        paths = [p for p in args.paths if p != "-"]
        files, problems = sources.expand_paths(paths)
        inputs: list[tuple[str, object]] = [(str(f), f) for f in files]
        if "-" in args.paths:
            inputs.insert(args.paths.index("-"), ("-", "-"))
        for problem in problems:
            if problem.endswith(sources.LOOP_SKIPPED):  # nothing lost: the folder was read once already
                notes.append(problem)
                continue
            summaries.append({"path": problem.split(":")[0], "error": problem, "ingested": 0, "failed": 0,
                              "not_sent": 0, "possible_duplicates": 0, "failures": []})
            code = EXIT_USAGE
        if not inputs and not problems:
            return _usage(args, "no supported files found in the given folders")
        tty = sys.stderr.isatty() and not args.json
        for name, item in inputs:
            if item == "-":
                head = sys.stdin.buffer.read(1 << 20)
                found = sniffing.sniff_bytes(head, "-")
                source = Source.from_stream(sys.stdin.buffer, head, "-")
            else:
                found = sniffing.sniff_path(item)
                source = Source.from_path(item)
            try:
                plan = make_plan(found, args)
            except UsageError as e:
                summaries.append({"path": name, "error": str(e), "ingested": 0, "failed": 0, "not_sent": 0,
                                  "possible_duplicates": 0, "failures": []})
                code = EXIT_USAGE
                continue
            line = ProgressLine(Path(name).name, tty)
            profile_name, endpoint = where_label(args, client, sandbox)
            job = UploadJob(source, plan, client, args.dataset, on_progress=line, in_flight=args.in_flight,
                            compression=None if args.compression == "none" else args.compression,
                            profile=profile_name, endpoint=endpoint)
            result = await job.run()
            line.done()
            summaries.append(result.to_json(name))
            if result.error_kind in ("input", "auth", "dataset"):
                code = EXIT_USAGE
            elif code == EXIT_OK and result.state != JobState.DONE:
                code = EXIT_FAILURES
            if result.error_kind in ("auth", "dataset", "quota"):
                break  # the next files would meet the same wall
    finally:
        await client.aclose()
        if sandbox is not None:
            sandbox.stop()
    if args.json:
        print(json.dumps({"dataset": args.dataset, "files": summaries, "warnings": notes}, ensure_ascii=False))
    else:
        for s in summaries:
            print(describe_summary(s))
        for note in notes:
            print(f"warning: {note}")
    return code


def where_label(args, client, sandbox) -> tuple[str | None, str]:
    """(profile, endpoint) recorded in the journal: resume must send to the same place."""
    if sandbox is not None:
        return (getattr(args, "profile", None) or "Local sandbox"), SANDBOX_ENDPOINT
    return getattr(args, "profile", None), client.endpoint.ingest_url


# -- resume ------------------------------------------------------------------------------------
async def cmd_resume(args) -> int:
    from app.core import axiom, config, journal
    from app.core.job import JobState, resume_job

    try:
        journal.prune(config.load_settings().history_keep_days)
        unfinished = journal.unfinished_jobs()
    except journal.JournalError as e:
        return _usage(args, str(e))
    if not args.all and not args.jobs:
        if args.json:
            print(json.dumps({"jobs": [r.to_json() for r in unfinished]}, ensure_ascii=False))
        elif not unfinished:
            print("no unfinished uploads")
        else:
            for r in unfinished:
                print(r.describe())
            print("continue them with `axiom-drop resume --all`, or `axiom-drop resume JOB_ID …`")
        return EXIT_OK

    summaries: list[dict] = []
    code = EXIT_OK
    selected = list(unfinished)
    if not args.all:
        selected = []
        for given in args.jobs:
            matches = [r for r in unfinished if r.id.startswith(given)]
            if len(matches) == 1:
                if matches[0] not in selected:
                    selected.append(matches[0])
                continue
            known = journal.find_jobs(given)
            problem = (f"job id {given!r} is ambiguous ({', '.join(r.id for r in matches)})" if matches else
                       f"job {known[0].id} ({known[0].name}) has nothing left to send" if len(known) == 1 else
                       f"no job with id {given!r} (`axiom-drop resume` lists them)")
            summaries.append(_error_summary(given, problem))
            code = EXIT_USAGE
    if not selected and not summaries:
        return _finish_resume(args, [], EXIT_OK, "no unfinished uploads")

    clients: dict[tuple, tuple] = {}
    try:
        for record in selected:
            try:
                key, client, sandbox = await _client_for(args, record, clients)
            except axiom.InsecureURL as e:
                return _usage(args, f"{e.message} (from the command line: --allow-http)")
            except (UsageError, axiom.AxiomError) as e:
                summaries.append(_error_summary(record.name, str(getattr(e, "message", e)), record))
                code = EXIT_USAGE
                continue
            _, endpoint = where_label(argparse.Namespace(profile=record.profile), client, sandbox)
            try:
                line = ProgressLine(Path(record.name).name, sys.stderr.isatty() and not args.json)
                job = resume_job(record, client, endpoint=endpoint, on_progress=line, in_flight=args.in_flight)
            except journal.ResumeError as e:
                summaries.append(_error_summary(record.name, str(e), record))
                code = EXIT_USAGE
                continue
            result = await job.run()
            line.done()
            summaries.append(result.to_json(record.name))
            if result.error_kind in ("input", "auth", "dataset", "changed", "busy"):
                code = EXIT_USAGE
            elif code == EXIT_OK and result.state != JobState.DONE:
                code = EXIT_FAILURES
    finally:
        for _, client, sandbox in clients.values():
            await client.aclose()
            if sandbox is not None:
                sandbox.stop()
    return _finish_resume(args, summaries, code)


async def _client_for(args, record, cache: dict):
    """The client for a job: the one asked for on the command line, else the job's own profile."""
    if args.sandbox or args.profile or os.environ.get("AXIOM_TOKEN"):
        key: tuple = ("args",)
        ns = args
    elif record.endpoint == SANDBOX_ENDPOINT:
        key, ns = ("sandbox",), argparse.Namespace(sandbox=True, profile=None, allow_http=False)
    elif record.profile:
        key, ns = ("profile", record.profile), argparse.Namespace(sandbox=False, profile=record.profile,
                                                                  allow_http=args.allow_http)
    else:
        raise UsageError(f"job {record.id} was sent with AXIOM_TOKEN/AXIOM_URL: set them again to resume it")
    if key not in cache:
        client, sandbox = open_client(ns)
        cache[key] = (key, client, sandbox)
    return cache[key]


def _error_summary(path: str, message: str, record=None) -> dict:
    return {"path": path, "error": message, "ingested": 0, "failed": 0, "not_sent": 0, "possible_duplicates": 0,
            "failures": [], "job_id": record.id if record is not None else None}


def _finish_resume(args, summaries: list[dict], code: int, note: str | None = None) -> int:
    if args.json:
        print(json.dumps({"files": summaries}, ensure_ascii=False))
    else:
        if note:
            print(note)
        for s in summaries:
            print(describe_summary(s))
    return code


def _usage(args, message: str) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"error": message, "files": []}))
    else:
        print(f"axiom-drop: {message}", file=sys.stderr)
    return EXIT_USAGE


def describe_summary(s: dict, max_failures: int = 20) -> str:
    if s.get("error") and not s.get("ingested") and s.get("state") in (None, "failed"):
        return f"{s['path']}: {s['error']}"
    head = (f"{s['path']} → {s.get('dataset', '')}: {s['ingested']:,} ingested, {s['failed']:,} failed, "
            f"{s['not_sent']:,} not sent")
    if s.get("possible_duplicates"):
        head += f", {s['possible_duplicates']:,} possible duplicates"
    lines = [head]
    if s.get("error"):
        lines.append(f"  stopped: {s['error']}" + (f" (at {s['stopped_at']})" if s.get("stopped_at") else ""))
    elif s.get("stopped_at"):
        lines.append(f"  stopped at {s['stopped_at']}")
    for f in s.get("failures", [])[:max_failures]:
        where = f"line {f['line']}" if f.get("line") else "line unknown"
        lines.append(f"  {where}: {f['error']}")
    more = len(s.get("failures", [])) - max_failures
    if more > 0:
        lines.append(f"  … and {more:,} more failures (--json lists them all)")
    for w in s.get("warnings", [])[:10]:
        lines.append(f"  warning: {w}")
    if s.get("job_id") and s.get("not_sent") and s.get("error_kind") != "input":
        lines.append(f"  continue it later with: axiom-drop resume {s['job_id']}")
    return "\n".join(lines)


# -- sandbox -----------------------------------------------------------------------------------
def cmd_sandbox(args) -> int:
    from app.core import sandbox

    argv = []
    if args.port:
        argv += ["--port", str(args.port)]
    if args.token:
        argv += ["--token", args.token]
    if args.data_dir:
        argv += ["--data-dir", args.data_dir]
    return sandbox.main(argv) or 0
