"""Titles reach plotly.js in the only form it draws: ``{"text": …}``, never a bare string.

plotly.js 4 (Plotly 7) silently drops a title given as a string, and ``theme.figure`` skips plotly's validation
(which used to rewrite it), so the figure itself must carry the dict form.
"""

from __future__ import annotations

from neuralab.plots.theme import figure


def bare_titles(node, path="") -> list[str]:
    """Every path in a figure's JSON where ``title`` is a bare string."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "title" and isinstance(value, str):
                found.append(f"{path}.{key}")
            found += bare_titles(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += bare_titles(value, f"{path}[{i}]")
    return found


def test_string_titles_are_sent_as_text():
    fig = figure(
        [dict(type="heatmap", z=[[1, 2]], colorbar=dict(title="°C")),
         dict(type="scatter", y=[1, 2], marker=dict(colorbar=dict(title="epoch")))],
        title="whole figure", xaxis=dict(title="time (s)"), yaxis3=dict(title="current (A)"),
        legend=dict(title="run"),
    )
    sent = fig.to_plotly_json()
    assert bare_titles(sent) == []
    assert sent["layout"]["xaxis"]["title"] == {"text": "time (s)"}
    assert sent["layout"]["yaxis3"]["title"] == {"text": "current (A)"}
    assert sent["data"][0]["colorbar"]["title"] == {"text": "°C"}
    assert sent["data"][1]["marker"]["colorbar"]["title"] == {"text": "epoch"}
    assert sent["layout"]["title"]["text"] == "whole figure"

