"""The study trials chart: one trace per worker, failed trials marked, the best so far never rising."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.plots import search_studies as figures
from neuralab.search.study import TrialRow


def _row(n, state, value, worker, reason=""):
    return TrialRow(n, state, value, 0.01 * (n + 1), 1e-4, worker, worker.split(":")[0], 1.0e9 + n, 1.0e9 + n + 1,
                    reason)


ROWS = [_row(0, "COMPLETE", 0.9, "a:1"), _row(1, "COMPLETE", 0.5, "b:2"), _row(2, "FAIL", None, "a:1", "diverged"),
        _row(3, "COMPLETE", 0.7, "a:1"), _row(4, "RUNNING", None, "b:2"), _row(5, "FAIL", None, "b:2")]


def test_trials_figure_has_a_trace_per_worker_and_marks_failures():
    fig = go.Figure(figures.trials_figure(ROWS).to_dict())
    by = {t.name: t for t in fig.data}
    assert set(by) == {"a:1", "b:2", "failed", "best so far"}
    assert list(by["a:1"].x) == [0, 3] and list(by["b:2"].x) == [1]
    assert list(by["failed"].x) == [2, 5]
    assert "diverged" in str(by["failed"].customdata[0]) and str(by["failed"].customdata[1][1]) == figures.NO_REASON
    best = np.asarray(by["best so far"].y)
    assert list(best) == [0.9, 0.5, 0.5] and np.all(np.diff(best) <= 0)


def test_no_trials_is_a_message_and_the_caption_counts_states():
    assert go.Figure(figures.trials_figure([]).to_dict()).layout.annotations[0].text.startswith("No trials yet")
    text = figures.describe_trials(ROWS)
    assert text.startswith("3 complete, 2 failed and 1 running trials from 2 worker(s) on 2 host(s)")
    assert "best validation loss 0.5 (trial 1" in text
