"""Benchmarks that print figures (never part of the test run): `make bench` (as root).

    make bench                          # everything, ~4 min on a 2-core machine
    make bench BENCH_ARGS=--quick       # one run per row, smaller memory inputs, ~2 min
    python bench/run.py --only link     # link | formats | startup | memory | textlog | window | folder (comma-separated)

Sections (each prints a table; all of it goes to bench/out/results.json and results.md):
- link: 80 MB of NDJSON web logs uploaded over a shaped link (50 and 500 Mbit/s: two network
  namespaces joined by a veth pair, tbf on the client side, the sandbox holding each response
  50 ms) and over plain loopback, by Axiom Drop, curl, zstd | curl, axiom-py; the lower bound.
  Needs root (network namespaces); without it only the loopback rows run.
- formats: issue #15's table: 400 MB NDJSON, 200 MB CSV, 200 MB JSON array, 200 MB syslog (a text
  log, sent unparsed by the peer) at 500 Mbit/s and 80 MB NDJSON at 50 Mbit/s, Axiom Drop against
  `zstd -3 | curl -T -`, with Axiom Drop's CPU s/MB.
- startup: the CLI's time to first request (tiny file, loopback) and its CPU time.
- memory: peak RSS of `axiom-drop send` for 1 GB NDJSON, 1 GB CSV and a 500 MB JSON array.
- textlog: text logs (syslog, access, Python with tracebacks, logfmt, log4j) read → parsed → batched →
  compressed in process, MB/s (bench/textlog_row.py).
- window: event-loop stalls while uploading and validating a paste, launch-to-shown,
  drop-to-preview (offscreen Qt).
- folder: a folder of 2,000 small files added and sent from the window (offscreen Qt): seconds
  to ready (every head sniffed), seconds to done, peak RSS (bench/folder.py).
Every row talks to the same server: the sandbox in `--fast` mode (counts and spot-checks
events, stores nothing), in its own process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data  # noqa: E402
import netns  # noqa: E402
from common import OUT, ROOT, machine  # noqa: E402

TOOLS = {"ip": "iproute2", "tc": "iproute2", "curl": "curl", "zstd": "zstd"}


def ensure_tools() -> list[str]:
    """Install the Debian packages the rows need (as root); the names of tools still missing."""
    missing = sorted({pkg for tool, pkg in TOOLS.items() if shutil.which(tool) is None})
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"installing {' '.join(missing)} (apt-get) …", flush=True)
        subprocess.run(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL, check=False)
        subprocess.run(["apt-get", "install", "-y", "-q", *missing], stdout=subprocess.DEVNULL, check=False)
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def count_events(path: Path) -> int:
    n = 0
    with open(path, "rb") as f:
        while block := f.read(1 << 24):
            n += block.count(b"\n")
    return n


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def fmt_link_table(res: dict) -> list[str]:
    lines = [f"### {res['link']} ({res['input_mb']} MB NDJSON, {res['events']:,} events; "
             f"server holds each response {res['server_delay_s'] * 1000:.0f} ms; "
             f"link goodput {res['link_goodput_mb_s']} MB/s)", "",
             "| row | wall s | × Axiom Drop | first request s | MB sent | CPU s | |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for r in res["rows"]:
        note = "" if r["ok"] else "FAILED"
        if r.get("tuning"):
            note = f"level: {r['tuning']['final']}"
        runs = f" (runs {', '.join(f'{x:.2f}' for x in r['runs'])})" if len(r.get("runs", [])) > 1 else ""
        cpu = f"{r['cpu_s']:.2f}" if r.get("cpu_s") is not None else ""
        first = f"{r['first_s']:.3f}" if r.get("first_s") is not None else ""
        lines.append(f"| {_cell(r['row'])} | {r['wall_s']:.2f}{runs} | {r['x_axiom_drop']:.2f} | {first} | "
                     f"{r['wire_mb'] if r['wire_mb'] is not None else ''} | {cpu} | {note} |")
    if res["in_flight"]:
        lines += ["", "Axiom Drop with N requests in flight: " + ", ".join(
            f"{x['in_flight']}: {x['wall_s']:.2f} s" for x in res["in_flight"])]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one run per row, 200 MB memory inputs, no in-flight sweep")
    parser.add_argument("--only", default="link,formats,startup,memory,textlog,window,folder",
                        help="sections to run: link,formats,startup,memory,textlog,window,folder")
    parser.add_argument("--size-mb", type=float, default=80, help="NDJSON size for the link rows (default 80)")
    parser.add_argument("--rates", default="50,500,loopback", help="links to measure (Mbit/s or 'loopback')")
    parser.add_argument("--repeat", type=int, default=None, help="runs of the close rows (default 5; 1 with --quick)")
    parser.add_argument("--keep", action="store_true", help="keep the generated inputs under bench/out")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    repeat = args.repeat or (1 if args.quick else 5)
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    given = sys.argv[1:] if argv is None else argv
    results: dict = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M"),
                     "command": "make bench" + (f" BENCH_ARGS=\"{' '.join(given)}\"" if given else ""),
                     "links": [], "formats": [], "startup": None, "memory": [], "window": None, "folder": None, "targets": []}
    md: list[str] = []
    print(f"Axiom Drop benchmarks — {results['machine']}", flush=True)

    missing = ensure_tools()
    # An installed app starts from bytecode; this checkout may not have any (PYTHONDONTWRITEBYTECODE
    # is set on some machines, and an editable install never writes it): compile it once, so no
    # row pays ~40 ms of compiling per start that a user would not.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "app")], check=False)
    if "link" in only:
        import link
        import lowerbound

        why_not = netns.available()
        rates: list[float | None] = [None if r == "loopback" else float(r) for r in args.rates.split(",")]
        if why_not:
            print(f"NOTE: the shaped-link rows are skipped: {why_not}. Only loopback rows run.", flush=True)
            rates = [r for r in rates if r is None]
        if missing:
            print(f"NOTE: missing tools {', '.join(missing)}: rows that need them fail.", flush=True)
        src = data.cached(OUT, "ndjson", args.size_mb)
        events = count_events(src)
        print("measuring compression settings for the lower bound …", flush=True)
        settings = lowerbound.measure(src, 8 if args.quick else 16)
        for rate in rates:
            ln = netns.Link(rate)
            print(f"\n== {ln.label} ==", flush=True)
            res = link.run_link(ln, src, events, settings, repeat=repeat,
                                in_flight=[] if args.quick else [2, 4, 8, 16])
            results["links"].append(res)
            for name, value, want, met in link.targets(res):
                results["targets"].append({"link": ln.label, "target": name, "measured": value and round(value, 3),
                                           "wanted": want, "met": met})
            md += fmt_link_table(res) + [""]
        if not args.keep:
            src.unlink(missing_ok=True)

    if "formats" in only:
        import formats

        table = formats.QUICK if args.quick else formats.TABLE
        if netns.available():
            table = [t for t in table if t[2] is None]
            print(f"NOTE: the formats rows need shaped links: {netns.available()}", flush=True)
        print("\n== every format against zstd -3 | curl ==", flush=True)
        results["formats"] = formats.run_formats(table, repeat=1 if args.quick else 3, keep=args.keep)
        md += formats.markdown(results["formats"]) + [""]
        for r in results["formats"]:
            results["targets"].append({"link": r["link"], "target": f"{r['input']}: the window's path / (zstd -3 | curl)",
                                       "measured": r["ratio"], "wanted": r["wanted"], "met": r["met"]})
            if "cli_wanted" in r:
                results["targets"].append({"link": r["link"], "target": f"{r['input']}: axiom-drop send / (zstd -3 | curl)",
                                           "measured": r["cli_ratio"], "wanted": r["cli_wanted"], "met": r["cli_met"]})

    if "startup" in only:
        import startup

        print("\n== the CLI's time to first request ==", flush=True)
        results["startup"] = startup.run_startup(5 if args.quick else 9)
        md += startup.markdown(results["startup"]) + [""]
        results["targets"].append({"link": "loopback", "target": "CLI time to first request (s)",
                                   "measured": results["startup"]["first_request_s"],
                                   "wanted": f"<= {startup.TARGET_S}", "met": results["startup"]["met"]})

    if "memory" in only:
        import memory

        sizes = [("ndjson", 200), ("csv", 200), ("json-array", 100)] if args.quick else \
                [("ndjson", 1000), ("csv", 1000), ("json-array", 500)]
        print("\n== peak memory of `axiom-drop send` (loopback) ==", flush=True)
        results["memory"] = memory.run_memory(sizes, keep=args.keep)
        md += ["### Peak memory of `axiom-drop send`", "", "| input | events | wall s | MB/s | peak RSS MB |",
               "|---|---:|---:|---:|---:|"]
        for r in results["memory"]:
            md.append(f"| {r['input']} | {r['events']:,} | {r['wall_s']} | {r['mb_per_s']} | {r['peak_rss_mb']} |")
            results["targets"].append({"link": "", "target": f"peak memory, {r['input']}", "measured": r["peak_rss_mb"],
                                       "wanted": "< 200 MB", "met": r["met"]})
        md.append("")

    if "textlog" in only:
        import textlog_row

        print("\n== text logs: read → parse → batch → compress ==", flush=True)
        results["textlog"] = textlog_row.run(10 if args.quick else 40, OUT)
        md += textlog_row.markdown(results["textlog"]) + [""]
        results["targets"] += textlog_row.targets(results["textlog"])

    if "window" in only:
        print("\n== the window (offscreen Qt) ==", flush=True)
        try:
            import window
        except ImportError as e:
            print(f"  skipped: {e}")
        else:
            results["window"] = window.run_window(quick=args.quick)
            md += window.markdown(results["window"]) + [""]
            results["targets"] += window.targets(results["window"])

    if "folder" in only:
        print("\n== a folder of small files, from the window (offscreen Qt) ==", flush=True)
        import folder

        results["folder"] = folder.run_folder(500 if args.quick else 2000)
        md += folder.markdown(results["folder"]) + [""]
        results["targets"] += folder.targets(results["folder"])

    results["elapsed_s"] = round(time.monotonic() - started, 1)
    md += ["### Targets", "", "| target | measured | wanted | met |", "|---|---:|---|---|"]
    for t in results["targets"]:
        m = t["measured"]
        where = f"{t['link']}: " if t["link"] else ""
        md.append(f"| {where}{_cell(t['target'])} | {m if m is not None else 'n/a'} | {t['wanted']} | "
                  f"{'yes' if t['met'] else 'NO'} |")
    md += ["", f"Machine: {results['machine']}. Run {results['date']} with `{results['command']}` "
           f"in {results['elapsed_s']:.0f} s."]
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    (OUT / "results.md").write_text("\n".join(md) + "\n")
    print("\n" + "\n".join(md))
    print(f"\nwritten to {OUT / 'results.json'} and {OUT / 'results.md'}")
    return 0


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally blocks clean up
    try:
        sys.exit(main())
    finally:
        netns.cleanup() if os.geteuid() == 0 else None
