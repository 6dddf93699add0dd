"""`axiom-drop resume [--all | JOB_ID…]`: list unfinished jobs, or continue them where they stopped.
A job whose file was sent in full since is neither listed nor resumed, as in the window's resume
bar (core's history.resumable says which); the listing says so."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from app.cli.clients import open_client, where_label
from app.cli.options import UsageError
from app.cli.output import (
    EXIT_FAILURES, EXIT_OK, EXIT_USAGE, ProgressLine, describe_summary, error_summary, usage_error,
)


async def cmd_resume(args) -> int:
    from app.core import axiom, config, connect, history, journal
    from app.core.job import JobState, StopKind, resume_job

    try:
        journal.prune(config.load_settings().history_keep_days)
        unfinished, superseded = history.resumable(journal.unfinished_jobs())
        notices = journal.notices()
    except journal.JournalError as e:
        return usage_error(args, str(e))
    sent_since = [{"id": r.id, "name": r.name, "sent_in_full_by": later.id, "why": history.sent_since_text(r, later)}
                  for r, later in superseded]
    if not args.json:
        for notice in notices:
            print(f"warning: {notice}")
        for item in sent_since:
            print(f"note: {item['why']}")
    if not args.all and not args.jobs:
        if args.json:
            listing = {"jobs": [r.to_json() for r in unfinished]}
            if notices:
                listing["notices"] = notices
            if sent_since:
                listing["sent_since"] = sent_since
            print(json.dumps(listing, ensure_ascii=False))
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
            sent = [item for item in sent_since if item["id"].startswith(given)]
            if not matches and len(sent) == 1:
                summaries.append(error_summary(given, sent[0]["why"]))
                code = EXIT_USAGE
                continue
            if len(matches) == 1:
                if matches[0] not in selected:
                    selected.append(matches[0])
                continue
            known = journal.find_jobs(given)
            problem = (f"job id {given!r} is ambiguous ({', '.join(r.id for r in matches)})" if matches else
                       f"job {known[0].id} ({known[0].name}) has nothing left to send" if len(known) == 1 else
                       f"no job with id {given!r} (`axiom-drop resume` lists them)")
            summaries.append(error_summary(given, problem))
            code = EXIT_USAGE
    if not selected and not summaries:
        return _finish(args, [], EXIT_OK, "no unfinished uploads", sent_since)

    clients: dict[tuple, tuple] = {}
    try:
        for record in selected:
            try:
                client, sandbox = _client_for(args, record, clients)
            except axiom.InsecureURL as e:
                return usage_error(args, f"{e.message} (from the command line: --allow-http)")
            except (UsageError, connect.ConnectError, axiom.AxiomError) as e:
                summaries.append(error_summary(record.name, str(getattr(e, "message", e)), record))
                code = EXIT_USAGE
                continue
            _, endpoint = where_label(record.profile, client, sandbox)
            await connect.learn_region(client, record.dataset)
            try:
                line = ProgressLine(Path(record.name).name, sys.stderr.isatty() and not args.json)
                job = resume_job(record, client, endpoint=endpoint, on_progress=line, in_flight=args.in_flight)
            except journal.ResumeError as e:
                summaries.append(error_summary(record.name, str(e), record))
                code = EXIT_USAGE
                continue
            result = await job.run()
            line.done()
            summaries.append(result.to_json(record.name))
            if result.error_kind in (StopKind.INPUT, StopKind.AUTH, StopKind.DATASET, StopKind.CHANGED, StopKind.BUSY):
                code = EXIT_USAGE
            elif code == EXIT_OK and result.state != JobState.DONE:
                code = EXIT_FAILURES
    finally:
        for client, sandbox in clients.values():
            await client.aclose()
            if sandbox is not None:
                sandbox.stop()
    return _finish(args, summaries, code, sent_since=sent_since)


def _client_for(args, record, cache: dict) -> tuple:
    """(client, sandbox or None) for a job: the one asked for on the command line, else the job's
    own profile. One client per place, shared by the jobs sent there."""
    from app.core.connect import SANDBOX_ENDPOINT

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
        cache[key] = open_client(ns)
    return cache[key]


def _finish(args, summaries: list[dict], code: int, note: str | None = None, sent_since: list | None = None) -> int:
    if args.json:
        out: dict = {"files": summaries}
        if sent_since and args.all:  # what --all left out, and why
            out["sent_since"] = sent_since
        print(json.dumps(out, ensure_ascii=False))
    else:
        if note:
            print(note)
        for s in summaries:
            print(describe_summary(s))
    return code
