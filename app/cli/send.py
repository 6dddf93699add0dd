"""`axiom-drop send PATH… -d DATASET`: sniff, plan and send each input; a summary per file."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import asyncio

from app.cli import startup
from app.cli.clients import open_client, where_label
from app.cli.options import UsageError
from app.cli.output import EXIT_FAILURES, EXIT_OK, EXIT_USAGE, ProgressLine, describe_summary, usage_error


def _prepare(args):
    """The plan overrides, the files the paths name, the first file's sniff, and every module
    reading and sending will need (plan, sniff, job, journal …). Run in a worker thread while the
    dataset's region is asked for: this work takes the time the round trip would otherwise leave
    idle (issue #15: the CLI's first request). The first sniff is the costly one (a CSV's loads
    clevercsv, ~0.15 s); only a regular file is sniffed here, never a pipe that could block."""
    from app.cli.options import overrides_from_args
    import app.cli.times  # noqa: F401
    import app.core.job  # noqa: F401
    import app.core.journal  # noqa: F401
    from app.core import sniff as sniffing
    from app.core.io import expand_paths

    overrides = overrides_from_args(args)
    files, problems = expand_paths([p for p in args.paths if p != "-"])
    first = sniffing.sniff_path(files[0]) if files and files[0].is_file() else None
    return overrides, files, problems, first


async def cmd_send(args) -> int:
    from app.core import axiom, connect
    from app.core.axiom.models import create_name_refusal

    summaries: list[dict] = []
    notes: list[str] = []
    code = EXIT_OK
    if args.create_dataset and (refusal := create_name_refusal(args.dataset)):
        return usage_error(args, refusal)  # before any request: Axiom would refuse to make it
    try:
        client, sandbox = open_client(args)
    except axiom.InsecureURL as e:
        return usage_error(args, f"{e.message} (from the command line: --allow-http)")
    except (UsageError, connect.ConnectError, axiom.AxiomError) as e:
        return usage_error(args, str(getattr(e, "message", e)))
    try:
        # The ingest routes by the dataset's own region: asked for now, while a worker thread reads
        # the options and sniffs the first file (a wrong option is said once the answer is in; the
        # request only reads metadata).
        # The HTTP client first (httpcore's import, the TLS context): the region request then leaves at
        # once rather than sharing the interpreter with the worker's imports (~35 ms sooner, which is
        # what a distant Axiom's round trip can hide). A failure here is said by the first request.
        with contextlib.suppress(axiom.AxiomError):
            await client.prepare()
        region = asyncio.ensure_future(connect.learn_region(client, args.dataset))
        prepared = asyncio.ensure_future(asyncio.to_thread(_prepare, args))
        await asyncio.wait([region, prepared])
        region.result()
        startup.release_collector()  # what reading and sending need is imported
        try:
            overrides, files, problems, first_sniff = prepared.result()
        except UsageError as e:
            return usage_error(args, str(e))
        from app.cli.times import time_refusal
        from app.core import journal, sniff as sniffing
        from app.core.io import LOOP_SKIPPED
        from app.core.job import JobState, Source, StopKind, UploadJob, policy, resume_job
        from app.core.plan import PlanError, override_problem, plan_for, unsure_format

        inputs: list[tuple[str, object]] = [(str(f), f) for f in files]
        if "-" in args.paths:
            inputs.insert(args.paths.index("-"), ("-", "-"))
        for problem in problems:
            if problem.endswith(LOOP_SKIPPED):  # nothing lost: the folder was read once already
                notes.append(problem)
                continue
            summaries.append({"path": problem.split(":")[0], "error": problem, "ingested": 0, "failed": 0,
                              "not_sent": 0, "possible_duplicates": 0, "failures": []})
            code = EXIT_USAGE
        if not inputs and not problems:
            return usage_error(args, "no supported files found in the given folders")
        tty = sys.stderr.isatty() and not args.json
        created = False
        if args.create_dataset and "-" in args.paths:  # standard input cannot be read twice: make it first
            created, problem = await _create_dataset(client, args.dataset)
            if problem:
                return usage_error(args, problem)
        for index, (name, item) in enumerate(inputs):
            if item == "-":
                head = sys.stdin.buffer.read(1 << 20)
                found = sniffing.sniff_bytes(head, "-")
                source = Source.from_stream(sys.stdin.buffer, head, "-")
            else:
                found = first_sniff if first_sniff is not None and item is files[0] else sniffing.sniff_path(item)
                source = Source.from_path(item)
            try:
                plan = plan_for(found, overrides)
            except PlanError as e:
                summaries.append({"path": name, "error": str(e), "ingested": 0, "failed": 0, "not_sent": 0,
                                  "possible_duplicates": 0, "failures": []})
                code = EXIT_USAGE
                continue
            refusal = (override_problem(plan, overrides)
                       or unsure_format(found, bool(overrides.format or overrides.log_format), "choose it with --format")
                       or time_refusal(found, plan, args))
            if refusal:
                summaries.append({"path": name, "error": refusal, "ingested": 0, "failed": 0, "not_sent": 0,
                                  "possible_duplicates": 0, "failures": []})
                code = EXIT_USAGE
                continue
            line = ProgressLine(Path(name).name, tty)
            profile_name, endpoint = where_label(args.profile, client, sandbox)
            job = UploadJob(source, plan, client, args.dataset, on_progress=line, in_flight=args.in_flight,
                            compression=None if args.compression == "none" else args.compression,
                            profile=profile_name, endpoint=endpoint)
            result = await job.run()
            if policy.dataset_is_missing(result.error_kind) and args.create_dataset and not created:
                created, problem = await _create_dataset(client, args.dataset)
                if problem:
                    result.error = f"{result.error}; creating it failed: {problem}"
                elif result.job_id and (records := journal.find_jobs(result.job_id)) and item != "-":
                    await connect.learn_region(client, args.dataset)
                    job = resume_job(records[0], client, endpoint=endpoint, on_progress=line, in_flight=args.in_flight)
                    result = await job.run()  # the events not sent, into the dataset just made
            elif policy.dataset_is_missing(result.error_kind):
                result.error = policy.missing_dataset_message(
                    args.dataset, "add --create-dataset and send again" if item == "-" else
                    "add --create-dataset to create it (or create it, then `axiom-drop resume`)", item != "-")
            line.done()
            summaries.append(result.to_json(name))
            if result.error_kind in (StopKind.INPUT, StopKind.AUTH, StopKind.DATASET):
                code = EXIT_USAGE
            elif code == EXIT_OK and result.state != JobState.DONE:
                code = EXIT_FAILURES
            if result.error_kind in (StopKind.AUTH, StopKind.DATASET, StopKind.QUOTA):
                for rest, _ in inputs[index + 1:]:  # not read, not sent: said, never dropped from the summary
                    summaries.append({"path": rest, "error": f"not sent, not read: the upload stopped at {name} "
                                                             f"({result.error_kind.value}, see above)",
                                      "ingested": 0, "failed": 0, "not_sent": 0, "possible_duplicates": 0,
                                      "failures": []})
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


async def _create_dataset(client, dataset: str) -> tuple[bool, str | None]:
    """--create-dataset: make it in the profile's region; (made or found, problem or None)."""
    from app.core import axiom

    try:
        await client.create_dataset(dataset)
    except axiom.Conflict:
        return True, None  # made meanwhile, elsewhere: fine
    except axiom.AxiomError as e:
        return False, f"could not create dataset {dataset!r}: {e.message}"
    print(f"created dataset {dataset!r}" + (f" in {client.endpoint.region}" if client.endpoint.region else ""),
          file=sys.stderr)
    return True, None
