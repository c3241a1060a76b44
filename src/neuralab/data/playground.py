"""The playground's data: small 2-D point clouds, two regression surfaces, digits and a motor slice.

Every 2-D set lives in the square ``[-6, 6]²`` (the TensorFlow Playground's box), is
drawn with vectorized numpy from ``np.random.default_rng(seed)`` and is therefore
identical for the same ``(dataset, n, noise, classes, seed)``.

* ``circle``, ``xor``, ``gauss``, ``spiral``: classification with 2 to 4 classes
  (``classes``): concentric rings, a k×k checkerboard (k = 2 is XOR), k Gaussian
  blobs on a circle, k interleaved spiral arms.
* ``reg_plane``, ``reg_gauss``: regression targets in ``[-1, 1]``, a tilted plane and
  a sum of six signed Gaussian bumps.
* ``digits``: scikit-learn's 8×8 handwritten digits (64 pixel inputs, 10 classes),
  standardized with training statistics only; the 2-D feature choices do not apply.
* ``motor``: torque of the bench PMSM from :mod:`neuralab.data.motor` against two
  inputs, the measured q-axis current and the winding temperature, averaged over
  10 ms windows. Torque = 1.5·p·ψ(ϑ)·i_q, so the net has to learn a product that bends
  with temperature: the ``xy`` feature is the physics here. Both inputs are mapped from
  their training range to [-5, 5] and the torque to [-1, 1] (``y_offset``/``y_scale``
  convert back to N·m).
* ``user:<id>``: a table the learner added on the Data page (:mod:`neuralab.data.user`). Two of its numeric
  feature columns (``col_x``, ``col_y``: their numbers among the table's features) are the plane's axes, mapped
  from their training range to [-5, 5] as for ``motor`` (``raw_range`` converts back to the columns' units); a
  regression target is mapped to [-1, 1] the same way. At most ``n_points`` rows are drawn (seeded; stratified
  by class for a classifier), and the train/test split follows the table's roles (:func:`table_split`).

Inputs for the 2-D sets are built from the point ``(x, y)``: any non-empty subset of
``x, y, x², y², xy, sin x, sin y`` (:data:`FEATURES`). As in the TensorFlow
Playground they are not rescaled, so ``x²`` reaches 36 while ``sin x`` stays within ±1:
a lesson in why inputs are usually standardized.

Noise (percent) moves every point by a uniform offset of up to ``noise/100 × 6`` in each
coordinate (for ``gauss`` it widens the blobs instead; for ``motor`` it adds nothing: the
bench log is already measured with sensor noise); the regression sets' jittered points
are clipped to the box. Labels are those of the clean point,
so noise makes classes overlap rather than relabelling.

The full page spec, network and training controls included, is
:data:`neuralab.train.playground.PLAYGROUND`: this layer cannot import the model and
optimizer registries, so here are only the data controls (:data:`DATA`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from neuralab.data import user
from neuralab.params import SEED, Bool, Choice, DatasetChoice, Int, ParamError, ParamSpec, Rule

__all__ = [
    "BOX", "CLASSIFIERS", "SPAN", "DATA", "DATASETS", "FEATURES", "REGRESSORS", "Grid", "PlaygroundData",
    "MAX_USER_CLASSES", "features", "grid", "is_2d", "load", "points", "selected_features", "table_split",
]

BOX = 6.0  # half-width of the square every 2-D set lives in: points in [-BOX, BOX]²
SPAN = 5.0  # a table's column is mapped from its training range to [-SPAN, SPAN]

#: name -> (label, task). task is "classification" or "regression".
DATASETS: dict[str, tuple[str, str]] = {
    "circle": ("Circle (rings)", "classification"),
    "xor": ("XOR (checkerboard)", "classification"),
    "gauss": ("Gaussian blobs", "classification"),
    "spiral": ("Spiral", "classification"),
    "reg_plane": ("Regression: plane", "regression"),
    "reg_gauss": ("Regression: Gaussian bumps", "regression"),
    "digits": ("Digits 8×8 (64 inputs, 10 classes)", "classification"),
    "motor": ("Motor torque from current and temperature", "regression"),
}
CLASSIFIERS = ("circle", "xor", "gauss", "spiral")  # the 2-D sets that take `classes`
REGRESSORS = ("reg_plane", "reg_gauss", "motor")
TWO_D = CLASSIFIERS + REGRESSORS  # sets whose inputs are built from a point (x, y)
MAX_USER_CLASSES = 10  # a user table with more classes is refused: the plane's colours tell 10 apart (digits')


def is_2d(dataset: str) -> bool:
    """Whether the dataset choice's inputs are built from a point (x, y): the 2-D sets and every user table."""
    return dataset in TWO_D or user.is_user(dataset)

#: feature name -> label. The computations are in :func:`features`.
FEATURES: dict[str, str] = {
    "x": "x", "y": "y", "x2": "x²", "y2": "y²", "xy": "x·y", "sinx": "sin x", "siny": "sin y",
}


def _feature_field(name: str, on: bool) -> Bool:
    return Bool(on, label=f"Feature {FEATURES[name]}", help=f"Feed {FEATURES[name]} to the network as an input.")


def selected_features(values: dict) -> tuple[str, ...]:
    """The feature names switched on in ``values`` (keys ``f_x``, ``f_y``, ...), in :data:`FEATURES` order."""
    return tuple(f for f in FEATURES if values.get(f"f_{f}") is True)


#: The data controls. Feature switches are ``f_<name>`` :class:`~neuralab.params.Bool` fields.
DATA = ParamSpec(
    "playground_data",
    dataset=DatasetChoice.from_choice(Choice(tuple((k, v[0]) for k, v in DATASETS.items()), "circle",
                                             label="Dataset", help="Which problem the network learns.")),
    col_x=Int(0, user.MAX_COLUMNS - 1, 0, label="Horizontal axis",
              help="Your dataset's numeric column on the plane's horizontal axis (its number among the "
                   "table's features, from 0). The built-in datasets ignore it."),
    col_y=Int(0, user.MAX_COLUMNS - 1, 1, label="Vertical axis",
              help="Your dataset's numeric column on the plane's vertical axis (its number among the "
                   "table's features, from 0). The built-in datasets ignore it."),
    classes=Int(2, 4, 2, label="Classes", help="Number of classes for circle, xor, gauss and spiral."),
    noise=Int(0, 50, 0, step=5, unit="%", label="Noise", help="How far points are pushed off their clean position."),
    train_pct=Int(10, 90, 50, step=10, unit="%", label="Training share",
                  help="Share of the points used for training; the rest are the test set."),
    n_points=Int(100, 1000, 500, step=50, unit="points", label="Points",
                 help="How many points are drawn (digits and motor use at most what they hold)."),
    **{f"f_{f}": _feature_field(f, f in ("x", "y")) for f in FEATURES},
    seed=SEED,
    rules=[
        Rule(tuple(f"f_{f}" for f in FEATURES),
             lambda v: not is_2d(v["dataset"]) or bool(selected_features(v)),
             "Switch on at least one input feature (x, y, x², y², xy, sin x, sin y): with none, the "
             "network sees nothing."),
        Rule(("col_x", "col_y"), lambda v: not user.is_user(v["dataset"]) or v["col_x"] != v["col_y"],
             "col_x and col_y are both {col_x}: the plane needs two different columns, one per axis."),
        Rule(("dataset", "col_x", "col_y"), lambda v: _user_problem(v) == "", lambda v: _user_problem(v)),
    ],
)


@dataclass(frozen=True)
class PlaygroundData:
    """One drawn data set, split and ready to train (float64, read-only arrays)."""

    X_train: np.ndarray  # (n_train, n_inputs) network inputs (the selected features)
    y_train: np.ndarray  # (n_train,) int64 class index, or float64 target
    X_test: np.ndarray  # (n_test, n_inputs)
    y_test: np.ndarray  # (n_test,)
    P_train: np.ndarray | None  # (n_train, 2) the raw points (x, y) for plotting; None for digits
    P_test: np.ndarray | None  # (n_test, 2)
    task: str  # "classification" or "regression"
    n_classes: int  # 2..10 for classification, 0 for regression
    feature_names: tuple[str, ...]  # one per input column: feature keys, or "pixel 0".. for digits
    dataset: str  # key of DATASETS
    axis_names: tuple[str, str] = ("x", "y")  # what the two raw coordinates mean (motor: current, temperature)
    y_unit: str = ""  # unit of the regression target once converted back ("" = dimensionless)
    y_offset: float = 0.0  # target in y_unit = stored target · y_scale + y_offset (motor: torque in N·m)
    y_scale: float = 1.0
    raw_range: tuple[tuple[float, float], ...] = ()  # motor, user: (lo, hi) of each raw input mapped to ±5
    class_names: tuple[str, ...] = ()  # a user table's class names ("" = the playground's own colours)
    note: str = ""  # a user table: what the page works on (rows drawn, columns, split), one paragraph

    @property
    def is_user(self) -> bool:
        """A learner's table: the page draws its plane in the two columns' own units."""
        return user.is_user(self.dataset)

    def raw(self, P: np.ndarray) -> np.ndarray:
        """Points of the scaled plane (n, 2) in the raw inputs' units (unchanged without ``raw_range``)."""
        P = np.asarray(P, dtype=np.float64)
        if not self.raw_range:
            return P
        lo, hi = np.array(self.raw_range).T
        return lo + (P + SPAN) / (2 * SPAN) * np.where(hi > lo, hi - lo, 1.0)

    @property
    def n_inputs(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_outputs(self) -> int:
        """1 for regression and for two classes (one logit), else one logit per class."""
        return self.n_classes if self.n_classes > 2 else 1

    @property
    def head(self) -> str:
        """``"binary"`` (one logit, sigmoid cross-entropy), ``"multiclass"`` (softmax) or ``"regression"`` (MSE)."""
        if self.task == "regression":
            return "regression"
        return "binary" if self.n_classes == 2 else "multiclass"

    @property
    def is_2d(self) -> bool:
        """Whether the inputs come from a point (x, y), so a decision map can be drawn."""
        return self.P_train is not None


def points(dataset: str, n: int, noise: float, seed: int, classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` points of a synthetic 2-D set: ``(P, y)`` with P of shape (n, 2).

    Args:
        dataset: one of ``circle, xor, gauss, spiral, reg_plane, reg_gauss``.
        n: number of points.
        noise: 0..0.5, the fraction of the box half-width used as uniform jitter.
        seed: fixes every draw.
        classes: 2..4 for the classification sets (ignored by the regression sets).

    Returns:
        ``P`` float64 (n, 2) and ``y``: int64 labels in ``0..classes-1`` or float64 targets in [-1, 1].
    """
    rng = np.random.default_rng(seed)
    if dataset not in _GENERATORS:
        raise ValueError(f"dataset must be one of {', '.join(_GENERATORS)}; got {dataset!r}.")
    return _GENERATORS[dataset](rng, int(n), float(noise), int(classes))


def _jitter(rng: np.random.Generator, n: int, noise: float) -> np.ndarray:
    return rng.uniform(-1.0, 1.0, (n, 2)) * (noise * BOX)


def _circle(rng: np.random.Generator, n: int, noise: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    # k concentric rings of equal width inside radius 5, with a gap of 10% of a ring between rings
    y = np.arange(n) % k
    width = 5.0 / k
    r = width * (y + rng.uniform(0.1, 0.9, n)) if k > 2 else np.where(
        y == 0, rng.uniform(0.0, 2.5, n), rng.uniform(3.5, 5.0, n))  # two classes: a disc and a ring
    angle = rng.uniform(0.0, 2 * np.pi, n)
    P = np.column_stack([r * np.cos(angle), r * np.sin(angle)]) + _jitter(rng, n, noise)
    return P, y.astype(np.int64)


def _xor(rng: np.random.Generator, n: int, noise: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    # a k×k checkerboard on [-5, 5]², label (i + j) mod k; k = 2 is XOR of the signs of x and y
    cell = 10.0 / k
    pad = 0.3  # keep clean points off the cell borders, as the TF Playground does
    ij = rng.integers(0, k, (n, 2))
    P = -5.0 + cell * ij + rng.uniform(pad, cell - pad, (n, 2))
    y = (ij[:, 0] + ij[:, 1]) % k
    return P + _jitter(rng, n, noise), y


def _gauss(rng: np.random.Generator, n: int, noise: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    # k blobs on a circle of radius 2√2 (k = 2: centres (2, 2) and (-2, -2)); noise widens them
    y = np.arange(n) % k
    angle = np.pi / 4 + 2 * np.pi * y / k
    centre = 2 * np.sqrt(2) * np.column_stack([np.cos(angle), np.sin(angle)])
    sd = np.sqrt(0.5 + 7.0 * noise)  # variance 0.5 with no noise, 4 at 50%
    return centre + rng.normal(0.0, sd, (n, 2)), y.astype(np.int64)


def _spiral(rng: np.random.Generator, n: int, noise: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    # k arms turning 1.75 times round while the radius grows from 0 to 5
    y = np.arange(n) % k
    s = rng.uniform(0.0, 1.0, n)
    r = 5.0 * s
    t = 1.75 * 2 * np.pi * s + 2 * np.pi * y / k
    P = np.column_stack([r * np.sin(t), r * np.cos(t)]) + _jitter(rng, n, noise)
    return P, y.astype(np.int64)


def _reg_plane(rng: np.random.Generator, n: int, noise: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    P = rng.uniform(-BOX, BOX, (n, 2))
    y = (P[:, 0] + P[:, 1]) / (2 * BOX)  # in [-1, 1]
    return np.clip(P + _jitter(rng, n, noise), -BOX, BOX), y


_BUMPS = np.array([[-4.0, 2.5, 1.0], [0.0, 2.5, -1.0], [4.0, 2.5, 1.0],
                   [-4.0, -2.5, -1.0], [0.0, -2.5, 1.0], [4.0, -2.5, -1.0]])  # (cx, cy, sign)


def reg_gauss_target(P: np.ndarray) -> np.ndarray:
    """Six signed Gaussian bumps (σ = 1.2), summed and clipped to [-1, 1]."""
    d2 = ((P[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(axis=2)  # (n, 6)
    return np.clip((_BUMPS[:, 2] * np.exp(-d2 / (2 * 1.2**2))).sum(axis=1), -1.0, 1.0)


def _reg_gauss(rng: np.random.Generator, n: int, noise: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    P = rng.uniform(-BOX, BOX, (n, 2))
    return np.clip(P + _jitter(rng, n, noise), -BOX, BOX), reg_gauss_target(P)


_GENERATORS = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral,
               "reg_plane": _reg_plane, "reg_gauss": _reg_gauss}


def features(P: np.ndarray, names: tuple[str, ...] | list[str]) -> np.ndarray:
    """The network inputs for points ``P`` (n, 2): one column per name in ``names``, float64."""
    x, y = P[:, 0], P[:, 1]
    cols = {"x": lambda: x, "y": lambda: y, "x2": lambda: x * x, "y2": lambda: y * y,
            "xy": lambda: x * y, "sinx": lambda: np.sin(x), "siny": lambda: np.sin(y)}
    bad = [f for f in names if f not in cols]
    if bad or not names:
        raise ValueError(f"features must be a non-empty subset of {', '.join(cols)}; got {tuple(names)}.")
    return np.column_stack([cols[f]() for f in names]).astype(np.float64)


@lru_cache(maxsize=2)
def _motor_windows() -> tuple[np.ndarray, np.ndarray]:
    from neuralab.data.motor import motor_log, motor_windows  # 0.2 s the first time: only when asked for

    w = motor_windows(motor_log(seed=0), window_s=0.01)
    return np.column_stack([w.i_amp, w.temp_c]), np.asarray(w.torque_nm, dtype=np.float64)


def _split(n: int, train_pct: int, rng: np.random.Generator, y: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """Random train/test indices; stratified by class when ``y`` is given (every class in both parts)."""
    if y is None:
        idx = rng.permutation(n)
        k = min(max(1, round(n * train_pct / 100)), n - 1)
        return np.sort(idx[:k]), np.sort(idx[k:])
    train, test = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        k = min(max(1, round(len(idx) * train_pct / 100)), len(idx) - 1)
        train.append(idx[:k])
        test.append(idx[k:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def _frozen(*arrays: np.ndarray | None) -> None:
    for a in arrays:
        if a is not None:
            a.setflags(write=False)


def load(values: dict | None = None, **kwargs: object) -> PlaygroundData:
    """Draw and split the data set described by the :data:`DATA` controls (validated; cached).

    Extra keys that are not data controls (the network's, say) are ignored, so the page
    can pass its whole state. Raises :class:`~neuralab.params.ParamError` with a sentence
    for a bad value.
    """
    merged = {**(values or {}), **kwargs}
    v = DATA.validate(DATA.subset(merged))
    if user.is_user(v["dataset"]):
        return _user(v["dataset"], v["col_x"], v["col_y"], v["train_pct"], v["n_points"], selected_features(v),
                     v["seed"])
    return _load(v["dataset"], v["classes"], v["noise"], v["train_pct"], v["n_points"],
                 selected_features(v), v["seed"])


@lru_cache(maxsize=32)
def _load(dataset: str, classes: int, noise: int, train_pct: int, n_points: int, feats: tuple[str, ...],
          seed: int) -> PlaygroundData:
    rng = np.random.default_rng([seed, 1])  # the split's own stream, independent of the points' draw
    if dataset == "digits":
        return _digits(n_points, train_pct, rng)
    if dataset == "motor":
        P_all, y_all = _motor_windows()
        pick = np.sort(rng.choice(len(y_all), size=min(n_points, len(y_all)), replace=False))
        P_raw, y = P_all[pick], y_all[pick]
        tr, te = _split(len(y), train_pct, rng)
        lo, hi = P_raw[tr].min(axis=0), P_raw[tr].max(axis=0)
        P = (P_raw - lo) / np.where(hi > lo, hi - lo, 1.0) * (2 * SPAN) - SPAN  # train range -> [-SPAN, SPAN]
        t_lo, t_hi = float(y[tr].min()), float(y[tr].max())
        y_offset, y_scale = (t_hi + t_lo) / 2, (t_hi - t_lo) / 2 or 1.0
        y = (y - y_offset) / y_scale  # train range -> [-1, 1], like the other regression sets
        axis, unit = ("q-axis current (scaled)", "winding temperature (scaled)"), "N·m"
        task, k = "regression", 0
    else:
        P, y = points(dataset, n_points, noise / 100, seed, classes)
        task = DATASETS[dataset][1]
        k = classes if task == "classification" else 0
        tr, te = _split(len(y), train_pct, rng, y if k else None)
        axis, unit, y_offset, y_scale = ("x", "y"), "", 0.0, 1.0
    X = features(P, feats)
    raw = tuple(zip(lo.tolist(), hi.tolist(), strict=True)) if dataset == "motor" else ()
    data = PlaygroundData(X[tr], y[tr], X[te], y[te], P[tr], P[te], task, k, feats, dataset, axis, unit,
                          y_offset, y_scale, raw)
    _frozen(data.X_train, data.y_train, data.X_test, data.y_test, data.P_train, data.P_test)
    return data


def _user_problem(v: dict) -> str:
    """"" when the user dataset in ``v`` (if any) can be drawn as asked, else the sentence why not."""
    if not user.is_user(v["dataset"]):
        return ""
    try:
        _user(v["dataset"], v["col_x"], v["col_y"], v["train_pct"], v["n_points"], selected_features(v) or ("x",),
              v["seed"])
    except ValueError as exc:
        return str(exc)
    return ""


def user_table(value: str) -> user.Table:
    """The catalogue's table ``user:<id>`` (sampled to :data:`~neuralab.data.user.INTERACTIVE_ROWS`, seed 0);
    an unknown id or an unusable file is a :class:`~neuralab.params.ParamError` naming the dataset."""
    try:
        return user.catalogue().table(value.removeprefix(user.USER_PREFIX))
    except user.UploadError as exc:
        raise ParamError([f"dataset {value}: {exc}"]) from None
    except KeyError:
        raise ParamError([f"dataset {value}: no such dataset here; it was deleted, or the link is wrong."]) from None


def table_split(t: user.Table, rows: np.ndarray, train_pct: int, rng: np.random.Generator
                ) -> tuple[np.ndarray, np.ndarray, str]:
    """Train/test positions in ``rows`` (indices of ``t``, ascending) and how they were chosen, in words.

    The table's roles decide the manner (:attr:`~neuralab.data.user.Table.split`), ``train_pct`` the share:
    whole groups apart with a group column (scikit-learn's ``GroupShuffleSplit``), the earliest rows for
    training with a time column (rows are kept in time order), else shuffled, stratified by class.
    """
    n = len(rows)
    if t.split == "groups" and len(np.unique(t.groups[rows])) >= 2:
        from sklearn.model_selection import GroupShuffleSplit

        gss = GroupShuffleSplit(n_splits=1, train_size=train_pct / 100, random_state=int(rng.integers(2**31)))
        tr, te = next(gss.split(np.zeros(n), groups=t.groups[rows]))
        if len(tr) and len(te):
            return np.sort(tr), np.sort(te), f"whole groups apart, about {train_pct} % of the rows for training"
    if t.split == "time":
        k = min(max(1, round(n * train_pct / 100)), n - 1)
        return np.arange(k), np.arange(k, n), f"in time order: the earliest {train_pct} % of the rows for training"
    classify = t.task != "regression"
    tr, te = _split(n, train_pct, rng, t.y[rows] if classify else None)
    how = "shuffled" + (", stratified by class" if classify else "")
    extra = " (the group column has one group among the rows drawn)" if t.split == "groups" else ""
    return tr, te, f"{how}{extra}: {train_pct} % of the rows for training"


def _user(value: str, col_x: int, col_y: int, train_pct: int, n_points: int, feats: tuple[str, ...],
          seed: int) -> PlaygroundData:
    """A user table drawn for the playground. The catalogue entry is looked up every time (a deleted table
    raises at once); the draw is cached by the entry's file, so one page update draws it once."""
    try:
        sha = user.catalogue().entry(value.removeprefix(user.USER_PREFIX)).sha256
    except (user.UploadError, KeyError):
        sha = ""  # user_table says why
    return _user_drawn(value, sha, col_x, col_y, train_pct, n_points, feats, seed)


@lru_cache(maxsize=16)
def _user_drawn(value: str, sha: str, col_x: int, col_y: int, train_pct: int, n_points: int,
                feats: tuple[str, ...], seed: int) -> PlaygroundData:
    t = user_table(value)  # the lab's fixed sample (seed 0, cached); the page's seed draws the points from it
    names = t.feature_names
    if len(names) < 2:
        raise ParamError([f"dataset {value}: {t.name!r} has one numeric feature ({names[0]!r}); the playground's "
                          "plane needs two, one per axis. Pick a table with two numeric feature columns, or "
                          "study this one on /fitting, which takes a single input."])
    listing = ", ".join(f"{i} {n!r}" for i, n in enumerate(names[:12])) + (", …" if len(names) > 12 else "")
    for field, i in (("col_x", col_x), ("col_y", col_y)):
        if not 0 <= i < len(names):
            raise ParamError([f"{field} is {i}, but {t.name!r} has {len(names)} numeric feature columns, numbered "
                              f"0 to {len(names) - 1} ({listing}); pick one of those."])
    classify = t.task != "regression"
    if classify and len(t.class_names) > MAX_USER_CLASSES:
        raise ParamError([f"dataset {value}: {t.name!r} has {len(t.class_names)} classes; the playground colours "
                          f"at most {MAX_USER_CLASSES} apart on its plane. Group rare classes, or use /fitting."])
    rng = np.random.default_rng([seed, 1])
    rows = (np.arange(t.n_rows) if n_points >= t.n_rows
            else user._sample(t.n_rows, t.y, classify, int(n_points), seed))  # seeded, stratified for classes
    tr, te, how = table_split(t, rows, train_pct, rng)
    P_raw, y = t.X[rows][:, [col_x, col_y]], t.y[rows]
    lo, hi = P_raw[tr].min(axis=0), P_raw[tr].max(axis=0)
    P = (P_raw - lo) / np.where(hi > lo, hi - lo, 1.0) * (2 * SPAN) - SPAN  # training range -> [-SPAN, SPAN]
    if classify:
        k, y_offset, y_scale, y = len(t.class_names), 0.0, 1.0, y.astype(np.int64)
    else:
        t_lo, t_hi = float(y[tr].min()), float(y[tr].max())
        y_offset, y_scale, k = (t_hi + t_lo) / 2, (t_hi - t_lo) / 2 or 1.0, 0
        y = (y - y_offset) / y_scale  # training range -> [-1, 1]
    X = features(P, feats)
    unused = [repr(n) for i, n in enumerate(names) if i not in (col_x, col_y)]
    of = (f"its {t.n_rows_total:,} rows (of the lab's fixed sample of {t.n_rows:,})" if t.sampled
          else f"its {t.n_rows:,} rows")
    drawn = (f"all {len(rows):,} rows" if len(rows) == t.n_rows_total else
             f"{len(rows):,} of {of}, drawn at random with seed {seed}"
             f"{', stratified by class' if classify else ''} (the Points control; the playground draws at most "
             f"{DATA.fields['n_points'].hi:,})")
    note = (f"Your dataset {t.name}: {drawn}. Across: {names[col_x]!r}, up: {names[col_y]!r}, both in their own "
            "units; the network sees each mapped from its training range to −5…5, and the feature boxes "
            "(x², sin x …) act on those mapped values. "
            + (f"Not used here: {', '.join(unused[:8])}{', …' if len(unused) > 8 else ''}. " if unused else "")
            + (f"{len(t.class_names)} classes. " if classify else "The target is mapped from its training range "
               "to −1…1: the map's colours and the losses are on that scale, the RMSE in the target's units. ")
            + f"Noise and Classes do not apply. Split {how}; the rest are the test set.")
    data = PlaygroundData(X[tr], y[tr], X[te], y[te], P[tr], P[te], "classification" if classify else "regression",
                          k, feats, value, (names[col_x], names[col_y]), "", y_offset, y_scale,
                          tuple(zip(lo.tolist(), hi.tolist(), strict=True)), t.class_names if classify else (), note)
    _frozen(data.X_train, data.y_train, data.X_test, data.y_test, data.P_train, data.P_test)
    return data


def _digits(n_points: int, train_pct: int, rng: np.random.Generator) -> PlaygroundData:
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    X_all, y_all = load_digits(return_X_y=True)
    pick = np.sort(rng.choice(len(y_all), size=min(n_points, len(y_all)), replace=False))
    X_raw, y = X_all[pick].astype(np.float64), y_all[pick].astype(np.int64)
    tr, te = _split(len(y), train_pct, rng, y)
    scaler = StandardScaler().fit(X_raw[tr])  # statistics of the training rows only: no leak
    X = scaler.transform(X_raw)
    names = tuple(f"pixel {i}" for i in range(X.shape[1]))
    data = PlaygroundData(X[tr], y[tr], X[te], y[te], None, None, "classification", 10, names, "digits",
                          ("", ""), "")
    _frozen(data.X_train, data.y_train, data.X_test, data.y_test)
    return data


@dataclass(frozen=True)
class Grid:
    """A square lattice over the data box, for decision maps and per-neuron maps."""

    xs: np.ndarray  # (res,) x coordinates of the columns
    ys: np.ndarray  # (res,) y coordinates of the rows
    P: np.ndarray  # (res*res, 2) every lattice point, row-major: P[i*res + j] = (xs[j], ys[i])
    X: np.ndarray  # (res*res, n_inputs) the network inputs at those points

    @property
    def res(self) -> int:
        return len(self.xs)

    def image(self, values: np.ndarray) -> np.ndarray:
        """Reshape ``(..., res*res)`` values to ``(..., res, res)`` images (rows follow ``ys``)."""
        return values.reshape(*values.shape[:-1], self.res, self.res)


def grid(data: PlaygroundData, res: int = 50) -> Grid:
    """The ``res × res`` lattice over ``[-6, 6]²`` with the network inputs of ``data``'s features.

    Raises ``ValueError`` for digits (64 inputs: there is no plane to draw) or an
    out-of-range ``res`` (4..200).
    """
    if not data.is_2d:
        raise ValueError(f"{data.dataset} has {data.n_inputs} inputs; a decision map needs a 2-D data set.")
    if not 4 <= int(res) <= 200:
        raise ValueError(f"res must be between 4 and 200; got {res}.")
    return _grid(data.feature_names, int(res))


@lru_cache(maxsize=16)
def _grid(feats: tuple[str, ...], res: int) -> Grid:
    xs = np.linspace(-BOX, BOX, res)
    gx, gy = np.meshgrid(xs, xs)
    P = np.column_stack([gx.ravel(), gy.ravel()])
    g = Grid(xs, xs.copy(), P, features(P, feats))
    _frozen(g.xs, g.ys, g.P, g.X)
    return g
