"""The command line's grammar: one subcommand per module of this package."""

from __future__ import annotations

import argparse

COMMANDS = ("inspect", "send", "resume", "sandbox", "export-vector")


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
    p.add_argument("--time-zone", metavar="ZONE",
                   help="the zone of times written without one: UTC (default, as Axiom reads them), "
                        "local (this computer's) or a name such as Europe/Berlin")
    p.add_argument("--date-order", choices=["dmy", "mdy"],
                   help="read dates such as 03/01/2026 day first (dmy) or month first (mdy); "
                        "needed when every sampled date fits both")
    p.add_argument("--allow-unread-times", action="store_true",
                   help="send even when the time field does not read for some sampled rows "
                        "(those events fail)")
    p.add_argument("--csv-delimiter", help="override the detected delimiter (use '\\t' for tab)")
    p.add_argument("--csv-fields", help="comma-separated field names for a CSV without a header row")
    p.add_argument("--typed-columns", choices=["auto", "on", "off"], default="auto",
                   help="CSV numbers and booleans as typed values, sent as NDJSON (auto: when the sample is "
                        "clearly typed; see `inspect`)")
    p.add_argument("--column-type", action="append", default=[], metavar="FIELD=TYPE",
                   help="override one column's inferred type: text, number, decimal-comma or boolean")
    p.add_argument("--empty-cells", choices=["omit", "null"], default=None,
                   help="typed CSV: leave an empty cell's field out (default) or send it as null")
    p.add_argument("--label", action="append", default=[], metavar="KEY=VALUE",
                   help="add a label to every event (repeatable)")
    p.add_argument("--create-dataset", action="store_true",
                   help="create the dataset when it does not exist (in the profile's region), then send; "
                        "without it, a missing dataset stops the upload (exit 2) and nothing is sent")
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

    p = sub.add_parser("export-vector", help="write a Vector configuration that keeps shipping files like these",
                       description="Writes a Vector (vector.dev) configuration: a file source for the files' "
                                   "pattern, the parsing that was detected, and the axiom sink for the dataset "
                                   "and its region. The token is read from AXIOM_TOKEN when Vector runs; it is "
                                   "never written to the file.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--dataset", "-d", required=True)
    p.add_argument("--profile", help="a profile of the app (its URL and region)")
    p.add_argument("--region", choices=["us", "eu"], help="the dataset's region (default: the profile's)")
    p.add_argument("--output", "-o", help="write here instead of standard output")
    p.add_argument("--format", choices=["ndjson", "json-array", "json-object", "json", "csv"])
    p.add_argument("--timestamp-field")
    p.add_argument("--timestamp-format", help="a Go time layout, e.g. 2006-01-02 15:04:05")
    p.add_argument("--csv-delimiter")
    p.add_argument("--csv-fields")
    p.add_argument("--label", action="append", default=[], metavar="KEY=VALUE")

    p = sub.add_parser("sandbox", help="run a local Axiom-compatible server on loopback")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--token")
    p.add_argument("--data-dir")
    p.add_argument("--strict", action="store_true",
                   help="serve the API host and one edge per region on separate ports, as Axiom does")
    p.add_argument("--plan", choices=("cloud", "personal"), default="cloud",
                   help="the Axiom plan's limits: cloud (1,024 fields per dataset) or personal (256)")
    return parser
