"""The recurrent-networks entry: its equations checked against torch, its numbers recomputed, its code run."""

from __future__ import annotations

import io
import math
import re
from importlib import resources

import numpy as np
import pytest
import torch
from torch import nn

from neuralab.app.pages import reference
from neuralab.data import sequences
from neuralab.nn.recurrent import build
from tests.app import tree


def entry() -> str:
    return resources.files("neuralab.content").joinpath("recurrent.md").read_text(encoding="utf-8")


def flat() -> str:
    return " ".join(entry().split())


def params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


BLOCKS = {"rnn": (nn.RNN, 1, "vanilla RNN"), "gru": (nn.GRU, 3, "GRU"), "lstm": (nn.LSTM, 4, "LSTM")}


@pytest.mark.parametrize("kind", list(BLOCKS))
def test_the_parameter_table_is_torchs_count(kind):
    cls, blocks, label = BLOCKS[kind]
    F, H = 3, 16
    layer = params(cls(F, H, batch_first=True))
    assert layer == blocks * (H * F + H * H + 2 * H)
    with_head = params(build(kind, F, H, 1))  # the lab's own network: the layer and a linear head on every step
    assert with_head == layer + H + 1
    row = f"| {label} | {blocks} · (H·F + H·H + 2H) | {layer:,} | {with_head:,} |"
    assert row in entry(), row
    assert params(cls(F, H, bidirectional=True)) == 2 * layer  # "a bidirectional layer doubles the layer's count"


def test_the_gru_has_three_quarters_of_the_lstms_parameters():
    assert params(nn.GRU(3, 16)) * 4 == params(nn.LSTM(3, 16)) * 3
    assert "three quarters of an LSTM's parameters" in flat()


def _gates(cell: nn.Module, x: torch.Tensor, h: torch.Tensor, n: int) -> tuple[list, list]:
    """The input and recurrent pre-activations of each of the n stacked blocks, in torch's stacking order."""
    gi = (x @ cell.weight_ih.T + cell.bias_ih).chunk(n, dim=1)
    gh = (h @ cell.weight_hh.T + cell.bias_hh).chunk(n, dim=1)
    return gi, gh


def test_the_entrys_equations_are_torchs_cells():
    torch.manual_seed(0)
    x, h, c = torch.randn(5, 3), torch.randn(5, 16), torch.randn(5, 16)
    with torch.no_grad():
        rnn = nn.RNNCell(3, 16)
        assert torch.allclose(rnn(x, h), torch.tanh(x @ rnn.weight_ih.T + h @ rnn.weight_hh.T + rnn.bias_ih
                                                    + rnn.bias_hh), atol=1e-6)
        lstm = nn.LSTMCell(3, 16)
        (ii, fi, gi, oi), (ih, fh, gh, oh) = _gates(lstm, x, h, 4)  # stacked i, f, g, o
        i, f, g, o = torch.sigmoid(ii + ih), torch.sigmoid(fi + fh), torch.tanh(gi + gh), torch.sigmoid(oi + oh)
        c1 = f * c + i * g
        h1, c1_torch = lstm(x, (h, c))
        assert torch.allclose(c1_torch, c1, atol=1e-6) and torch.allclose(h1, o * torch.tanh(c1), atol=1e-6)
        gru = nn.GRUCell(3, 16)
        (ri, zi, ni), (rh, zh, nh) = _gates(gru, x, h, 3)  # stacked r, z, n; nh includes b_hn
        r, z = torch.sigmoid(ri + rh), torch.sigmoid(zi + zh)
        n = torch.tanh(ni + r * nh)  # the reset gate multiplies the recurrent product after it is computed
        assert torch.allclose(gru(x, h), (1 - z) * n + z * h, atol=1e-6)
        cho = torch.tanh(ni + (r * h) @ gru.weight_hh[32:].T + gru.bias_hh[32:])  # Cho et al.: reset before
        assert not torch.allclose((1 - z) * cho + z * h, gru(x, h), atol=1e-3)
        gru.bias_ih[16:32] = 50.0  # z → 1: the unit copies its old value
        assert torch.allclose(gru(x, h), h, atol=1e-5)
    text = flat()
    assert "the order i, f, g, o" in text and "The blocks are stacked r, z, n" in text
    assert "z = 1 keeps the old state" in text


def test_the_forget_gate_bias_rows_are_h_to_2h():
    lstm = nn.LSTMCell(3, 16)
    x, h, c = torch.randn(4, 3), torch.randn(4, 16), torch.randn(4, 16)
    with torch.no_grad():
        lstm.bias_hh[16:32] = 50.0  # forget gate ≈ 1 ...
        lstm.bias_hh[:16] = -50.0  # ... input gate ≈ 0: the cell keeps its content
        _, c1 = lstm(x, (h, c))
    assert torch.allclose(c1, c, atol=1e-5)
    assert "the rows H to 2H of one of them" in flat()


def test_the_step_jacobian_is_diag_slope_times_w_hh():
    torch.manual_seed(1)
    cell = nn.RNNCell(3, 8).double()
    x, h = torch.randn(3, dtype=torch.float64), torch.randn(8, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda hh: cell(x[None], hh[None])[0], h)
    h1 = cell(x[None], h[None])[0].detach()
    assert torch.allclose(jac, torch.diag(1 - h1**2) @ cell.weight_hh.detach(), atol=1e-12)
    assert "∂hₜ/∂hₜ₋₁ = diag(1 − hₜ²) Wₕₕ" in entry()


def test_the_largest_singular_value_bounds_the_product_and_the_radius_does_not():
    torch.manual_seed(2)
    rnn = nn.RNN(3, 12, batch_first=True).double()
    with torch.no_grad():
        rnn.weight_hh_l0.mul_(3.0)  # well above 1: the bound must still hold, saturation or not
    x = torch.randn(1, 30, 3, dtype=torch.float64)
    out = rnn(x)[0][0].detach()
    w = rnn.weight_hh_l0.detach()
    smax = torch.linalg.matrix_norm(w, 2).item()
    prod = torch.eye(12, dtype=torch.float64)
    for t in range(1, 30):
        prod = torch.diag(1 - out[t] ** 2) @ w @ prod  # ∂h_t/∂h_0 by the chain rule
        assert torch.linalg.matrix_norm(prod, 2).item() <= smax**t * (1 + 1e-9)
    # ρ(W) < 1 is no guarantee once the slopes vary: a nilpotent W (ρ = 0) and a diagonal of slopes in [0, 1]
    nil = torch.tensor([[2.0, -2.0], [2.0, -2.0]], dtype=torch.float64)
    assert torch.linalg.eigvals(nil).abs().max().item() < 1e-6
    assert torch.linalg.eigvals(torch.diag(torch.tensor([1.0, 0.0], dtype=torch.float64)) @ nil).abs().max() == 2.0
    assert "diag(d) Wₕₕ can have a larger spectral radius than Wₕₕ" in flat()
    assert "for a sigmoid cell, whose slope is at most 1/4, the threshold is 4" in flat()


def test_torchs_initialization_and_its_spectral_radius_and_norm():
    H = 600
    torch.manual_seed(3)
    w = nn.RNN(1, H).weight_hh_l0.detach().double()
    assert w.abs().max().item() <= 1 / math.sqrt(H)  # uniform in ±1/√H
    rho = torch.linalg.eigvals(w).abs().max().item()
    smax = torch.linalg.matrix_norm(w, 2).item()
    assert rho == pytest.approx(1 / math.sqrt(3), rel=0.06)  # circular law: s·√H with s² = 1/(3H)
    assert smax == pytest.approx(2 / math.sqrt(3), rel=0.06)  # the largest singular value: 2·s·√H
    assert f"1/√3 ≈ {1 / math.sqrt(3):.2f}" in entry() and f"2/√3 ≈ {2 / math.sqrt(3):.2f}" in entry()


def test_clip_grad_norm_scales_by_the_global_norm_and_returns_it_unclipped():
    p, q = nn.Parameter(torch.zeros(3)), nn.Parameter(torch.zeros(2, 2))
    p.grad, q.grad = torch.tensor([3.0, 0.0, 0.0]), torch.tensor([[0.0, 4.0], [0.0, 0.0]])
    norm = nn.utils.clip_grad_norm_([p, q], 1.0)
    assert norm.item() == pytest.approx(5.0)  # one vector over both parameters
    scale = 1.0 / (5.0 + 1e-6)
    assert torch.allclose(p.grad, torch.tensor([3.0, 0, 0]) * scale)
    assert q.grad[0, 1].item() == pytest.approx(4.0 * scale)
    assert "max_norm / (g + 10⁻⁶)" in entry()
    beta2 = torch.optim.Adam([p]).defaults["betas"][1]
    assert beta2 == 0.999 and f"{round(1 / (1 - beta2)):,} with torch's default β₂ = {beta2}" in flat()


def test_the_streaming_cost_and_storage_of_the_width_16_gru():
    m = build("gru", 3, 16, 1)
    gru = m.rnn
    macs = gru.weight_ih_l0.numel() + gru.weight_hh_l0.numel() + m.head.weight.numel()
    assert (gru.weight_ih_l0.numel(), gru.weight_hh_l0.numel(), macs) == (144, 768, 928)
    n = params(m)
    text = flat()
    assert (f"{macs} multiply-accumulates per sample in its matrix products ({gru.weight_ih_l0.numel()} for the input "
            f"matrices, {gru.weight_hh_l0.numel()} for the recurrent ones, {m.head.weight.numel()} for the head), "
            f"{2 * 16} sigmoids, 16 tanh evaluations") in text
    assert f"Its {n:,} parameters take {4 * n:,} bytes as float32" in text
    weights = sum(p.numel() for name, p in m.named_parameters() if "weight" in name)
    biases = n - weights
    assert (weights, biases) == (928, 97)
    assert (f"With int8 weights ({weights} bytes) and the {biases} biases kept in 32 bits ({4 * biases} bytes), as "
            f"common int8 schemes do, it needs {weights + 4 * biases:,} bytes plus its scales") in text


def test_the_thermal_facts_are_the_data_modules():
    s = sequences
    a = np.array([[-1 / (s.C_W * s.R_WS), 1 / (s.C_W * s.R_WS)],
                  [1 / (s.C_S * s.R_WS), -(1 / s.R_WS + 1 / s.R_SC) / s.C_S]])
    fast, slow = sorted(-1 / np.linalg.eigvals(a).real)
    data = s.thermal_cycles()
    assert f"about {fast:.0f} s and {round(slow, -2):,.0f} s" in flat()
    assert f"spans about {round(slow / data.dt_s, -1):.0f} steps" in flat()
    assert f"one sample every {data.dt_s} s" in flat()
    assert data.steps * data.dt_s == 30 * 60 and "trained on 30-minute recordings" in flat()
    split = s.thermal_split(data)
    sizes = (len(split.cycles_train), len(split.cycles_val), len(split.cycles_test))
    assert f"{sizes[0]} for training, {sizes[1]} for validation and {sizes[2]} for test" in flat()
    assert np.all(data.temp_c[:, 0] - data.x[:, 0, 2] < 5.0)  # every cycle starts cold, near its coolant


def code() -> str:
    blocks = entry().split("```python\n")[1:]
    assert len(blocks) == 1
    return blocks[0].split("```")[0]


def test_the_code_block_trains_and_streams_like_the_whole_sequence():
    ns: dict = {}
    exec(compile(code(), "entry", "exec"), ns)
    torch.manual_seed(4)
    model = ns["GRUEstimator"]()
    assert params(model) == params(build("gru", 3, 16, 1))
    x, y = torch.randn(2, 40, 3), torch.randn(2, 40, 1)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss, norm = ns["train_step"](model, opt, x, y, max_norm=1e-3)
    assert math.isfinite(loss) and norm > 1e-3  # the norm before clipping, as the comment says
    ns["train_truncated"](model, opt, x, y, k=15)
    with torch.no_grad():
        whole = model(x[:1])[0][0, :, 0]
    streamed = torch.tensor(list(ns["stream"](model, x[0])))
    assert torch.allclose(streamed, whole, atol=1e-5)


def test_truncation_stops_the_gradient_at_the_chunk_boundary():
    torch.manual_seed(5)
    gru = nn.GRU(3, 4, batch_first=True)
    x = torch.randn(1, 20, 3, requires_grad=True)
    _, h = gru(x[:, :10])
    out, _ = gru(x[:, 10:], h.detach())
    out[:, -1].sum().backward()
    assert x.grad[:, :10].abs().max() == 0 and x.grad[:, 10:].abs().max() > 0
    assert "sends gradient back only to the chunk's first step" in flat()


@pytest.mark.filterwarnings("ignore")  # the legacy exporter's deprecation and tracer warnings
def test_onnx_calls_torchs_gru_linear_before_reset():
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    torch.manual_seed(6)
    gru = nn.GRU(3, 4, batch_first=True).eval()
    x, h0 = torch.randn(1, 5, 3), torch.zeros(1, 1, 4)
    buf = io.BytesIO()
    torch.onnx.export(gru, (x, h0), buf, dynamo=False, input_names=["x", "h0"])  # the exporter that emits ONNX's GRU
    model = onnx.load_from_string(buf.getvalue())
    node = next(n for n in model.graph.node if n.op_type == "GRU")
    assert {a.name: a.i for a in node.attribute}["linear_before_reset"] == 1
    sess = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    got = sess.run(None, {"x": x.numpy(), "h0": h0.numpy()})[0]
    assert np.allclose(got, gru(x, h0)[0].detach().numpy(), atol=1e-5)
    assert "`linear_before_reset = 1`" in entry()


def test_every_attribution_has_its_year():
    text = flat()
    for who in ("Hochreiter and Schmidhuber, 1997", "Cho et al., 2014", "Bengio, Simard and Frasconi in 1994",
                "Pascanu, Mikolov and Bengio, 2013", "Neural Computation, 2000", "Vaswani et al., 2017",
                "Bahdanau, Cho and Bengio (2014)", "Bengio, Vinyals, Jaitly and Shazeer, 2015"):
        assert who in text, who
    assert not re.search(r"\bseed\b", text)


def test_the_entry_sits_after_the_playground_and_renders():
    topics = list(reference.TOPICS)
    assert topics[topics.index("playground") + 1] == "recurrent"
    text = tree.text(reference.show("recurrent"))
    assert "Recurrent networks" in text and "Open the live page: Recurrent networks" in text
