"""The comparison's figures from a hand-made table: no training."""

from __future__ import annotations

import plotly.graph_objects as go

from neuralab.compress.architectures import Row, Table
from neuralab.plots import architectures as figures


def table(batch: int = 1) -> Table:
    rows = (
        Row("MLP", "Digits", "/feedforward", 6570, 2.5, "re-measured", "test accuracy", 0.97, True, 40e-6,
            latency_max_s=120e-6),
        Row("CNN", "Digits", "/cnn", 3818, 8.0, "at training", "test accuracy", 0.98, True, 90e-6, "one seed"),
        Row("GRU", "Winding temperature", "/recurrent", 1009, 30.0, "at training", "test RMSE, K", 0.9, False, 2e-3),
        Row("Transformer", "Token reversal", "/attention", 17000, 12.0, "at training", "test token accuracy", 1.0,
            True, 0.3e-3),
    )
    return Table(rows, 0, batch, 200, 1)


def test_latency_against_parameters_on_log_axes_one_trace_per_group():
    fig = figures.latency_figure(table())
    go.Figure(fig.to_dict())  # valid plotly
    assert [t.name for t in fig.data] == ["Digits", "Winding temperature", "Token reversal"]
    assert fig.layout.xaxis.type == fig.layout.yaxis.type == "log"
    digits = fig.data[0]
    assert list(digits.x) == [6570, 3818] and list(digits.y) == [40.0, 90.0]  # µs
    assert "batch 1" in fig.layout.yaxis.title.text
    lo, hi = fig.layout.xaxis.range
    assert 10**lo < 1009 and 10**hi > 17000


def test_the_caption_names_the_extremes():
    text = figures.describe_latency(table(16))
    assert "4 models" in text and "batch 16" in text
    assert "1,009 parameters (GRU)" in text and "17,000 (Transformer)" in text
    assert "fastest call is MLP at 40 µs" in text and "slowest GRU at 2 ms" in text
    assert "MLP's slowest call took 120 µs, 3 × its median" in text  # the worst case beside the median
    assert "whole 180-step cycle" in text  # what one winding-temperature call is


def test_group_rows_say_the_metric_and_a_re_measured_time():
    rows = figures.group_rows(table(), "Digits")
    assert rows[0] == ["MLP", "6,570", "2.5 s (re-measured)", "97.0% (test accuracy)", "40 µs", "120 µs",
                       "/feedforward"]
    assert rows[1][2] == "8 s"
    gru = figures.group_rows(table(), "Winding temperature")[0]
    assert gru[3] == "0.9 (test RMSE, K, lower is better)" and gru[4] == "2 ms"
    assert gru[5] == "–"  # no slowest call measured: a dash, not nan
    assert figures.group_rows(table(), "Motor torque") == []


def test_seconds_reads_in_the_best_unit():
    assert [figures.seconds(s) for s in (12e-6, 3.4e-3, 0.5, 75.0)] == ["12 µs", "3.4 ms", "500 ms", "75 s"]


def test_notes_name_their_row():
    assert figures.group_notes(table(), "Digits") == ["CNN: one seed."]
    assert figures.group_notes(table(), "Token reversal") == []
