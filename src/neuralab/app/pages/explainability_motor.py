"""/explainability, part 2: the motor's torque model explained by permutation importance and SHAP; in practice."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.explain import motor
from neuralab.plots import explainability as figures

P = prefix("neuralab.app.pages.explainability")
SPEC = motor.IMPORTANCE

# The page's recipe, run as written by tests/app/test_explainability_page.py (``model`` and ``x`` given).
RECIPE = (
    "import copy\n\n"
    "import torch\n"
    "from captum.attr import IntegratedGradients, Saliency\n"
    "from scipy.stats import spearmanr\n\n"
    "model.eval()\n"
    "x = x.unsqueeze(0)                       # (1, …) one input as the model reads it\n"
    "baseline = torch.zeros_like(x)           # name it: blank, mean, blurred …\n"
    "# zeros = the training mean if x is standardized; blank is (0 − mean) / std\n"
    "target = int(model(x).argmax())\n"
    "ig, delta = IntegratedGradients(model).attribute(\n"
    "    x, baseline, target=target, n_steps=64, return_convergence_delta=True)\n"
    "# completeness: ig.sum() ≈ f(x) − f(baseline); |delta| should be small against it\n\n"
    "# the sanity check: the same map for the same architecture with fresh random weights\n"
    "random = copy.deepcopy(model)            # same architecture, fresh weights\n"
    "for m in random.modules():\n"
    "    if hasattr(m, \"reset_parameters\"):\n"
    "        m.reset_parameters()\n"
    "random.eval()\n"
    "sal_trained = Saliency(model).attribute(x, target=target)\n"
    "sal_random = Saliency(random).attribute(x, target=target)\n"
    "rho = spearmanr(sal_trained.abs().flatten(), sal_random.abs().flatten()).statistic\n"
    "# rho near 1: the map hardly depends on the weights"
)


def layout(values: dict) -> list[html.Section]:
    return [_motor(values), _practice()]


def _motor(values: dict) -> html.Section:
    return ui.section(
        "The motor: which features drive the torque?",
        [
            ui.md(
                "Here the truth is known. The bench log's 240 windows of 50 ms give four features: the measured "
                "current amplitude i_q, the speed, the winding temperature and a column of pure noise. The target "
                "is the mean torque, and the simulator makes it by a law: T = 1.5 · p · ψ(ϑ) · i_q, where the "
                "magnet flux ψ falls by 0.12 % per kelvin. So the current drives nearly all of it, the temperature "
                "corrects the torque per ampere by up to 12 %, and the speed and the noise play no part. The grey "
                "bars are that law's own permutation importance on the test windows.\n\n"
                f"A small MLP (two hidden layers of 32, scikit-learn) is fitted on 9 of the 12 drive cycles and "
                f"tested on the other 3, then explained two ways. **Permutation importance** shuffles one feature's "
                f"column in the test windows ({motor.REPEATS} times) and records how far the test R² falls: how "
                f"much this fitted model's test score depends on that column. **SHAP** (KernelExplainer, every "
                f"coalition of the 4 features, against {motor.BACKGROUND} training windows) splits each "
                f"prediction's distance from the average prediction over the background windows among the "
                f"features; the mean of its absolute values, in N·m, says how far each "
                f"feature moves the model's answer, needed or not. Both see only the model, never the simulator."
            ),
            ui.row(controls(P, SPEC, values, ["motor_seed"])),
            alert(cid(P, "motor-alert")),
            ui.chart(cid(P, "motor"), "Importance of each feature: the simulator's law and the MLP by permutation "
                                      "importance (left), the MLP by mean |SHAP| (right)", heavy=True),
        ],
    )


def _practice() -> html.Section:
    return ui.section(
        "In practice",
        [
            ui.md(
                "* **Run the randomization check before trusting a map.** If the map of a network with random "
                "weights looks the same, the method draws the input. Saliency passed it here (necessary, not "
                "sufficient: a random network's map can be noise that merely differs); integrated gradients from a "
                "blank baseline did not, because it multiplies by the distance from the baseline.\n"
                "* **Name the baseline.** Integrated gradients and occlusion explain the change from a reference "
                "(blank, mean, blurred): a different reference gives a different map. Integrated gradients give a "
                "pixel equal to the reference exactly nothing; occlusion does the same to a region whose windows all "
                "equal the fill, however much the network relies on it.\n"
                "* **Check completeness and report δ** with integrated gradients (captum: "
                "`return_convergence_delta=True`); raise the steps until δ is small against f(x) − f(x̄).\n"
                "* **Explain on held-out data, and compare with what you know.** Permutation importance on test "
                "data says what the score needs; SHAP says what the model uses. A feature the model uses and the "
                "score does not need (the noise column here) is a sign of overfitting, not a discovery. Neither "
                "says what causes the target: that needs the physics or an experiment.\n"
                "* **Correlated features share importance.** The model may split its reliance between them, so each "
                "looks less important than the pair; shuffling one of them, or SHAP's filling-in from the "
                "background, makes inputs that never occur. Permute them together, or keep one per group."
            ),
            ui.code(RECIPE),
        ],
    )


MOTOR_SECTION = Section(P, "motor", motor.IMPORTANCE, lambda v, progress: motor.importance(**v, progress=progress),
                        [Chart("motor", figures.importance_figure, figures.describe_importance)],
                        fix="Fix the seed above to explain the model.", job=True)
SECTIONS = (MOTOR_SECTION,)
update_motor = MOTOR_SECTION.register()
