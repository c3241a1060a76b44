"""Regularization figures: they draw the numbers the library computed, and plotly accepts them."""

import numpy as np
import plotly.graph_objects as go
import pytest

from neuralab.plots import regularization as figures
from neuralab.train import regularize


@pytest.fixture(scope="module", autouse=True)
def _private_store(tmp_path_factory):
    """Finished runs are stored under the neuralab cache: keep this module's in a directory of its own."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEURALAB_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="module")
def cmp():
    return regularize.compare_penalties(0.01, 0.5, 0)


@pytest.fixture(scope="module")
def sweep(cmp):
    """A small sweep assembled by hand (the real one trains 13 networks; its pieces are the same runs)."""
    kinds, lams = ("l2", "l1"), np.array([1e-3, 1e-2])
    runs = [[regularize.train_penalty(k, lam, 0.5, 0) for lam in lams] for k in kinds]
    col = lambda f: np.array([[f(r) for r in row] for row in runs])  # noqa: E731
    return regularize.PenaltySweep(lams, kinds, col(lambda r: r.train_acc), col(lambda r: r.val_acc),
                            col(lambda r: r.train_loss), col(lambda r: r.val_loss),
                            col(lambda r: r.n_zero / r.n_weights), cmp.run("none"), 1.0)


def _valid(figure):
    go.Figure(figure.to_dict())  # re-validates every property the fast builder skipped
    return figure


def test_histograms_put_exact_zeros_in_their_own_bar(cmp):
    f = _valid(figures.histogram_figure(cmp))
    zero_bars = [t for t in f.data if t.name == "exactly 0"]
    assert [b.y[0] for b in zero_bars] == [r.n_zero for r in cmp.runs]
    body = [t for t in f.data if t.name != "exactly 0"]
    np.testing.assert_array_equal(body[2].y, cmp.counts[2])
    text = figures.describe_histograms(cmp)
    l1 = cmp.run("l1")
    assert f"leaves {l1.n_zero:,} of {l1.n_weights:,} weights exactly 0" in text
    assert f"leaves {cmp.run('l1_sub').n_zero:,} exact zeros" in text


def test_penalty_table_has_one_row_per_run(cmp):
    header, rows = figures.penalty_table(cmp)
    assert len(rows) == len(cmp.runs) and all(len(r) == len(header) for r in rows)
    assert rows[2][0] == "L1 (proximal)" and rows[2][6].startswith(f"{cmp.run('l1').n_zero:,} (")
    assert rows[3][0] == "Elastic net (α = 0.5)"


def test_penalty_sweep_plots_accuracy_and_zero_share_and_marks_lambda(sweep):
    f = _valid(figures.penalty_sweep_figure(sweep, 1e-2))
    val = next(t for t in f.data if t.name == "L1 (proximal): validation")
    np.testing.assert_allclose(val.y, 100 * sweep.val_acc[1])
    assert [s.x0 for s in f.layout.shapes] == [1e-2, 1e-2]
    assert figures.lam_marker(1e-3)[0]["x0"] == 1e-3
    assert "best validation accuracy in this sweep" in figures.describe_penalty_sweep(sweep)


def test_l1_paths_figure_and_summary():
    paths = regularize.l1_paths(0.5, lr=0.1, w0=1.0, target=0.2, n=40)
    f = _valid(figures.l1_paths_figure(paths))
    np.testing.assert_array_equal(f.data[1].y, paths.prox)
    assert "the proximal path reaches exactly 0 at update 14 and stays" in figures.describe_l1_paths(paths)


def test_mask_figure_draws_the_recorded_masks():
    run = regularize.train_dropout(0.5, 0)
    f = _valid(figures.mask_figure(run))
    assert len(f.data) == regularize.MASK_SAMPLES
    np.testing.assert_array_equal(np.asarray(f.data[0].z), run.masks[:, 0, :figures.MASK_UNITS].T.astype(np.int8))
    text = figures.describe_masks(run)
    assert f"zeroed {run.dropped:,} of {run.seen:,}" in text and "multiplied the kept ones by 2 " in text
    assert "no dropout layer" in figures.describe_masks(regularize.train_dropout(0.0, 0))


def test_dropout_sweep_figure_marks_p():
    runs = [regularize.train_dropout(p, 0) for p in (0.0, 0.5)]
    col = lambda f: np.array([f(r) for r in runs])  # noqa: E731
    sweep = regularize.DropoutSweep(np.array([0.0, 0.5]), col(lambda r: r.run.train_acc), col(lambda r: r.run.val_acc),
                             col(lambda r: r.run.train_loss), col(lambda r: r.run.val_loss),
                             col(lambda r: r.drop_share), 1.0)
    f = _valid(figures.dropout_sweep_figure(sweep, 0.5))
    np.testing.assert_allclose(f.data[3].y, sweep.val_loss)
    assert f.layout.shapes[0].x0 == 0.5
    assert "Validation loss is lowest at p = " in figures.describe_dropout_sweep(sweep)


def test_decay_figure_and_table():
    dc = regularize.compare_decay(0.1, 0)
    f = _valid(figures.decay_figure(dc))
    np.testing.assert_allclose(f.data[3].y, dc.norms[1])
    header, rows = figures.decay_table(dc)
    assert [r[0] for r in rows] == ["Adam, no decay", "Adam + L2", "AdamW (decoupled)"]
    assert rows[1][-1] == f"{dc.runs[1].norm:.2f}"
    assert f"Adam + L2 ends with ‖w‖₂ = {dc.runs[1].norm:.2f}" in figures.describe_decay(dc)


def test_stopping_figure_marks_the_restored_checkpoint():
    st = regularize.early_stopping(5, 20, 0)
    f = _valid(figures.stopping_figure(st))
    star = next(t for t in f.data if t.name == "restored checkpoint")
    assert star.x[0] == st.best_epoch and star.y[0] == st.stopped.val_loss[st.best_epoch]
    assert f.layout.shapes[1].x0 == st.stopped_epoch
    text = figures.describe_stopping(st)
    stop = f"stopped after epoch {st.stopped_epoch} of {regularize.STOP_EPOCHS} and restored epoch {st.best_epoch}"
    assert stop in text
