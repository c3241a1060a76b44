"""Take a playground run away: config JSON, safetensors, a torch state_dict, ONNX, and a standalone script.

Every export starts from :meth:`neuralab.train.playground.Engine.to_torch`, the ``nn.Sequential``
that :func:`neuralab.nn.models.mlp` builds, holding the engine's weights. The state-dict
keys are therefore torch's own (``0.weight``, ``0.bias``, ``1.running_mean``, ...), and
any torch code that builds the same ``mlp`` can load them.

The standalone script needs numpy and torch only. It redraws the data with the same generator code
(copied from :mod:`neuralab.data.playground` when the file is written), rebuilds the network with
the same seeded initializers (a copy of ``mlp``), and repeats the same updates with torch's own
optimizer in float64: the same shuffles, batches, dropout masks (drawn from the same numpy stream),
L2, weight decay and L1 proximal step, and the same learning-rate schedule: torch's scheduler,
written as its class and arguments, stepped once an epoch over the schedule's span (after it the
rate keeps its last value, as in the engine; reduce-on-plateau has no span and is stepped with the
test loss every epoch). It prints the final losses, which match the engine's to rounding. What it
cannot replay: weights edited by hand, updates made with
:meth:`~neuralab.train.playground.Engine.update` outside
:meth:`~neuralab.train.playground.Engine.step`, and the weights restored by early stopping: the
script ends on the last update, and a run trained on after an early stop is not reproduced at all
(the script's docstring then says so).
"""

from __future__ import annotations

import base64
import inspect
import io
import json
import os
import tempfile
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from neuralab.data import playground
from neuralab.nn import models
from neuralab.train import schedules
from neuralab.train.optimizers import MOMENTUM
from neuralab.train.playground.engine import Engine

__all__ = ["OnnxCheck", "config_json", "onnx_export", "safetensors_bytes", "load_safetensors", "script",
           "state_dict_bytes"]


def config_json(eng: Engine) -> str:
    """The run as JSON: the page's values (when built from them), the engine config, and where the run stands."""
    m = eng.metrics()
    doc = {"neuralab": "playground", "values": eng.values, "config": asdict(eng.cfg),
           "progress": {"epoch": eng.epoch, "updates": eng.updates, "train_loss": m.train_loss,
                        "test_loss": m.test_loss, "diverged": eng.diverged, "stopped": eng.stopped}}
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _state_dict(eng: Engine) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone().contiguous() for k, v in eng.to_torch(torch.float32).state_dict().items()}


def safetensors_bytes(eng: Engine) -> bytes:
    """The weights (float32, torch key names) as a ``.safetensors`` file, with the config in its metadata."""
    from safetensors.torch import save

    return save(_state_dict(eng), metadata={"neuralab_config": json.dumps(asdict(eng.cfg))})


def load_safetensors(blob: bytes) -> dict[str, torch.Tensor]:
    """Inverse of :func:`safetensors_bytes`: the state dict."""
    from safetensors.torch import load

    return load(blob)


def state_dict_bytes(eng: Engine) -> bytes:
    """``torch.save(model.state_dict())`` as bytes: a ``.pt`` file (``torch.load(f, weights_only=True)``)."""
    buf = io.BytesIO()
    torch.save(_state_dict(eng), buf)
    return buf.getvalue()


@dataclass(frozen=True)
class OnnxCheck:
    """An ONNX export and its check in onnxruntime."""

    data: bytes  # the .onnx file
    max_abs_diff: float  # largest |onnxruntime − torch| over the checked inputs (float32)
    n_checked: int  # how many input rows were compared
    opset: int


def onnx_export(eng: Engine, opset: int = 17) -> OnnxCheck:
    """Export ``to_torch()`` with ``torch.onnx.export`` (TorchScript exporter), then run the file in
    onnxruntime on the test inputs and compare with torch's outputs."""
    import onnx
    import onnxruntime as ort

    model = eng.to_torch(torch.float32).eval()
    X = np.ascontiguousarray(eng.data.X_test, np.float32)
    with tempfile.TemporaryDirectory(prefix="neuralab-playground-onnx-") as tmp:
        path = os.path.join(tmp, "playground.onnx")
        with warnings.catch_warnings():  # the TorchScript exporter is deprecated but needs no onnxscript
            warnings.simplefilter("ignore", DeprecationWarning)
            torch.onnx.export(model, (torch.as_tensor(X[:1]),), path, input_names=["inputs"],
                              output_names=["outputs"], dynamic_axes={"inputs": {0: "batch"}, "outputs": {0: "batch"}},
                              opset_version=opset, dynamo=False)
        data = Path(path).read_bytes()
    onnx.checker.check_model(onnx.load_from_string(data))
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])
    out = sess.run(None, {"inputs": X})[0]
    with torch.no_grad():
        ref = model(torch.as_tensor(X)).numpy()
    return OnnxCheck(data, float(np.abs(out - ref).max()), len(X), opset)


# ----------------------------------------------------------------------------- the standalone script


_DATA_FUNCS = ("_jitter", "_circle", "_xor", "_gauss", "_spiral", "_reg_plane", "reg_gauss_target", "_reg_gauss",
               "features", "_split")


def _data_source(eng: Engine) -> str:
    """Python source that defines ``load_data()`` returning (X_train, y_train, X_test, y_test)."""
    d, v = eng.data, eng.values
    if d.is_user and v is not None:
        return _user_data_source(d.dataset, {k: v[k] for k in playground.DATA.fields})
    if v is None or d.dataset in ("digits", "motor"):  # drawn from sklearn / the bench model: ship the arrays
        buf = io.BytesIO()
        np.savez_compressed(buf, X_train=d.X_train, y_train=d.y_train, X_test=d.X_test, y_test=d.y_test)
        blob = base64.b64encode(buf.getvalue()).decode()
        lines = [blob[i:i + 100] for i in range(0, len(blob), 100)]
        return ("# The data set is not synthetic, so its split arrays travel inside the script.\n"
                "_DATA = (\n" + "\n".join(f'    "{ln}"' for ln in lines) + "\n)\n\n\n"
                "def load_data():\n"
                "    import base64, io\n"
                "    z = np.load(io.BytesIO(base64.b64decode(''.join(_DATA))))\n"
                "    return z['X_train'], z['y_train'], z['X_test'], z['y_test']\n")
    funcs = "\n\n".join(inspect.getsource(getattr(playground, f)) for f in _DATA_FUNCS)
    k = v["classes"] if d.task == "classification" else 0
    return (f"BOX = {playground.BOX!r}\n_BUMPS = np.array({playground._BUMPS.tolist()!r})\n\n\n{funcs}\n\n"
            f"_GENERATORS = {{'circle': _circle, 'xor': _xor, 'gauss': _gauss, 'spiral': _spiral,\n"
            f"               'reg_plane': _reg_plane, 'reg_gauss': _reg_gauss}}\n\n\n"
            "def load_data():\n"
            "    # the same draw as neuralab.data.playground.load\n"
            f"    seed, n, noise, classes = {v['seed']}, {v['n_points']}, {v['noise'] / 100!r}, {v['classes']}\n"
            f"    P, y = _GENERATORS[{d.dataset!r}](np.random.default_rng(seed), n, noise, classes)\n"
            "    rng = np.random.default_rng([seed, 1])\n"
            f"    tr, te = _split(len(y), {v['train_pct']}, rng, y if {k} else None)\n"
            f"    X = features(P, {tuple(d.feature_names)!r})\n"
            "    return X[tr], y[tr], X[te], y[te]\n")


def _user_data_source(dataset: str, values: dict) -> str:
    """``load_data()`` for a learner's table: read from the neuralab catalogue, drawn and split as on the page."""
    missing = (f"This run trained on your dataset {dataset}, which only the neuralab catalogue holds: run the "
               "script where neuralab is installed and the dataset is in its catalogue.")
    return (f"# The data is your own table {dataset}. The script reads it from the neuralab catalogue of the machine\n"
            "# the lab runs on (NEURALAB_DATA_DIR) and draws and splits it exactly as the page did; it does not\n"
            "# carry the rows itself. Run it where the lab and the table are.\n"
            f"DATA_VALUES = {values!r}\n\n\n"
            "def load_data():\n"
            "    try:\n"
            "        from neuralab.data import playground\n"
            "    except ImportError:\n"
            f"        raise SystemExit({missing!r}) from None\n"
            "    try:\n"
            "        d = playground.load(DATA_VALUES)\n"
            "    except ValueError as exc:  # the dataset was deleted, or this machine's catalogue lacks it\n"
            "        raise SystemExit(f'Cannot read the data: {exc}') from None\n"
            "    return d.X_train, d.y_train, d.X_test, d.y_test\n")


def _model_source() -> str:
    acts = ", ".join(f"{k!r}: ({lab!r}, nn.{cls.__name__})" for k, (lab, cls) in models.ACTIVATIONS.items())
    funcs = "\n\n".join(inspect.getsource(f) for f in (models._init_linear, models._gain_name, models.mlp))
    return (f"ACTIVATIONS = {{{acts}}}\nINITS = {models.INITS!r}\nNORMS = {models.NORMS!r}\n\n\n"
            f"{funcs}\n")


_TRAIN = '''

class NumpyDropout(nn.Module):
    """Inverted dropout whose masks come from the run's numpy stream (as the engine draws them)."""

    def __init__(self, p, rng):
        super().__init__()
        self.p, self.rng = p, rng

    def forward(self, a):
        if not self.training:
            return a
        mask = (self.rng.random(tuple(a.shape)) >= self.p) / (1.0 - self.p)
        return a * torch.from_numpy(mask)


def loss_fn(out, y):
    if HEAD == "binary":
        return F.binary_cross_entropy_with_logits(out, y.view(-1, 1))
    if HEAD == "multiclass":
        return F.cross_entropy(out, y)
    return F.mse_loss(out, y.view(-1, 1))


def make_schedule():
    """The learning-rate schedule on an optimizer of its own, whose LR the run copies at each epoch's start
    (so a scheduler such as OneCycleLR never touches the real optimizer's momentum or betas). Used directly
    on your optimizer, OneCycleLR would also cycle its momentum (cycle_momentum=True by default); the
    playground does not."""
    holder = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=LR)
    holder.step()  # torch wants an optimizer step before the scheduler's first; nothing moves
    return holder, SCHEDULE(holder)


def make_optimizer(params):
    name, lr, wd = CFG["optimizer"], CFG["lr"], CFG["weight_decay"]
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=wd)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=MOMENTUM, nesterov=name == "nesterov", weight_decay=wd)
    return {"adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam,
            "adamw": torch.optim.AdamW}[name](params, lr=lr, weight_decay=wd)


@torch.no_grad()
def evaluate(model, X, y):
    model.eval()
    loss = float(loss_fn(model(X), y))
    model.train()
    return loss


def main():
    torch.set_num_threads(1)
    Xtr, ytr, Xte, yte = load_data()
    cast = (lambda a: torch.tensor(a, dtype=torch.int64)) if HEAD == "multiclass" else (
        lambda a: torch.tensor(a, dtype=torch.float64))
    Xtr, Xte = torch.tensor(Xtr, dtype=torch.float64), torch.tensor(Xte, dtype=torch.float64)
    ytr, yte = cast(ytr), cast(yte)
    rng = np.random.default_rng([CFG["seed"], 2])  # the engine's stream: shuffles, then dropout masks
    model = mlp(CFG["sizes"], list(CFG["activations"]), dropout=CFG["dropout"], norm=CFG["norm"],
                init=CFG["init"], seed=CFG["seed"]).double()
    for i, m in enumerate(model):
        if isinstance(m, nn.Dropout):
            model[i] = NumpyDropout(CFG["dropout"], rng)
    model.train()
    opt = make_optimizer(model.parameters())
    holder, sched = make_schedule()
    weights = [p for p in model.parameters() if p.dim() >= 2]
    B, n = CFG["batch_size"], len(ytr)
    per_epoch, done, epoch = n // B, 0, 0
    while done < UPDATES:
        for g in opt.param_groups:
            g["lr"] = holder.param_groups[0]["lr"]
        perm = torch.from_numpy(rng.permutation(n))
        for b in range(min(per_epoch, UPDATES - done)):
            idx = perm[b * B:(b + 1) * B]
            loss = loss_fn(model(Xtr[idx]), ytr[idx])
            if CFG["l2"]:
                loss = loss + CFG["l2"] * sum((w ** 2).sum() for w in weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if CFG["l1"]:  # proximal step: soft-threshold the weights by lr * l1
                with torch.no_grad():
                    thr = opt.param_groups[0]["lr"] * CFG["l1"]
                    for w in weights:
                        w.copy_(torch.sign(w) * torch.clamp(w.abs() - thr, min=0.0))
            done += 1
        if done % per_epoch == 0:
            epoch += 1
            if CFG["schedule"] == "plateau":  # reacts to the test loss, every epoch
                sched.step(evaluate(model, Xte, yte))
            elif epoch < CFG["epochs"]:  # the schedule's span; after it the LR keeps its last value
                sched.step()
    print(f"updates {done}")
    print(f"epochs {done / per_epoch:g}")
    print(f"final_train_loss {evaluate(model, Xtr, ytr):.12g}")
    print(f"final_test_loss {evaluate(model, Xte, yte):.12g}")


if __name__ == "__main__":
    main()
'''


def _schedule_comment(eng: Engine) -> str:
    if eng.cfg.schedule == "plateau":
        return "# schedule 'plateau': stepped with the test loss after every epoch (no fixed length)"
    n = eng.cfg.epochs
    return (f"# schedule {eng.cfg.schedule!r} over CFG['epochs'] = {n} epochs: stepped after each of the first "
            f"{n - 1} epochs, then held at its last value")


def _restore_note(eng: Engine) -> str:
    """Lines for the script's docstring when early stopping restored weights the script cannot restore."""
    if eng.restored is None:
        return ""
    stop, best = eng.restored
    if eng.epoch == stop and eng.position == 0:
        return (f"At epoch {stop} early stopping restored the weights of epoch {best}; this script ends on the\n"
                "last update's weights instead, so its losses are those before the restore.\n")
    return (f"NOT A REPLAY: at epoch {stop} early stopping restored the weights of epoch {best} and the run\n"
            "trained on from them; this script trains on from the last update's weights instead, so its\n"
            "losses differ from the playground's.\n")


def script(eng: Engine) -> str:
    """A standalone Python script (numpy + torch) that replays this run's ``eng.updates`` updates.

    It prints ``final_train_loss`` and ``final_test_loss`` (eval mode, no penalty), the
    numbers :meth:`Engine.metrics` reports. After an early stop the engine has restored
    its best weights while the script ends on the last update's, so compare before the stop; a run
    trained on after an early stop is not reproduced, and the script's docstring says so.
    """
    cfg = asdict(eng.cfg)
    sched = schedules.source(eng.cfg.schedule, eng.cfg.epochs, optimizer="opt")
    header = (
        '"""A neuralab playground run, reproduced with numpy and torch only.\n\n'
        f"Network {list(eng.cfg.sizes)} ({', '.join(eng.cfg.activations) or 'no hidden layer'}), "
        f"{eng.cfg.optimizer} at lr {eng.cfg.lr:g}, batch {eng.cfg.batch_size}, {eng.updates} updates.\n"
        f"{_restore_note(eng)}"
        + ("Needs neuralab and this lab's dataset catalogue: the data is your own table (see load_data).\n"
           if eng.data.is_user else "")
        + 'Run:  python this_file.py\n"""\n\n'
        "from __future__ import annotations\n\n"

        "import numpy as np\n"
        "import torch\n"
        "import torch.nn.functional as F\n"
        "from torch import nn\n\n"
        f"CFG = {cfg!r}\n"
        f"HEAD = {eng.cfg.head!r}\n"
        f"UPDATES = {eng.updates}\n"
        f"MOMENTUM = {MOMENTUM!r}\n"
        'LR = CFG["lr"]\n'
        f"{_schedule_comment(eng)}\n"
        f"SCHEDULE = lambda opt: {sched}  # noqa: E731\n\n\n"
    )
    return header + _data_source(eng) + "\n\n" + _model_source() + _TRAIN
