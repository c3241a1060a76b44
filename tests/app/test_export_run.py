"""Every page's default script runs in a subprocess and prints the numbers the page's callbacks show.

Every page runs with ``--light``: its light sections (no background job, no trained reference network) are
compared one by one with ``SECTION.view(defaults)``, each chart's caption and each text the page draws, as the
script prints them (``[chart] caption``): the same text means the same numbers to the printed precision. The
job sections run in full for a chosen few pages (FULL), whose jobs take seconds. A page whose sections are all
heavy runs its cheapest one alone (ONE, ``--section KEY``; ``benchmarks/export.py --sections`` times each), so
every page compares at least one section. The subprocess shares the test session's ``NEURALAB_CACHE_DIR``, as a
script run on the machine that serves the lab shares its cache: the page's view of a heavy section, computed
after the script, reads what the library cached there.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from neuralab.app import export
from neuralab.app.registry import built
from neuralab.app.sections import Alert, Chart, Text
from neuralab.export import text

PAGES = [p for p in built() if export.build(p.path) is not None]
FULL = ("/splits", "/rbf-network", "/gradient-descent")  # every section, the background jobs included
#: The cheapest section of each page whose sections are all heavy (benchmarks/export.py --sections), run alone.
#: Alone on a fresh cache at load 1 (2 cores), the test of each takes 5 to 64 s (/quantization's hist trains
#: its reference network); on a machine at load 20, ten times as long.
ONE = {
    "/regularization": "pen", "/hyperparameter-search": "nested", "/som": "map", "/quantization": "hist",
    "/pruning": "snap", "/distillation": "soft", "/robustness": "example", "/transfer-learning": "transfer",
    "/explainability": "maps", "/research-corner": "ode", "/architectures": "table", "/deploy": "stack",
    "/autoencoder": "decode",
}
SRC = str(Path(export.__file__).resolve().parents[2])


@pytest.fixture(scope="module", autouse=True)
def _app(app):
    return app


def _run(script: str, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "page.py"
    path.write_text(script)
    env = {**os.environ, "PYTHONPATH": SRC}
    done = subprocess.run([sys.executable, str(path), "--out", str(tmp_path / "figures"), *args], env=env,
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def expected(section, values) -> list[str]:
    """What the script prints for the section: ``[id] text`` of each caption and text, or the page's sentence."""
    out = section.view(values)
    if section.alert and out[-1]:
        return [f"[{section.key}] {text(out[-1])}"]
    lines, n = [], 0
    for s in section.shows:
        if isinstance(s, Chart):
            lines.append(f"[{s.id}] {text(out[n + 1])}")
            n += 2
        else:
            if isinstance(s, Text) and s.prop == "children":
                lines.append(f"[{s.id}] {text(out[n])}")
            n += 1 if isinstance(s, Text | Alert) else 0
    return lines


NUMBER = r"[-+−]?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?"


def same_numbers(line: str, printed: str) -> bool:
    """``line`` is in ``printed`` with the same words and the same numbers as printed; only a round-off
    measurement (both numbers below 1e-12, e.g. a hand computation against torch to 7e-16 or 2e-15, which
    depends on the BLAS threads the process runs) and a wall-clock time (a number followed by s, ms, µs or ns:
    /som's "Fit time (first run) | 1.30 s") may differ."""
    pieces = re.split(f"({NUMBER})", line)
    pattern = "".join(f"({NUMBER})" if i % 2 else re.escape(p) for i, p in enumerate(pieces))
    clock = [bool(re.match(r" ?(s|ms|µs|ns)\b", after)) for after in pieces[2::2]]
    for m in re.finditer(pattern, printed):
        want, got = pieces[1::2], m.groups()
        if all(w == g or t or (abs(_float(w)) < 1e-12 and abs(_float(g)) < 1e-12)
               for w, g, t in zip(want, got, clock, strict=True)):
            return True
    return False


def _float(s: str) -> float:
    return float(s.replace(",", "").replace("−", "-"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_the_default_script_prints_the_numbers_the_page_shows(page, tmp_path):
    full, one = page.path in FULL, ONE.get(page.path)
    got = export.build(page.path)
    module = __import__(page.module, fromlist=["SECTIONS"])
    ran = [s for s in export.sections(module) if full or s.key == one or not (s.job or s.needs is not None)]
    args = [] if full else [a for s in ran for a in ("--section", s.key)] if one else ["--light"]
    printed = _run(got.script(), tmp_path, *args)
    compared = 0
    for section in export.sections(module):
        if all(s is not section for s in ran):
            assert f"[{section.key}]" not in printed
            continue
        for line in expected(section, got.values):
            assert same_numbers(line, printed), f"{page.path} {section.key}: page\n{line}\nprinted:\n{printed}"
            compared += 1
    assert compared > 0, f"{page.path} compares no section: add its cheapest heavy one to ONE"
    if any(isinstance(s, Chart) for section in ran for s in section.shows):  # the figures, for offline viewing
        assert {f.suffix for f in (tmp_path / "figures").iterdir()} >= {".html", ".js"}


def test_the_training_loop_script_writes_its_run_for_tensorboard(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from neuralab.train import stepwise

    got = export.build("/training-loop", "?seed=3&tick=210")
    printed = _run(got.script(), tmp_path, "--tensorboard", str(tmp_path / "tb"))
    assert "TensorBoard event file:" in printed
    acc = EventAccumulator(str(tmp_path / "tb"))
    acc.Reload()
    st = stepwise.state(**{**got.values})
    batch = [e.value for e in acc.Scalars("loss/batch")]
    assert len(batch) == len(st.step_losses) > 0
    assert batch == pytest.approx(st.step_losses.tolist(), rel=1e-6)
    assert [e.step for e in acc.Scalars("loss/validation")] == [int(e) for e in st.val_epochs]
