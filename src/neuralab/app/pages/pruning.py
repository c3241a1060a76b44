"""/pruning: remove weights or neurons from a trained network, fine-tune, and measure what it buys."""

from __future__ import annotations

import torch
from dash import html

from neuralab.app import own_compression, ui
from neuralab.app.controls import alert, cid, controls, wire
from neuralab.app.registry import prefix
from neuralab.app.sections import Alert, Chart, Needs, Section
from neuralab.app.selfcheck import Pick, Value
from neuralab.compress import own, prune, prune_effects, zoo
from neuralab.compress.prune_effects import LOTTERY, PRUNE, SCHEDULE, SWEEP, SWEEP_LEVELS
from neuralab.params import ParamSpec
from neuralab.plots import pruning as figures

P = prefix(__name__)
#: On the learner's own table: the seed above draws the network's weights, the table's sample and its split.
OWN = own_compression.spec(seed=PRUNE.fields["seed"])
SPEC = ParamSpec.merge(P, PRUNE, OWN)
# The first use of a network and seed trains it (seconds), too long for a request: the light snapshot says so
# while the background jobs below train it first, and answers once they have.
REFERENCE = Needs("reference", SWEEP, lambda v: prune_effects.trained(v["model"], v["seed"]),
                  lambda v: prune_effects.reference(v["model"], v["seed"]), prune_effects.NOT_TRAINED)


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Pruning",
                "A trained network has many weights it could do without. Prune them, retrain briefly, and measure "
                "what it changes in accuracy, in bytes and in microseconds. Every number below comes "
                "from a real network trained on scikit-learn's 8 × 8 digits and tested on 360 held-out digits.",
                messages,
            ),
            ui.toolbar(controls(P, SPEC, values, ["model", "seed"])),
            _prune(values),
            _sweep(),
            _schedules(),
            _lottery(),
            _footprint(),
            _recipe(),
            own_compression.layout(P, SPEC, values, OWN_INTRO,
                                   "Test score and stored size of your table's network at each sparsity"),
        ]
    )


def _prune(values: dict) -> html.Section:
    return ui.section(
        "Prune a trained network",
        [
            ui.md(
                "**Unstructured** pruning zeroes, in every layer, the given share of weights with the smallest "
                "magnitude |w|. **Structured** pruning removes whole hidden neurons instead: the rows of a weight "
                "matrix with the smallest L2 norm, together with their biases (the 10 output neurons stay). Both "
                "use `torch.nn.utils.prune`, which keeps a 0/1 mask beside each weight matrix.\n\n"
                "The left picture is the first layer: one row per neuron, one column per input pixel; removed "
                "weights are gaps. The histogram shows which magnitudes were removed. Unstructured pruning cuts "
                "the histogram at a threshold; structured pruning takes small *and* large weights, because it "
                "judges a neuron by its whole row."
            ),
            ui.row(controls(P, SPEC, values, ["sparsity", "method"])),
            REFERENCE.marker(P),
            alert(cid(P, "snap-alert")),
            ui.chart(cid(P, "snap"), "First-layer weights after pruning and the magnitudes kept and removed"),
            ui.md(
                "Right after pruning, nothing has adapted to the missing weights yet. A short **fine-tune** (a few "
                f"epochs of Adam at learning rate {prune.FT_LR:g}, masks kept, so the removed weights stay exactly "
                "zero) lets the survivors take over the work:"
            ),
            ui.chart(cid(P, "tuned"), "Validation accuracy during the fine-tune after pruning", heavy=True),
        ],
    )


def _sweep() -> html.Section:
    return ui.section(
        "Accuracy against sparsity, measured",
        [
            ui.md(
                f"The same prune and fine-tune at {len(SWEEP_LEVELS)} levels from 0 to "
                f"{max(SWEEP_LEVELS)}%, three ways. Dashed lines are just after pruning, solid lines after "
                f"{prune.FT_EPOCHS} epochs of fine-tuning. The grey curves remove the same number of weights at "
                "random: the gap to the blue ones is what choosing by magnitude is worth.\n\n"
                "Read it as an engineer: find the sparsity where the solid curve leaves the dense line. Structured "
                "curves fall earlier, because each removed neuron takes a whole row and a whole column with it."
            ),
            alert(cid(P, "sweep-alert")),
            ui.chart(cid(P, "sweep"), "Test accuracy against sparsity, before and after fine-tuning", heavy=True),
        ],
    )


def _schedules() -> html.Section:
    return ui.section(
        "One shot or in rounds",
        [
            ui.md(
                f"**One-shot**: prune to the target at once, then fine-tune. **Iterative**: {prune.ROUNDS} "
                "rounds, each removing the same share of what is still there (the sparsity climbs as "
                f"1 − (1 − s)^(r/{prune.ROUNDS})), with {prune.ROUND_EPOCHS} epochs of fine-tuning after each. "
                "The rounds cost more retraining in total, so one-shot is shown twice: with the "
                f"{prune.FT_EPOCHS} epochs used above, and with the iterative schedule's whole budget of "
                f"{prune.ROUNDS * prune.ROUND_EPOCHS} epochs. Only the second comparison isolates the schedule.\n\n"
                "Try 50%, where the schedule makes no difference, then 80% and 90%. On this small network the "
                "one-shot prune given the same total retraining usually does at least as well: what counts most "
                "is how many epochs follow the *last* cut, and the iterative schedule spends most of its budget "
                "before it. The advantage reported for iterative pruning comes from large networks with long "
                "fine-tuning in every round. The caption gives the measured difference."
            ),
            alert(cid(P, "sched-alert")),
            ui.chart(cid(P, "sched"), "Test accuracy of iterative pruning round by round and of one-shot pruning",
                     heavy=True),
        ],
    )


def _lottery() -> html.Section:
    return ui.section(
        "The lottery ticket experiment",
        [
            ui.md(
                "Frankle and Carbin's test: train, prune by magnitude, then **rewind** the surviving weights to the "
                "exact values they had before training (the same seed's initialization) and train again with the "
                "mask fixed. The control keeps the same mask but draws **new** random initial weights. If the "
                "rewound network does clearly better, the mask together with its original init was a *winning "
                "ticket*: a sparse network that trains well from the start.\n\n"
                f"Each bar is a full retraining ({zoo.RECIPES['mlp'].epochs} epochs for the small MLP). "
                "On a network this small the two often come out close: the effect was found on larger nets and "
                "shows most at high sparsity. That is the measured answer for this network; read the bars rather "
                "than the legend of the hypothesis."
            ),
            alert(cid(P, "lottery-alert")),
            ui.chart(cid(P, "lottery"), "Accuracy after retraining a pruned mask from its own init or a fresh one",
                     heavy=True),
        ],
    )


def _footprint() -> html.Section:
    return ui.section(
        "Smaller? Faster?",
        [
            ui.md(
                "Four versions of the network at the sparsity above, measured here with torch on one CPU thread "
                "(median of many forward passes):\n\n"
                "* **Dense**: the trained network.\n"
                "* **Unstructured, zeros in dense**: the pruned weights are zeros inside full-size matrices. Same "
                "bytes and the same multiplications as dense: any gap between its time and dense's is not caused by "
                "the network. It is noise and drift between measurements taken one after another, a rough "
                "yardstick for how big a gap must be before you believe it.\n"
                "* **Unstructured, CSR sparse**: only the non-zeros stored, with a column index for each (8 bytes "
                "in torch) and a row pointer per row, multiplied with `torch.sparse.mm`. It saves bytes only when "
                "few enough weights remain to pay for the indices. At these sizes and sparsities a CPU's sparse "
                "kernel usually loses to the dense one (irregular memory access and index loads cost more than "
                "the skipped multiplies); the bars show whether it does here.\n"
                "* **Structured, compacted**: the removed neurons cut out, giving smaller dense matrices. Fewer "
                "bytes and fewer multiply-adds on any hardware. Less work does not always mean proportionally "
                "less time: every forward pass also pays a fixed cost per call, the same as dense's, which for one "
                "sample can leave little of the saving visible.\n\n"
                "The caption gives dense's times, the zeros copy's gap as the yardstick, and how the other "
                "versions compared with dense, for one sample and for a batch. Times are wall-clock on a shared "
                "machine: compare bars within one run. Try the large MLP, where the work weighs more against the "
                "fixed cost of a call."
            ),
            alert(cid(P, "foot-alert")),
            ui.chart(cid(P, "foot"), "Stored bytes and forward-pass time of dense, sparse and compacted versions",
                     heavy=True),
        ],
    )


def _recipe() -> html.Section:
    return ui.section(
        "The recipe in code",
        [
            ui.md("Prune with torch, fine-tune with the masks in place, then make the zeros permanent:"),
            ui.code(
                "import torch.nn.utils.prune as prune\n\n"
                "layers = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]\n"
                "for m in layers:\n"
                "    prune.l1_unstructured(m, \"weight\", amount=0.8)   # 80% smallest |w| per layer\n"
                "    # structured instead: prune.ln_structured(m, \"weight\", amount=0.5, n=2, dim=0)\n"
                "train(model, epochs=8)          # weight = weight_orig * weight_mask on every forward\n"
                "for m in layers:\n"
                "    prune.remove(m, \"weight\")   # bake the zeros in; the mask is gone\n"
            ),
        ],
    )


_CSR = prune.csr_entry_bytes()  # (value, column index) bytes of one kept weight
OWN_INTRO = (
    "The same prune and fine-tune on a table of yours. The small MLP recipe (hidden layers of "
    f"{' and '.join(map(str, zoo.RECIPES['mlp'].hidden))} neurons; one input per feature of your table, one output "
    "per class or a single one for a numeric target) is trained on the table's training rows with the seed above, "
    "once per table on this machine. It is then pruned by magnitude, single weights, at each sparsity of the "
    f"sweep above, and each pruned copy is fine-tuned for {prune.FT_EPOCHS} epochs on the same rows with its mask "
    "kept. The score is test accuracy for classes; for a numeric target it is the mean squared error of the target "
    "standardized on the training rows (about 1.0 is what always predicting the training mean scores; lower is "
    "better). Size is the weights stored as torch CSR, which drops the zeros but stores an "
    f"{_CSR[1]}-byte column index with each kept weight: {sum(_CSR)} bytes a survivor against {_CSR[0]} dense, so "
    f"CSR is smaller only above about {prune.csr_break_even():.0%} sparsity."
)


# ----------------------------------------------------------------------------- the sections


# The pruned network: light, on release of the sparsity slider (once the reference network is trained).
SNAPSHOT = Section(P, "snap", PRUNE, lambda v, _: prune_effects.snapshot(**v),
                   [Chart("snap", figures.snapshot_figure, figures.describe_snapshot)],
                   fix="Choose another sparsity to see the pruned network.", needs=REFERENCE)
# Fine-tune, schedules and footprint share their controls: one job, one progress bar (on the fine-tune chart),
# and the schedules and footprint sections each keep their alert.
SCHEDULES = Section(P, "schedules", SCHEDULE,
                    lambda v, progress: prune_effects.schedules_and_footprint(**v, progress=progress),
                    [Chart("tuned", lambda r: figures.tuned_figure(r[0].oneshot),
                           lambda r: figures.describe_tuned(r[0].oneshot)),
                     Chart("sched", lambda r: figures.schedules_figure(r[0]),
                           lambda r: figures.describe_schedules(r[0])),
                     Alert("sched-alert"),
                     Chart("foot", lambda r: figures.footprint_figure(r[1]),
                           lambda r: figures.describe_footprint(r[1])),
                     Alert("foot-alert")],
                    fix="Choose another sparsity to fine-tune and measure.", job=True, alert=False, needs=REFERENCE)
SWEEP_SECTION = Section(P, "sweep", SWEEP,
                        lambda v, progress: prune_effects.sweep(**v, progress=progress),
                        [Chart("sweep", figures.sweep_figure, figures.describe_sweep)],
                        fix="Fix the value above to run the sweep.", job=True, needs=REFERENCE)
LOTTERY_SECTION = Section(P, "lottery", LOTTERY,
                          lambda v, progress: prune_effects.lottery(**v, progress=progress),
                          [Chart("lottery", figures.lottery_figure, figures.describe_lottery)],
                          fix="Fix the value above to run the experiment.", job=True, needs=REFERENCE)
# The learner's own table: the small MLP trained on it, pruned at every sweep level (a background job).
OWN_SECTION = own_compression.section(P, OWN, lambda data, key, v, progress: own.pruning(
    data, key, v["seed"], progress=progress))
SECTIONS = (SNAPSHOT, SCHEDULES, SWEEP_SECTION, LOTTERY_SECTION, OWN_SECTION)

update_snapshot, update_schedules, update_sweep, update_lottery, update_own = (s.register() for s in SECTIONS)
fill_datasets = own_compression.wire(P)
wire(P, SPEC)


def _layer() -> torch.nn.Sequential:
    """A 64 → 32 layer with weights drawn from a seeded generator (the global RNG stays untouched)."""
    layer = torch.nn.utils.skip_init(torch.nn.Linear, 64, 32)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        layer.weight.copy_(torch.randn(32, 64, generator=gen) / 8)
        layer.bias.copy_(torch.randn(32, generator=gen) / 8)
    return torch.nn.Sequential(layer)


def _zeros(sparsity: float = 0.3) -> int:
    pruned, _ = prune.magnitude(_layer(), sparsity)
    return int((pruned[0].weight == 0).sum())


def _csr_bytes() -> int:
    pruned, _ = prune.magnitude(_layer(), 0.5)
    return prune.csr_bytes(pruned)[0]


QUESTIONS = (
    Value("zeros", "Magnitude pruning at 30 % sparsity of one nn.Linear(64, 32) layer: how many of its weights are "
          "exactly zero afterwards?", _zeros,
          f"torch's l1_unstructured removes the 30 % smallest |w| of the {64 * 32} weights, rounded to a whole "
          "number: {answer}. The biases are not pruned.", section="Prune a trained network"),
    Value("csr", "The same layer pruned to 50 %, stored as torch CSR (float32 values, int64 column indices and row "
          "pointers) plus its float32 biases: how many bytes?", _csr_bytes,
          f"Dense it takes {(64 * 32 + 32) * 4} bytes. CSR stores each survivor with an 8-byte column index, so at "
          "50 % it takes {answer} bytes: more, not less.", section="Smaller? Faster?"),
    Value("rounds", f"Iterative pruning to 80 % in {prune.ROUNDS} rounds, each removing the same share of what is "
          "left: what is the sparsity after round 2, in percent?",
          lambda: 100 * (1 - (1 - 0.8) ** (2 / prune.ROUNDS)),
          "The kept share shrinks geometrically, (1 − s)^(r/rounds), so after round 2 the sparsity is {answer} %, "
          "more than half of the way there.", section="One shot or in rounds", tolerance=0.005, unit="%"),
    Pick("ticket", "In the lottery ticket experiment, what is the rewound network?",
         ("The pruned network, fine-tuned for longer", "The surviving weights reset to their values before "
          "training, mask kept, trained again", "The same mask with new random weights",
          "The dense network, retrained"), 1,
         "Rewinding keeps the mask and the original initial values; the control keeps the mask with fresh "
         "random weights. Only the pair tells whether the original init matters.",
         section="The lottery ticket experiment"),
)
