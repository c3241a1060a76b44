"""/transfer-learning's sections called as plain functions (the training on quick stand-ins), its URL and questions."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import transfer_learning as page
from neuralab.app.pages import transfer_learning_few_shot, transfer_learning_strategies
from neuralab.app.selfcheck import Pick, Value, questions
from neuralab.plots import transfer_learning as figures
from neuralab.train import transfer
from tests.app import tree


def _valid(fig):
    go.Figure(fig.to_dict())  # the builders skip plotly's validation: check it here
    return fig


def test_the_page_lays_out_every_control_and_output():
    ids = tree.ids(page.layout(page.SPEC.defaults(), []))
    for name in page.SPEC.fields:
        assert f"transfer-learning-{name}" in ids
    for graph in ("transfer", "shots"):
        assert isinstance(ids[f"transfer-learning-{graph}"], dcc.Graph)
    assert transfer_learning_strategies.TRANSFER_SECTION.job and transfer_learning_few_shot.FEW_SHOT_SECTION.job


BASE = {"scratch": (0.80, 0.90, 0.95, 0.97), "freeze": (0.86, 0.93, 0.95, 0.96), "finetune": (0.85, 0.94, 0.96, 0.98)}


class _Pre:
    accuracy = 0.99


def _fake(monkeypatch):
    def adapt(strategy, n, seed, ratio=0.1):
        return BASE[strategy][transfer.SIZES.index(n)] + 0.01 * (seed % 2)

    monkeypatch.setattr(transfer, "adapt", adapt)
    monkeypatch.setattr(transfer, "pretrained", lambda seed=0: _Pre())


def test_the_strategies_view_draws_three_lines_and_names_the_winner(monkeypatch):
    _fake(monkeypatch)
    seen = []
    out = transfer_learning_strategies.TRANSFER_SECTION.view(
        {**page.SPEC.defaults(), "tl_seeds": 2, "tl_ratio": 0.2}, progress=lambda d, t: seen.append((d, t)))
    fig = _valid(out[0])
    assert [t.name for t in fig.data] == list(transfer.STRATEGIES.values())
    assert fig.data[1].y[0] == pytest.approx(86.5) and fig.data[1].error_y.array[0] == pytest.approx(0.707, abs=1e-3)
    assert list(fig.layout.xaxis.ticktext)[:3] == ["5", "20", "100"]
    assert ("With 5 labelled digits per class (25 in all), mean ± std over 2 seeds: training from scratch 80.5% "
            "± 0.7; the frozen body 86.5% ± 0.7; fine-tuning 85.5% ± 0.7. The winner is the frozen body, 1.0 "
            "points ahead of fine-tuning; it is 6.0 points ahead of training from scratch (per-seed difference std "
            "0.0).") in out[1]
    assert "With all ≈" in out[1] and "the best is fine-tuning, 1.0 points ahead of training from scratch" in out[1]
    assert "level" not in out[1]
    assert "body at 0.2 × the read-out's rate" in out[1] and "99.0% on the test digits 0–4" in out[1]
    assert seen[-1] == (2 * 13, 2 * 13)


def test_a_margin_within_the_spread_is_called_no_clear_winner(monkeypatch):
    _fake(monkeypatch)
    monkeypatch.setitem(BASE, "freeze", (0.853, 0.93, 0.95, 0.96))
    out = transfer_learning_strategies.TRANSFER_SECTION.view({**page.SPEC.defaults(), "tl_seeds": 2})
    assert "level" not in out[1]  # the same 0.3-point margin on both seeds: the paired spread is 0, it is real
    shaky = {"freeze": (0.013, -0.007)}  # per seed freeze − finetune = +1.3 and −0.7 points: mean 0.3, std 1.4

    def adapt(strategy, n, seed, ratio=0.1):
        return BASE["finetune" if strategy == "freeze" else strategy][transfer.SIZES.index(n)] + (
            shaky[strategy][seed % 2] if strategy in shaky and n == 5 else 0.0)

    monkeypatch.setattr(transfer, "adapt", adapt)
    out = transfer_learning_strategies.TRANSFER_SECTION.view({**page.SPEC.defaults(), "tl_seeds": 2})
    assert ("The winner is the frozen body, 0.3 points ahead of fine-tuning, within one std of the per-seed "
            "difference (1.4 points): at this number of seeds the two are level") in out[1]


def test_the_few_shot_view_draws_four_methods_per_setting(monkeypatch):
    rng = np.random.default_rng(0)
    res = {(m, k): transfer.Episodes(m, k, np.clip(rng.normal(mu + 0.1 * (k == 5), 0.05, 60), 0, 1))
           for m, mu in (("proto", 0.8), ("proto_random", 0.7), ("pixels", 0.6), ("grey", 0.9))
           for k in transfer.SHOTS}
    monkeypatch.setattr(transfer, "_few_shot", lambda e, s: transfer.FewShot(e, s, res, 896))
    monkeypatch.setattr(transfer, "pretrained", lambda seed=0: _Pre())
    out = transfer_learning_few_shot.FEW_SHOT_SECTION.view({**page.SPEC.defaults(), "tl_episodes": 100})
    fig = _valid(out[0])
    assert [t.name for t in fig.data] == list(transfer.METHODS.values()) and len(fig.data[0].y) == 2
    assert fig.data[0].y[0] == pytest.approx(100 * res[("proto", 1)].mean)
    assert fig.data[2].error_y.array[1] == pytest.approx(100 * res[("pixels", 5)].std)
    assert "Over 100 episodes each" in out[1] and "drawn from the 896 digits 5–9" in out[1]
    assert "1-shot: pre-trained prototypes" in out[1] and "ahead of 1-NN on the same standardized pixels" in out[1]
    assert "behind 1-NN on the raw grey levels" in out[1]


def test_a_paired_difference_is_told_apart_where_an_unpaired_one_would_not_be(monkeypatch):
    rng = np.random.default_rng(0)
    hard = rng.uniform(0.3, 0.9, 300)  # how hard each episode is, shared by every method
    res = {(m, k): transfer.Episodes(m, k, np.clip(hard + shift, 0, 1))
           for m, shift in (("proto", 0.02), ("proto_random", 0.0), ("pixels", 0.0), ("grey", 0.02))
           for k in transfer.SHOTS}
    f = transfer.FewShot(300, 0, res, 896)
    unpaired = (res[("proto", 1)].std ** 2 / 300 + res[("pixels", 1)].std ** 2 / 300) ** 0.5
    assert 0.02 < 2 * unpaired and f.diff_se("proto", "pixels", 1) < 0.002  # 2 points apart on every episode
    text = figures.describe_few_shot(f)
    assert "ahead of 1-NN on the same standardized pixels" in text and "level with 1-NN on the raw grey" in text


def test_the_real_few_shot_view_computes():
    out = transfer_learning_few_shot.FEW_SHOT_SECTION.view({**page.SPEC.defaults(), "tl_episodes": 50})
    assert out[-1] == "" and "Over 50 episodes each" in out[1]
    assert len(_valid(out[0]).data) == 4


@pytest.mark.parametrize(("section", "values", "fragment"), [
    (transfer_learning_strategies.TRANSFER_SECTION, {"tl_seeds": 40}, "tl_seeds must be between 1 and 10"),
    (transfer_learning_strategies.TRANSFER_SECTION, {"tl_ratio": "big"}, "tl_ratio must be a number"),
    (transfer_learning_few_shot.FEW_SHOT_SECTION, {"tl_episodes": 5}, "tl_episodes must be between 50 and 1000"),
    (transfer_learning_few_shot.FEW_SHOT_SECTION, {"tl_seed": -1}, "tl_seed must be between 0 and 9999"),
])
def test_bad_values_become_sentences(section, values, fragment):
    out = section.view({**page.SPEC.defaults(), **values})
    assert fragment in out[-1] and fragment in out[1]


def test_a_bad_link_is_named_and_the_page_opens_on_the_default():
    values, messages = page.SPEC.parse_query("tl_seeds=500&tl_ratio=0.5&tl_episodes=abc")
    assert values["tl_seeds"] == 3 and values["tl_ratio"] == 0.5 and values["tl_episodes"] == 300
    text = " ".join(messages)
    assert "tl_seeds must be between 1 and 10" in text and "tl_episodes must be" in text


def test_the_questions_answer_from_the_library():
    qs = questions(page)
    assert 3 <= len(qs) <= 5 and any(isinstance(q, Pick) for q in qs)
    values = {q.key: q.answer() for q in qs if isinstance(q, Value)}
    assert values == {"tl-frozen-weights": 1285, "tl-prototype": 1.25}
    titles = tree.text(page.layout(page.SPEC.defaults(), []))
    assert all(q.section in titles for q in qs)


def test_the_questions_quote_the_body_and_the_split_as_the_library_counts_them():
    head, total = transfer.head_counts()
    qs = {q.key: q for q in questions(page)}
    assert f"frozen body cannot overfit its weights ({total - head:,} here" in qs["tl-when-freeze"].explain
    assert "point in arbitrary directions" in qs["tl-why-small-rate"].options[qs["tl-why-small-rate"].correct]
    text = tree.text(page.layout(page.SPEC.defaults(), []))
    dm = transfer.domains()
    assert f"({len(dm.y_source)} digits, 20 epochs)" in text
    assert f"drawn from the {len(dm.y_pool)} training and validation digits 5–9" in text
    assert "16 × 4 × 4 = 256 features" in text and "not to pick one" in text
