"""/distillation: a small student learns from a large teacher's softened probabilities; measured over seeds."""

from __future__ import annotations

import torch
from dash import html

from neuralab.app import own_compression, ui
from neuralab.app.controls import alert, cid, controls, wire
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Needs, Replay, Section
from neuralab.app.selfcheck import Pick, Value
from neuralab.compress import distill, own, zoo
from neuralab.compress.distill import COMPARE, GRADIENT, SOFT
from neuralab.compress.zoo import RECIPES, Recipe
from neuralab.params import ParamSpec
from neuralab.plots import distillation as figures

P = prefix(__name__)
#: On the learner's own table: the teacher and students trained on it, distilled at the T and α above.
OWN = own_compression.spec(T=COMPARE.fields["T"], alpha=COMPARE.fields["alpha"])
SPEC = ParamSpec.merge(P, SOFT, COMPARE, OWN)
# The first visit trains the teacher (seconds), too long for a request: the soft targets and the gradient scale say
# so while the comparison's job trains it first, and answer once it has.
TRAINED_TEACHER = Needs("teacher", ParamSpec("teacher"), lambda _: zoo.kept(distill.TEACHER, distill.TEACHER_SEED),
                lambda _: zoo.load(distill.TEACHER, distill.TEACHER_SEED),
                "The teacher is being trained (once on this machine, a few seconds); this chart appears as soon as "
                "it is done.")
TEACHER, STUDENT = RECIPES[distill.TEACHER], RECIPES[distill.STUDENT]


def _arch(recipe: Recipe) -> str:
    """``"an MLP 64-512-256-10"`` from a zoo recipe."""
    return "an MLP " + "-".join(str(n) for n in (64, *recipe.hidden, 10))


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Knowledge distillation",
                f"A large network (the teacher, {_arch(TEACHER)}) is already trained. A far smaller one (the "
                f"student, {_arch(STUDENT)}) is trained to copy the teacher's whole probability distribution, not "
                "only the right answer. Both are PyTorch MLPs on scikit-learn's 8 × 8 digits; every accuracy below is "
                "measured on the same 360 held-out test digits.",
                messages,
            ),
            _soft(values),
            _loss(),
            _result(values),
            _notes(),
            own_compression.layout(P, SPEC, values, OWN_INTRO,
                                   "Test accuracy and stored size of your table's teacher and students"),
        ]
    )


def _soft(values: dict) -> html.Section:
    return ui.section(
        "What the teacher knows beyond the label",
        [
            ui.md(
                "A label says *this is an 8* and nothing else. The teacher's output says more: which other digits "
                "this image resembles, and how much. At T = 1 (grey) that information is squeezed into probabilities "
                "too small to see next to the winner. Dividing the logits by a temperature T before the softmax, "
                "softmax(z / T), flattens the distribution without changing the ranking, and the runners-up appear "
                "(blue). Hinton called this the *dark knowledge*. Drag T and pick other digits: the second choices "
                "are the classes a person might confuse too."
            ),
            ui.row(controls(P, SPEC, values, ["T", "digit"])),  # drag_value drives the light charts; value, the job
            TRAINED_TEACHER.marker(P),
            SOFT_SECTION.store(),
            alert(cid(P, "soft-alert")),
            ui.chart(cid(P, "soft"), "A test digit and the teacher's probabilities at T = 1 and at T"),
        ],
    )


def _loss() -> html.Section:
    return ui.section(
        "The loss, and why it carries T²",
        [
            ui.md(
                "The student is trained on a weighted sum of two terms:\n\n"
                "loss = α · T² · KL( softmax(z_teacher / T) ‖ softmax(z_student / T) ) + (1 − α) · CE(z_student, "
                "label)\n\n"
                "The first pulls the student's softened distribution toward the teacher's; the second is the "
                "usual cross-entropy on the true label at T = 1. α sets the share of each: α = 0 is ordinary "
                "training, α = 1 learns from the teacher alone (no labels needed for that part). Only the student "
                "gets gradients; the teacher is frozen.\n\n"
                "**Why T².** The gradient of the KL term with respect to a student logit is "
                "(p_student,T − p_teacher,T) / T. One factor 1/T comes from the division inside the softmax; and "
                "as T grows both softened distributions approach uniform, so their difference also shrinks like "
                "1/T. Together the soft term's gradient fades as 1/T². Multiplying by T² cancels this, so "
                "changing T changes *what* the student is taught but not *how loudly*, and α keeps its meaning "
                "at every temperature. The chart measures it on the real teacher and an untrained student."
            ),
            alert(cid(P, "grad-alert")),
            GRADIENT_SECTION.store(),
            ui.chart(cid(P, "grad"), "Gradient size of the soft term against temperature, with and without T²"),
        ],
    )


def _result(values: dict) -> html.Section:
    return ui.section(
        f"Does it help? {distill.N_SEEDS} students each way",
        [
            ui.md(
                f"For each of {distill.N_SEEDS} seeds, two students start from the same initial weights and see the "
                f"training digits in the same order for {STUDENT.epochs} epochs; one is trained on the hard labels "
                "alone, the other with the loss above at the T and α you choose. Each grey line joins the pair of "
                "one seed; the wide marks are the mean ± one standard deviation. The two arms differ only in the "
                "loss, so a line that climbs is the teacher's doing.\n\n"
                "Things to try: α = 0 gives two identical arms (a check of the set-up). T = 1 with a high α "
                "copies the teacher's near-one-hot outputs and gains little. A moderate T with α around 0.5 to "
                "0.9 usually helps; very high T flattens the targets until they say little."
            ),
            ui.row(controls(P, SPEC, values, ["alpha"])),
            alert(cid(P, "cmp-alert")),
            ui.chart(cid(P, "cmp"), "Test accuracy of students trained with and without the teacher, per seed",
                     heavy=True),
        ],
    )


def _notes() -> html.Section:
    return ui.section(
        "In practice",
        [
            ui.md(
                "* **At inference the student runs at T = 1.** The temperature is a training device; "
                "serving the softened outputs would only make the model less sure of itself.\n"
                "* **Check the teacher first.** The student inherits its mistakes; a teacher barely better than "
                "the student has little to give.\n"
                "* **Capacity sets a floor.** A student too small to express the teacher's function stops "
                "improving whatever the loss: distillation narrows the gap, it does not close it.\n"
                "* **α in other texts.** Some write the weight the other way round (α on the hard-label term). "
                "Read the formula, not the letter.\n"
                "* **Distillation chooses the architecture freely**, unlike pruning, which keeps the teacher's "
                "shape and removes parts of it. The two combine: distill, then prune, then quantize."
            ),
            ui.code(
                "import torch.nn.functional as F\n\n"
                "def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.5):\n"
                "    soft = F.kl_div(F.log_softmax(student_logits / T, dim=1),\n"
                "                    F.log_softmax(teacher_logits / T, dim=1),\n"
                "                    reduction=\"batchmean\", log_target=True)  # KL(teacher ‖ student)\n"
                "    hard = F.cross_entropy(student_logits, labels)\n"
                "    return alpha * T * T * soft + (1 - alpha) * hard\n\n"
                "teacher.eval()\n"
                "for x, y in loader:\n"
                "    with torch.no_grad():\n"
                "        t = teacher(x)\n"
                "    loss = kd_loss(student(x), t, y)\n"
                "    opt.zero_grad(); loss.backward(); opt.step()"
            ),
        ],
    )


OWN_INTRO = (
    "The same comparison on a table of yours with classes. The teacher recipe and the student recipe keep their "
    "hidden layers; their input and output widths follow your table (one input per feature, one output per "
    "class). The teacher is trained on the table's training rows once per table on this machine; then "
    f"for each of {own.N_SEEDS} seeds, two students start from the same initial weights and see the same "
    "batches: one trained on the hard labels alone, one with the distillation loss at the T and α chosen above. "
    "The bars are test accuracies, the students' averaged over their seeds. A numeric target has no class "
    "probabilities to soften, so such a table gets a sentence instead."
)


# ----------------------------------------------------------------------------- the sections


# The soft targets and the gradient scale are light: both follow the sliders while they move.
SOFT_SECTION = Section(P, "soft", SOFT, lambda v, _: distill.soft_targets(**v),
                       [Chart("soft", figures.soft_figure, figures.describe_soft)],
                       fix="Fix the value above to see the probabilities.", drag=("digit",), needs=TRAINED_TEACHER,
                       replay=Replay("T", ("soft",)))  # every temperature at once, drawn in the browser
GRADIENT_SECTION = Section(P, "grad", GRADIENT, lambda v, _: (distill.gradient_scale(), v["T"]),
                           [Chart("grad", lambda r: figures.gradient_figure(*r),
                                  lambda r: figures.describe_gradient(*r))],
                           fix="Fix the temperature above.", needs=TRAINED_TEACHER, replay=Replay("T", ("grad",)))
# The comparison trains ten students: a background job, on release.
COMPARE_SECTION = Section(P, "cmp", COMPARE, lambda v, progress: distill.compare(**v, progress=progress),
                          [Chart("cmp", figures.compare_figure, figures.describe_compare)],
                          fix="Fix the value above to train the students.", job=True, needs=TRAINED_TEACHER)
# The learner's own table: a teacher trained on it, students distilled from it (a background job).
OWN_SECTION = own_compression.section(P, OWN, lambda data, key, v, progress: own.distillation(
    data, key, v["T"], v["alpha"], progress=progress))
SECTIONS = (SOFT_SECTION, GRADIENT_SECTION, COMPARE_SECTION, OWN_SECTION)

update_soft, update_gradient, update_compare, update_own = (s.register() for s in SECTIONS)
fill_datasets = own_compression.wire(P)
wire(P, SPEC)


def _top_soft(T: float) -> float:
    return float(distill.soften(torch.tensor([4.0, 1.0, 0.0]), T)[0])


def _hard_only() -> float:
    student, teacher = torch.tensor([[2.0, 0.0, -1.0]]), torch.tensor([[0.0, 5.0, 0.0]])
    return float(distill.kd_loss(student, teacher, torch.tensor([0]), T=4.0, alpha=0.0))


QUESTIONS = (
    Value("soft", "Teacher logits (4, 1, 0) softened at T = 4: what probability does the first class get?",
          lambda: _top_soft(4.0),
          "softmax(z / T) gives {answer}, against "
          f"{_top_soft(1.0):.3f} at T = 1: the runners-up gain share and the ranking stays.",
          section="What the teacher knows beyond the label", tolerance=0.005),
    Value("alpha-zero", "With α = 0, student logits (2, 0, −1), label 0 and a teacher that prefers class 1: what "
          "is the distillation loss, in nats?", _hard_only,
          "α = 0 leaves only the cross-entropy on the label, {answer} nats, whatever T and the teacher say: "
          "ordinary training, which is why both arms match at α = 0.",
          section="The loss, and why it carries T²", tolerance=0.005, unit="nats"),
    Pick("t-squared", "Why is the soft-target term multiplied by T²?",
         ("To make the teacher more confident", "Its gradients shrink like 1/T², so T² keeps them on the scale of "
          "the label term as T changes", "To convert nats to bits", "It is a convention with no effect"), 1,
         "Softening by T flattens both distributions, and the gradient of their KL divergence falls about as "
         "1/T²; the factor undoes that, so α means the same at every temperature.",
         section="The loss, and why it carries T²"),
    Pick("serve", "At which temperature does the distilled student run once deployed?",
         ("At the training T", "At T = 1", "At a very high T, to stay cautious"), 1,
         "The temperature is a training device; serving softened outputs only makes the model less sure of "
         "itself.", section="In practice"),
)
