"""/research-corner, part 2: a neural ODE fitted to a 2-D spiral, its solver's cost, a ResNet as Euler steps."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.plots import research_corner as figures
from neuralab.train import research

P = prefix("neuralab.app.pages.research_corner")
SPEC = research.ODE
TITLE = "Neural ODEs: a network as a vector field"


def run(values: dict, progress) -> research.Ode:
    return research.ode(values["ode_solver"], values["ode_tol"], values["ode_cap"], values["rc_seed"],
                        progress=progress)


def layout(values: dict) -> list[html.Section]:
    return [ui.section(TITLE, [
        ui.md(
            "A neural ODE does not stack layers: a small network f(z) is the velocity of a state z, "
            "dz/dt = f(z), and the forward pass is an ODE solver integrating it from the input. Here the state is "
            "a point in the plane and the data a spiral, dz/dt = z³·A, A the matrix with rows (−0.1, 2) and (−2, −0.1) "
            "(z³ element by element), sampled every 0.1 s for 10 s from z(0) = (1, 0). f is a tanh network of 64 "
            "units reading (z, z³); it was fitted once per seed to 1-second pieces of the trajectory, "
            "integrated with rk4 on the 0.1-s grid (`torchdiffeq.odeint`, gradients by backpropagation through "
            "the solver's steps).\n\n"
            "The controls change only how the fitted f is integrated over the whole 10 s. dopri5 chooses its own "
            "steps to keep its error estimate below atol + rtol·|z| (both set to the tolerance; torchdiffeq takes "
            "the RMS over all components, and over the whole batch, so one hard sample sets the steps, and the "
            "latency, for every sample in it; scale the states to comparable ranges, or atol means different "
            "things per channel). The number of times it evaluates f is the cost of one forward pass; it grows "
            "roughly as tolerance^(−1/5) as the tolerance tightens (not strictly: rejected steps can make a loose "
            "tolerance cost more). The page integrates in float32, whose round-off (~1e-7) sets the tightest "
            "useful tolerance. rk4 (torchdiffeq's is the 3/8-rule variant) and Euler step on the 0.1-s grid at a "
            "fixed cost. A residual block x + h·f(x) is exactly one Euler step, so a ResNet of 100 blocks sharing "
            "one f is Euler's method. The dotted line takes the f fitted through rk4 and steps it with Euler: it "
            "shows Euler's error on a field that was not trained for it. A ResNet trained through its own blocks "
            "would learn to compensate (see the traps in the reference)."
        ),
        ui.row(controls(P, SPEC, values, ["ode_solver", "ode_tol", "ode_cap"])),
        alert(cid(P, "ode-alert")),
        ui.chart(cid(P, "field"), "The learned field and the trajectories", heavy=True),
        ui.chart(cid(P, "cost"), "Error against function evaluations"),
        ui.md(
            "Where a neural ODE is worth its cost: data sampled at irregular times (the solver can stop at any "
            "t; a plain dz/dt = f(z) has no input, so a driven system needs f(z, u(t)) and an inferred z(0)), a "
            "model that must respect continuous dynamics, and memory (the adjoint method, "
            "`odeint_adjoint`, trains without storing the solver's steps). Its price is a forward pass of "
            "unknown length: an adaptive solver's number of evaluations depends on the tolerance, on the input "
            "and on how stiff the learned field has become during training, which is why this page caps it with its "
            "own counter in f, which raises an error past the cap (torchdiffeq's max_num_steps bounds step "
            "attempts, not evaluations, through an assert). A "
            "fixed-step solver (or a ResNet) has a known latency, the property an embedded target needs. "
            "Neural architecture search, the third research topic of this corner, lives with the "
            "[hyperparameter search](/hyperparameter-search) page, whose search spaces handle it."
        ),
    ])]


ODE_SECTION = Section(
    P, "ode", SPEC, run,
    [Chart("field", figures.field_figure, figures.describe_field),
     Chart("cost", figures.cost_figure, figures.describe_cost)],
    fix="Fix the value above to integrate the neural ODE.", job=True)
SECTIONS = (ODE_SECTION,)
update_ode = ODE_SECTION.register()
