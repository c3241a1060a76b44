"""The playground's controls and limits, declared once, and the engine's settings built from them."""

from __future__ import annotations

from dataclasses import dataclass

from neuralab.data import playground, user
from neuralab.data.playground import DATA, selected_features
from neuralab.nn.models import ACTIVATIONS, INITS, NORMS
from neuralab.params import Choice, Float, Int, ParamSpec, Rule
from neuralab.train import schedules
from neuralab.train.optimizers import OPTIMIZERS

MAX_LAYERS = 8  # hidden layers at most
MAX_WIDTH = 32  # neurons per hidden layer at most
MAX_EPOCHS = 100_000  # a run stops here whatever else: its history (five numbers an epoch) stays bounded
MAX_PARAMS = 5000  # trainable numbers at most: keeps one update (and a 50×50 neuron map) fast
NORM_EPS, BN_MOMENTUM = 1e-5, 0.1  # torch's BatchNorm1d / LayerNorm defaults
SATURATED_SLOPE = 0.05  # a unit is saturated where its slope is below 5% of its peak slope ...
SATURATED_SHARE = 0.9  # ... on at least 90% of the training points
UNSCALED_RMS = 1.5  # a diverged run whose largest input column has a larger RMS is told its inputs are unscaled
GAIN_LIMIT = 3.0  # above this initial output/input scale, a diverged run gets the narrow-layer advice

_DEFAULT_WIDTHS = (4, 2, 4, 4, 4, 4, 4, 4)

# ---------------------------------------------------------------------------------------------------------------
# The controls
# ---------------------------------------------------------------------------------------------------------------

_ACT_OPTIONS = tuple((k, v[0]) for k, v in ACTIVATIONS.items())

NETWORK = ParamSpec(
    "playground_network",
    layers=Int(0, MAX_LAYERS, 2, label="Hidden layers", help="How many hidden layers sit between input and output."),
    **{f"n{i + 1}": Int(1, MAX_WIDTH, _DEFAULT_WIDTHS[i], label=f"Neurons in layer {i + 1}",
                        help=f"Width of hidden layer {i + 1} (ignored beyond the number of layers).")
       for i in range(MAX_LAYERS)},
    activation=Choice(_ACT_OPTIONS, "tanh", label="Activation", help="The nonlinearity of every hidden layer."),
    **{f"act{i + 1}": Choice((("same", "Same as above"),) + _ACT_OPTIONS, "same", label=f"Activation of layer {i + 1}",
                             help=f"Overrides the activation of hidden layer {i + 1}.")
       for i in range(MAX_LAYERS)},
    init=Choice(tuple(INITS.items()), "xavier", label="Initialization",
                help="How the weights are drawn before training; biases start at zero."),
    norm=Choice(tuple(NORMS.items()), "none", label="Normalization",
                help="Normalize each hidden layer's pre-activations over the batch or over the layer."),
    dropout=Float(0.0, 0.8, 0.0, step=0.05, label="Dropout", help="Share of hidden units silenced at each update."),
)

TRAINING = ParamSpec(
    "playground_training",
    optimizer=Choice(tuple((k, v[0]) for k, v in OPTIMIZERS.items()), "sgd", label="Optimizer",
                     help="The update rule (torch's, with torch's defaults)."),
    lr=Float(1e-5, 10.0, 0.03, step=0.01, log=True, label="Learning rate", help="Step size of each update."),
    schedule=schedules.SCHEDULE,
    epochs=Int(10, 5000, 1000, step=10, unit="epochs", label="Schedule length",
               help="Epochs the learning-rate schedule spans. After them training goes on at the schedule's "
                    "last rate, as a share of the learning rate: " + "; ".join(schedules.AFTER_LENGTH.values())
                    + ". Changing it starts the run over from epoch 0."),
    stop_at=Int(0, MAX_EPOCHS, 0, step=10, label="Stop at epoch",
                help="Training pauses by itself when this epoch is reached (0: no epoch limit; the other stops "
                     "below and the lab's job limit on each press of Play still apply). Changing it starts the "
                     "run over from epoch 0; to train past a stop, press Play or Step."),
    batch_size=Int(1, 100, 10, unit="points", label="Batch size", help="Points averaged into each update."),
    weight_decay=Float(0.0, 0.1, 0.0, step=0.001, label="Weight decay",
                      help="torch's weight_decay: pulls every parameter toward zero (decoupled for AdamW)."),
    l1=Float(0.0, 0.1, 0.0, step=0.001, label="L1",
             help="Soft-threshold on the weights after each update: exact zeros."),
    l2=Float(0.0, 0.1, 0.0, step=0.001, label="L2", help="Adds l2·Σw² to the loss."),
    patience=Int(0, 200, 0, step=5, unit="epochs", label="Patience",
                 help="Stop after this many epochs without a better test loss (0: never)."),
    target_loss=Float(0.0, 1.0, 0.0, step=0.005, label="Target loss",
                      help="Stop once the test loss falls below this (0: never)."),
)


PACES: dict[str, str] = {  # updates per drawn frame -> label; "max": as many as fit in the frame's time
    "1": "Slow motion: 1 update a frame",
    "10": "10 updates a frame",
    "100": "100 updates a frame",
    "max": "As fast as it goes",
}

VIEW = ParamSpec(  # how the page shows a run: in the URL, but not part of the network (the exports ignore it)
    "playground_view",
    pace=Choice(tuple(PACES.items()), "10", label="Pace",
                help="Weight updates between two drawn frames (about 30 frames a second); the last trains as "
                     "fast as the engine goes."),
)


def hidden_sizes(values: dict) -> tuple[int, ...]:
    """The hidden widths chosen in ``values``: ``(n1, ..., n_layers)``."""
    return tuple(int(values[f"n{i + 1}"]) for i in range(int(values["layers"])))


def hidden_activations(values: dict) -> tuple[str, ...]:
    """One activation name per hidden layer: ``act{i}`` unless it is "same", then ``activation``."""
    return tuple(values["activation"] if values[f"act{i + 1}"] == "same" else values[f"act{i + 1}"]
                 for i in range(int(values["layers"])))


def _io_sizes(values: dict) -> tuple[int, int]:
    """(inputs, outputs) implied by the data controls, without drawing the data."""
    ds = values["dataset"]
    n_in = 64 if ds == "digits" else len(selected_features(values))
    if user.is_user(ds):  # the table decides; one that cannot be drawn gets its sentence from DATA's rule
        try:
            return n_in, playground.load(values).n_outputs
        except ValueError:
            return n_in, 1
    if playground.DATASETS[ds][1] == "regression":
        return n_in, 1
    k = 10 if ds == "digits" else int(values["classes"])
    return n_in, (k if k > 2 else 1)


def n_weights(sizes: tuple[int, ...] | list[int], norm: str = "none") -> int:
    """Trainable numbers of an MLP ``sizes`` (weights, biases, and two per unit for a norm layer)."""
    n = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=False))
    return n + (2 * sum(sizes[1:-1]) if norm != "none" else 0)


def _n_train(values: dict) -> int:
    """Training points the data controls give (the stratified split's exact count; the draw is cached)."""
    try:
        return len(playground.load(values).y_train)
    except ValueError:  # the data controls themselves are bad: another rule says so
        return 10**9


def _batch_ok(v: dict) -> bool:
    if user.is_user(v["dataset"]):  # a table's training rows depend on its size and roles: count them
        return v["batch_size"] <= _n_train(v)
    cap = {"digits": 1797, "motor": 1200}.get(v["dataset"], 10**9)
    rough = min(int(v["n_points"]), cap) * int(v["train_pct"]) // 100 - 10  # per-class rounding loses < 1 each
    return v["batch_size"] <= rough or v["batch_size"] <= _n_train(v)


def _size_ok(v: dict) -> bool:
    n_in, n_out = _io_sizes(v)
    return n_weights((n_in, *hidden_sizes(v), n_out), v["norm"]) <= MAX_PARAMS


def _size_message(v: dict) -> str:
    n_in, n_out = _io_sizes(v)
    n = n_weights((n_in, *hidden_sizes(v), n_out), v["norm"])
    return (f"The network ({n_in} inputs, hidden layers {list(hidden_sizes(v))}, {n_out} output"
            f"{'s' if n_out > 1 else ''}) has {n} trainable numbers; the playground allows {MAX_PARAMS} so that "
            "each update stays fast. Remove a layer or make some narrower.")


PLAYGROUND = ParamSpec.merge("playground", DATA, NETWORK, TRAINING)
PLAYGROUND = ParamSpec(
    "playground",
    [*PLAYGROUND.rules,
     Rule(("layers", "n1", "norm"), _size_ok, _size_message),
     Rule(("batch_size", "n_points", "train_pct"), _batch_ok,
          lambda v: (f"batch_size is {v['batch_size']} but the training set holds only {_n_train(v)} points; "
                     "choose a batch size at most that, or more points or a larger training share.")),
     Rule(("norm", "batch_size"), lambda v: v["norm"] != "batch" or v["batch_size"] >= 2,
          "Batch norm needs at least 2 points per batch (it divides by the batch's spread); "
          "raise batch_size or pick layer norm."),
     ],
    **PLAYGROUND.fields,
)


# ---------------------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EngineConfig:
    """The network and how it is trained. Build it from page values with :func:`config`."""

    sizes: tuple[int, ...]  # (n_inputs, hidden..., n_outputs)
    activations: tuple[str, ...]  # one key of ACTIVATIONS per hidden layer
    head: str  # "binary", "multiclass" or "regression" (see PlaygroundData.head)
    init: str = "xavier"  # key of neuralab.nn.models.INITS
    norm: str = "none"  # "none", "batch" or "layer"
    dropout: float = 0.0  # drop probability after each hidden activation
    optimizer: str = "sgd"  # key of neuralab.train.optimizers.OPTIMIZERS
    lr: float = 0.03  # initial learning rate
    schedule: str = "constant"  # key of neuralab.train.schedules.SCHEDULES, stepped once per epoch
    epochs: int = 1000  # the schedule's span; after it the LR keeps its last value
    batch_size: int = 10  # points per update
    weight_decay: float = 0.0  # torch's weight_decay
    l1: float = 0.0  # proximal L1 strength (weights only)
    l2: float = 0.0  # L2 penalty l2·Σw² in the loss (weights only)
    patience: int = 0  # early stopping on the test loss (0: off); the best weights are restored
    target_loss: float = 0.0  # stop when the test loss is below this (0: off)
    stop_at: int = 0  # stop when this epoch is reached (0: never)
    explode: float = 1e3  # a training loss above this multiple of the initial one counts as divergence
    seed: int = 0  # initial weights (through mlp) and the shuffling/dropout stream


def config(values: dict) -> EngineConfig:
    """The :class:`EngineConfig` for validated page ``values`` (see :data:`PLAYGROUND`)."""
    n_in, n_out = _io_sizes(values)
    head = playground.load(values).head if user.is_user(values["dataset"]) else (
        "regression" if playground.DATASETS[values["dataset"]][1] == "regression"
        else "binary" if n_out == 1 else "multiclass")
    return EngineConfig(
        sizes=(n_in, *hidden_sizes(values), n_out), activations=hidden_activations(values), head=head,
        init=values["init"], norm=values["norm"], dropout=float(values["dropout"]), optimizer=values["optimizer"],
        lr=float(values["lr"]), schedule=values["schedule"], epochs=int(values["epochs"]),
        batch_size=int(values["batch_size"]), weight_decay=float(values["weight_decay"]), l1=float(values["l1"]),
        l2=float(values["l2"]), patience=int(values["patience"]), target_loss=float(values["target_loss"]),
        stop_at=int(values.get("stop_at", 0)), seed=int(values["seed"]),
    )


