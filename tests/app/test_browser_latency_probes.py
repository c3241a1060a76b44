"""browser_latency.py's probes, derived from the app: one for every light control, overrides that still fit."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for benchmarks/
from benchmarks import browser_latency as bl  # noqa: E402

from neuralab.app.registry import BY_PATH, built  # noqa: E402


@pytest.fixture(scope="module")
def derived(client):
    """Every built page: (its layout's components, its probes, its controls without one, the callback map)."""
    cbs = bl.callbacks(client.get("/_dash-dependencies").get_json())
    out = {}
    for page in built():
        layout = bl.page_layout(page)
        probes, skipped = bl.derive(page.path, layout, cbs)
        out[page.path] = (bl.index(layout), probes, skipped, cbs)
    return out


def _light_sliders(comps, cbs):
    """Sliders on screen whose callbacks are all light and redraw a graph of the page."""
    found = []
    for ident, (comp, closed) in comps.items():
        if type(comp).__name__ != "Slider" or closed:
            continue
        runs = bl.driven(ident, cbs)
        if runs and not any(cb.job for cb in runs) and any(
                p == "figure" and i in comps for cb in runs for i, p in cb.outputs):
            found.append(ident)
    return found


def test_every_page_with_a_light_slider_gets_a_probe_for_each(derived):
    pages_with_sliders = 0
    for path, (comps, probes, skipped, cbs) in derived.items():
        sliders = _light_sliders(comps, cbs)
        if not sliders:
            continue
        pages_with_sliders += 1
        probed = {p.control for p in probes}
        assert probes, path
        reasons = {s.control: s.reason for s in skipped}
        for ident in sliders:  # probed, or listed with a reason
            assert ident in probed or ident in reasons, (path, ident)
    assert pages_with_sliders >= 9  # a floor, so a derivation that finds nothing cannot pass


def test_a_control_that_starts_a_job_is_listed_not_probed(derived):
    comps, probes, skipped, _ = derived["/fitting"]
    assert "fitting-n_train" not in {p.control for p in probes}
    assert any(s.control == "fitting-n_train" and "background job" in s.reason for s in skipped)


def test_a_control_in_a_closed_details_is_probed_and_its_details_opened_first(derived):
    comps, probes, _, _ = derived["/playground"]
    assert comps["playground-noise"][1]  # folded away at the defaults
    assert "playground-noise" in {p.control for p in probes}
    assert "d.open = true" in bl.SHOWN_JS


def test_a_dropdown_gets_a_keyboard_probe(derived):
    _, probes, _, _ = derived["/playground"]
    probe = next(p for p in probes if p.control == "playground-dataset")
    assert probe.kind == "dropdown" and probe.handle == "#playground-dataset"


def test_a_control_that_redraws_text_only_is_timed_to_its_answer(derived):
    _, probes, _, _ = derived["/reference"]
    probe = next(p for p in probes if p.control == "reference-topic")
    assert probe.answered and probe.graph == "" and probe.fallbacks() == [probe]
    assert bl.label("/reference", probe) == "/reference #reference-topic -> answer (text)"


def test_a_graph_probe_falls_back_to_the_answer_last(derived):
    _, probes, _, _ = derived["/splits"]
    probe = next(p for p in probes if p.control == "splits-val_pct")
    tries = probe.fallbacks()
    assert [t.graph for t in tries] == ["splits-sizes", "splits-shares", "splits-sizes"]
    assert [t.answered for t in tries] == [False, False, True]


def test_a_hidden_input_is_not_a_control(derived):
    _, probes, skipped, _ = derived["/pruning"]
    assert "pruning-reference" not in {p.control for p in probes}
    assert any(s.control == "pruning-reference" and "hidden input" in s.reason for s in skipped)


@pytest.mark.parametrize("path", sorted(bl.PROBES))
def test_every_override_names_elements_of_its_page(derived, path):
    assert path in BY_PATH and BY_PATH[path].module, path
    comps, probes, _, _ = derived[path]
    probe = bl.PROBES[path]
    for ident in (probe.control, probe.graph, *probe.also, probe.text or f"{probe.graph}-summary"):
        assert ident in comps, (path, ident)
    assert probe in probes  # the override replaces the derived probe of its control
    assert len([p for p in probes if p.control == probe.control]) == 1


def test_the_probe_list_names_each_probe_and_each_control_without_one(derived, capsys):
    _, probes, skipped, _ = derived["/splits"]
    bl.print_probes({"/splits": probes}, skipped)
    out = capsys.readouterr().out
    assert "/splits #splits-train_pct -> splits-sizes [slider] also=splits-shares (hand-written)" in out
    assert "/splits #splits-val_pct -> splits-sizes [slider] else=splits-shares\n" in out
    assert "/splits #splits-k not probed: starts a background job (splits-folds)" in out
