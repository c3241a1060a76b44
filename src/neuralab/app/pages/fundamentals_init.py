"""/fundamentals, initialization: spreads through a deep network per scheme, and the symmetry of equal weights."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.app.selfcheck import Pick, Value
from neuralab.basics import init
from neuralab.params import ParamSpec
from neuralab.plots import fundamentals_init as figures

P = prefix("neuralab.app.pages.fundamentals")
SPEC = ParamSpec.merge("fundamentals-init", init.INIT, init.SYMMETRY)
FAN = 256
DEFAULT_STD = init.default_linear_std(FAN)
HE_STD = init.scheme_std("he", FAN)
DEPTH_TITLE = "Initialization: the spread of activations and gradients with depth"
SYMMETRY_TITLE = "Equal weights stay equal"

CODE = """import torch, torch.nn as nn

layers = [nn.Linear(256, 256) for _ in range(30)]
for layer in layers:
    nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")  # He: std sqrt(2 / fan_in)
    nn.init.zeros_(layer.bias)
    # nn.init.xavier_normal_(layer.weight)                     # Xavier: std sqrt(2 / (fan_in + fan_out))

h = torch.randn(256, 256)
for layer in layers:
    h = torch.relu(layer(h))
    print(f"{h.std():.3g}")"""


def run_depth(values: dict, progress) -> init.Profiles:
    return init.depth_profiles(values["init_scheme"], values["init_activation"], values["init_depth"],
                               values["init_width"], values["init_seed"], progress=progress)


def run_symmetry(values: dict, progress) -> init.Symmetry:
    return init.symmetry(values["init_constant"], values["init_steps"], values["init_seed"])


def layout(values: dict) -> list[html.Section]:
    return [_depth(values), _symmetry(values)]


def _depth(values: dict) -> html.Section:
    return ui.section(DEPTH_TITLE, [
        ui.md(
            "Each layer computes z = W h and passes f(z) on. With fan_in inputs that are roughly independent "
            "and weights of zero mean, the variance of one output is fan_in · Var(w) · E\\[h²\\]: the layer "
            "multiplies the signal's power by fan_in · Var(w), give or take what the activation does. Repeat "
            "that thirty times and any factor other than one grows or shrinks geometrically, which is the "
            f"whole problem: a factor of 1.5 per layer is a factor of {1.5 ** 30:,.0f} after thirty layers.\n\n"
            "* **LeCun**, Var(w) = 1/fan_in, makes the factor one when the activation passes small values "
            "through unchanged, as tanh does near zero.\n"
            "* **He (Kaiming)**, Var(w) = 2/fan_in, is for ReLU: ReLU zeroes the negative half, so E\\[h²\\] is "
            "half of Var(z), and the weights must make up for that factor of two.\n"
            "* **Xavier (Glorot)**, Var(w) = 2/(fan_in + fan_out), looks at the backward pass too. Going "
            "back, the gradient is multiplied by Wᵀ, whose sums run over fan_out terms, so keeping the "
            "gradient's variance needs 1/fan_out; Xavier averages the two demands. With equal widths, as "
            "here, it equals LeCun.\n"
            "* **N(0, 1)** ignores the fan-in altogether; **zeros** make every activation and every "
            "gradient exactly zero.\n\n"
            f"What does a plain `nn.Linear` use? Its `reset_parameters` calls `kaiming_uniform_` with "
            f"a = √5, which works out to a uniform on ±1/√fan_in. A uniform on ±b has std b/√3, so the "
            f"std is 1/√(3·fan_in): {DEFAULT_STD:.4f} for fan_in = {FAN}, against He's {HE_STD:.4f}. That "
            "is a variance factor of 1/3 per layer (1/6 once ReLU has halved the power), fine for a few layers "
            "but not for thirty, which is why deep ReLU networks set their initialization explicitly (the "
            "orange line).\n\n"
            f"Below, a real batch of {init.BATCH} standardized inputs goes forward through the network and a simple "
            "loss (a fixed random readout of the last layer, averaged over the batch) goes backward. The "
            "first chart is the std of each layer's output; the second is the std of the gradient at each "
            "layer's pre-activation z, the signal the backward pass carries down (the caption adds the "
            "weight gradients). All five schemes are computed; the chosen one is drawn bold."
        ),
        ui.row(controls(P, SPEC, values, ["init_scheme", "init_activation", "init_depth", "init_width",
                                          "init_seed"])),
        alert(cid(P, "init-depth-alert")),
        ui.chart(cid(P, "init-activations"), "Activation std per layer", heavy=True),
        ui.chart(cid(P, "init-gradients"), "Gradient std per layer"),
        ui.md("The same measurement in a few lines of torch:"),
        ui.code(CODE),
    ])


def _symmetry(values: dict) -> html.Section:
    return ui.section(SYMMETRY_TITLE, [
        ui.md(
            "Why not start every weight at the same small value, zero or otherwise? If two hidden units "
            "have the same incoming weights and the same outgoing weights, they compute the same output on "
            "every input, so they receive the same gradient, so the update keeps them the same. Nothing in "
            "gradient descent can tell them apart: a layer of sixteen units then behaves like one unit "
            "copied sixteen times. Random initialization breaks the tie; biases, which do not create the "
            "tie on their own, can start at zero.\n\n"
            "The check: a 64 → 16 tanh → 10 network is trained on the handwritten digits with plain "
            "gradient descent, once with every weight and bias at the constant below and once from a "
            "Xavier start, and the rows of its first weight matrix (one per hidden unit) are compared."
        ),
        ui.row(controls(P, SPEC, values, ["init_constant", "init_steps"])),
        alert(cid(P, "init-symmetry-alert")),
        ui.chart(cid(P, "init-symmetry"), "Distinct hidden units after training"),
    ])


DEPTH_SECTION = Section(
    P, "init-depth", init.INIT, run_depth,
    [Chart("init-activations", figures.activations_figure, figures.describe_activations),
     Chart("init-gradients", figures.gradients_figure, figures.describe_gradients)],
    fix="Fix the value above to run the deep network.", job=True)
SYMMETRY_SECTION = Section(
    P, "init-symmetry", init.SYMMETRY, run_symmetry,
    [Chart("init-symmetry", figures.symmetry_figure, figures.describe_symmetry)],
    fix="Fix the value above to train the two networks.")
SECTIONS = (DEPTH_SECTION, SYMMETRY_SECTION)
update_depth = DEPTH_SECTION.register()
update_symmetry = SYMMETRY_SECTION.register()

QUESTIONS = (
    Value("init-he-std", f"What standard deviation does He (Kaiming) initialization give the weights of a layer "
                         f"with fan_in = {FAN}? (three decimals)",
          lambda: round(init.scheme_std("he", FAN), 3),
          f"He sets Var(w) = 2/fan_in, so the std is √(2/{FAN}) = " "{answer}.", section=DEPTH_TITLE,
          tolerance=0.01),
    Pick("init-relu-scale", "Which initialization keeps the scale of ReLU activations roughly constant through "
                            "thirty layers?",
         ("N(0, 1)", "Xavier (Glorot)", "He (Kaiming)", "torch's Linear default"), 2,
         "ReLU drops half the signal's power, and He's Var(w) = 2/fan_in puts it back; Xavier and the Linear "
         "default shrink it layer after layer, N(0, 1) blows it up.", section=DEPTH_TITLE),
    Value("init-symmetric-rows", "A 16-unit hidden layer starts with every weight and bias equal and is "
                                 "trained with gradient descent. How many distinct rows does its weight matrix "
                                 "have afterwards?",
          lambda: init.symmetry(0.1, 20, 0).rows_constant,
          "Equal units get equal gradients, so they stay equal: {answer}.", section=SYMMETRY_TITLE),
)
