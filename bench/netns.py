"""A shaped link for benchmarks: two network namespaces joined by a veth pair (needs root).

    client ns "axdrop-bench-c" 10.200.0.1/30 ──veth── 10.200.0.2/30 server ns "axdrop-bench-s"

The addresses exist only inside these two namespaces, which this module creates and always
deletes (a context manager, plus `cleanup()` for the Makefile's trap and for leftovers of a run
that was killed). The client's side is shaped with `tc qdisc … tbf rate R burst 64kb latency
200ms`; netem is not available on these kernels, so latency is added by the server (the sandbox
holds each response). `Link(None)` is plain loopback: no namespaces, nothing shaped.
"""

from __future__ import annotations

import shutil
import subprocess

CLIENT_NS, SERVER_NS = "axdrop-bench-c", "axdrop-bench-s"
CLIENT_IF, SERVER_IF = "axdb-c", "axdb-s"
CLIENT_IP, SERVER_IP = "10.200.0.1", "10.200.0.2"


def _ip(*args: str, check: bool = True) -> None:
    subprocess.run(["ip", *args], check=check, stdout=subprocess.DEVNULL,
                   stderr=None if check else subprocess.DEVNULL)


def cleanup() -> None:
    """Delete the namespaces (and with them the veth pair); quiet when they do not exist."""
    for ns in (CLIENT_NS, SERVER_NS):
        _ip("netns", "del", ns, check=False)


def available() -> str | None:
    """None when namespaces can be made here, else why not."""
    if shutil.which("ip") is None or shutil.which("tc") is None:
        return "iproute2 (ip, tc) is not installed"
    import os

    if os.geteuid() != 0:
        return "network namespaces need root (run `sudo make bench`)"
    return None


class Link:
    """`with Link(50): …` — a 50 Mbit/s client uplink; `Link(None)` — loopback."""

    def __init__(self, rate_mbit: float | None):
        self.rate_mbit = rate_mbit
        self.shaped = rate_mbit is not None
        self.server_host = SERVER_IP if self.shaped else "127.0.0.1"
        self.client = ["ip", "netns", "exec", CLIENT_NS] if self.shaped else []
        self.server = ["ip", "netns", "exec", SERVER_NS] if self.shaped else []

    @property
    def label(self) -> str:
        return f"{self.rate_mbit:g} Mbit/s" if self.shaped else "loopback"

    def __enter__(self) -> "Link":
        if not self.shaped:
            return self
        cleanup()
        try:
            _ip("netns", "add", CLIENT_NS)
            _ip("netns", "add", SERVER_NS)
            _ip("link", "add", CLIENT_IF, "type", "veth", "peer", "name", SERVER_IF)
            _ip("link", "set", CLIENT_IF, "netns", CLIENT_NS)
            _ip("link", "set", SERVER_IF, "netns", SERVER_NS)
            _ip("-n", CLIENT_NS, "addr", "add", f"{CLIENT_IP}/30", "dev", CLIENT_IF)
            _ip("-n", SERVER_NS, "addr", "add", f"{SERVER_IP}/30", "dev", SERVER_IF)
            for ns, dev in ((CLIENT_NS, CLIENT_IF), (SERVER_NS, SERVER_IF)):
                _ip("-n", ns, "link", "set", dev, "up")
                _ip("-n", ns, "link", "set", "lo", "up")
            subprocess.run(["ip", "netns", "exec", CLIENT_NS, "tc", "qdisc", "add", "dev", CLIENT_IF, "root",
                            "tbf", "rate", f"{self.rate_mbit:g}mbit", "burst", "64kb", "latency", "200ms"],
                           check=True)
        except BaseException:
            cleanup()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.shaped:
            cleanup()


if __name__ == "__main__":  # `python bench/netns.py --cleanup`: the Makefile's trap
    cleanup()
