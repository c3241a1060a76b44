"""The library layer stays free of plotly and dash, even at run time."""

import subprocess
import sys


def test_importing_the_library_loads_no_plotly_or_dash():
    code = (
        "import sys, neuralab.data.splits, neuralab.params;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('plotly', 'dash')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout
