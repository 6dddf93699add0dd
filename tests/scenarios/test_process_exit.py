"""Issue #11, section 5: a process that made an HTTP client exits cleanly, every time. The TLS
context loads in a thread; a daemon thread still inside OpenSSL when the interpreter finalised
crashed ~1 in 10 such exits with SIGSEGV (rc -11). A CA bundle a few times certifi's size keeps
the load going for as long as the interpreter takes to exit, which is when it used to crash."""

from __future__ import annotations

import subprocess
import sys

import certifi
import pytest

MAKE_A_CLIENT_AND_EXIT = (  # exits at a different moment of the load each run
    "import sys, time\n"
    "from app.core.axiom import AxiomClient, Endpoint\n"
    "AxiomClient(Endpoint('https://api.axiom.co', 'https://api.axiom.co'), 'xaat-0')\n"
    "time.sleep(int(sys.argv[1]) / 1000)\n"
)


@pytest.mark.slow
@pytest.mark.timeout(600)  # 60 interpreter starts: minutes on a loaded 2-core machine
def test_quick_exits_after_making_a_client_never_crash(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_bytes(open(certifi.where(), "rb").read() * 4)
    codes = [subprocess.run([sys.executable, "-c", MAKE_A_CLIENT_AND_EXIT, str(i % 20)], capture_output=True,
                            env={"SSL_CERT_FILE": str(bundle), "PATH": ""}, timeout=60).returncode
             for i in range(60)]
    assert codes == [0] * 60, f"{sum(c != 0 for c in codes)} of 60 exits failed: {sorted(set(codes))}"
