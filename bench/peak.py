"""Run a command and report its peak RSS: `python -S bench/peak.py CMD …`.

Why a wrapper: on Linux a child's ru_maxrss starts from the RSS of the process it was forked
from (the high-water mark survives exec), so a child of the big benchmark process would report
the benchmark's own peak. Forked from this small wrapper it reports its own. Prints
`peak-rss-kb: N` as the last line of standard error.
"""

import resource
import subprocess
import sys

code = subprocess.call(sys.argv[1:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stderr.write(f"\npeak-rss-kb: {peak}\n")
sys.exit(code)
