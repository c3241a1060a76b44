"""/derivatives: speed from a quantized encoder angle by finite difference, Savitzky–Golay and a Kalman filter."""

from __future__ import annotations

import numpy as np
from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls, wire
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.app.selfcheck import Pick, Value
from neuralab.params import ParamSpec
from neuralab.plots import derivatives as figures
from neuralab.signal import derivative
from neuralab.signal.derivative import DERIVATIVES, FS_HZ, RPM, SWEEP_WINDOWS

P = prefix(__name__)
SPEC = ParamSpec.merge(P, DERIVATIVES)
_HEADER = ("Method", "Error RMS (rpm)", "Lag (ms)", "Noise during holds, standstill included (rpm)")
_SECTION_1 = "From counts to speed"
_SECTION_2 = "Noise against lag"


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Derivatives & Kalman filter",
                "A drive reads its rotor angle from an encoder in whole counts and needs the speed. The slope of "
                "a rounded signal is mostly rounding, so every way of taking it trades noise for delay. Below, "
                "three ways measured against a speed profile whose truth is known.",
                messages,
            ),
            ui.toolbar(controls(P, SPEC, values, ["seed"]),
                       html.P("The seed sets the rotor's starting angle, and with it where the count edges fall.",
                              className="nl-help")),
            _compare(values),
            _tradeoff(),
            _when(),
        ]
    )


def _compare(values: dict) -> html.Section:
    return ui.section(
        _SECTION_1,
        [
            ui.md(
                f"The motor runs a profile with a start, a hold at 1,200 rpm, a reversal to −600 rpm and a stop; "
                f"the encoder is read every {1000 / FS_HZ:g} ms and reports whole counts. One count is "
                "q = 2π / 2^bits radians (2^bits counts per revolution after quadrature decoding). Averaged over "
                "many counts the rounding error is spread evenly over one count, so its variance is **q² / 12**: "
                "the measurement noise the Kalman filter is told. On a steady speed the error is really a "
                "repeating pattern, and at standstill a constant.\n\n"
                "* **Finite difference**: the newest count minus the one before, over 1 ms.\n"
                "* **Savitzky–Golay slope**: a quadratic fitted by least squares to the last *window* samples, "
                "its slope read at the window's centre (`scipy.signal.savgol_filter(deriv=1, delta=dt)`); in real "
                "time that value is half a window old.\n"
                "* **Kalman filter**: a model of the motion (the speed stays constant from one sample to the "
                "next, or the acceleration does) corrected by each new count; the process noise σ_w says how "
                "hard the model may be pushed off course between samples."
            ),
            ui.row(controls(P, SPEC, values, ["bits", "model"])
                   + controls(P, SPEC, values, ["window", "process_noise"], drag=True)),
            alert(cid(P, "compare-alert")),
            ui.chart(cid(P, "speed"), "Speed estimates against the true speed, zoomed on the reversal"),
            ui.md(
                "Drag across the chart to zoom, double-click to see the whole run. **Lag** is the delay that, "
                "applied to the true speed, brings it closest to the estimate; **noise** is the RMS error that "
                "is left once that delay is taken out, read where the speed has held still for "
                f"{derivative.SETTLE_S * 1000:g} ms."
            ),
            html.Div(id=cid(P, "metrics"), className="nl-table"),
            ui.md(
                "The filter's gain (how far each new count moves the estimate) depends on the two noises, not "
                "on the data: it starts large, while the filter knows little, and settles at the steady state "
                "of the Riccati equation. For the constant-velocity model that steady state has a closed form "
                "(Kalata's α and β of the tracking index), drawn dotted; the tests check the filter against it."
            ),
            ui.chart(cid(P, "gain"), "Kalman gain against the sample number, settling to its steady state"),
        ],
    )


def _tradeoff() -> html.Section:
    return ui.section(
        _SECTION_2,
        [
            ui.md(
                "Each curve turns one knob over its range: the Savitzky–Golay window from "
                f"{SWEEP_WINDOWS[0]} to {SWEEP_WINDOWS[-1]} samples, the Kalman process noise over six decades. "
                "Down and to the left is better. The ringed points are the settings above; the resolution and the "
                "model above apply here too."
            ),
            alert(cid(P, "tradeoff-alert")),
            ui.chart(cid(P, "tradeoff"), "Noise during holds against lag, one curve per method"),
        ],
    )


def _when() -> html.Section:
    return ui.section(
        "Which one, when",
        [
            ui.md(
                "* **Offline** (a log, a feature for training): read the Savitzky–Golay slope at the window's "
                "centre and there is no delay at all; choose the window by the noise you can accept.\n"
                "* **In a control loop** the delay matters: a pure delay τ costs ω_c·τ of phase at the crossover ω_c. "
                "The window and σ_w both pick a point on the noise–lag curves above. With the constant-velocity "
                "model the two methods are close at equal lag; the constant-acceleration model sits far lower "
                "because it extrapolates the ramp, and pays for that with overshoot whenever the acceleration "
                "changes, which the lag axis does not show.\n"
                "* **The Kalman filter pays off when there is a model** to put in: the torque command as a "
                "known acceleration, a reading that arrives late or not at all (it predicts through the gap), "
                "a second sensor to fuse, and an uncertainty for every estimate, as honest as Q and r are.\n"
                "* **More counts** help every method: there is less rounding to average away. A finite "
                "difference is only fine once one count per sample is small against the speed changes you care "
                "about.\n\n"
                "The same idea finds outliers: residuals from a model's prediction. On /preprocessing the fifth "
                "detector fits the phase current's physics and flags what the fit cannot explain."
            ),
            ui.code(
                "import numpy as np\n"
                "from scipy.signal import savgol_filter\n\n"
                "# theta: encoder angle in rad (whole counts), dt: sample period in s, cpr: counts per revolution\n"
                "speed_sg = savgol_filter(theta, 31, 2, deriv=1, delta=dt)  # centred: offline, no delay\n\n"
                "q = 2 * np.pi / cpr\n"
                "r = q**2 / 12                       # rounding error variance, rad²\n"
                "sigma_w = 1e3                       # acceleration noise, rad/s² (the tuning knob)\n"
                "F = np.array([[1, dt], [0, 1]])\n"
                "g = np.array([dt**2 / 2, dt])\n"
                "Q = sigma_w**2 * np.outer(g, g)\n"
                "x, P = np.array([theta[0], 0.0]), np.diag([r, 1e6])\n"
                "speed_kf = []\n"
                "for z in theta:\n"
                "    x, P = F @ x, F @ P @ F.T + Q       # predict\n"
                "    K = P[:, 0] / (P[0, 0] + r)         # gain\n"
                "    x = x + K * (z - x[0])              # update with the innovation\n"
                "    P = P - np.outer(K, P[0])\n"
                "    speed_kf.append(x[1])"
            ),
        ],
    )


# ----------------------------------------------------------------------------- sections


def _table(c: derivative.Comparison) -> html.Table:
    return table(_HEADER, figures.metric_rows(c))


def _both(v: dict, _progress: object) -> tuple[derivative.Tradeoff, derivative.Comparison]:
    """The sweep (cached per resolution, model and seed) and the current settings, to ring them on it."""
    return derivative.tradeoff(v["bits"], v["model"], v["seed"]), derivative.compare(**v)


COMPARE = Section(
    P, "compare", DERIVATIVES, lambda v, _: derivative.compare(**v),
    [Chart("speed", figures.speed_figure, figures.describe_speed),
     Text("metrics", _table, blank=[]),
     Chart("gain", figures.gain_figure, figures.describe_gain)],
    fix="Fix the value above to see the estimates.", drag=("window", "process_noise"))
TRADEOFF = Section(
    P, "tradeoff", DERIVATIVES, _both,
    [Chart("tradeoff", lambda r: figures.tradeoff_figure(*r), lambda r: figures.describe_tradeoff(*r))],
    fix="Fix the value above to see the trade-off.")
SECTIONS = (COMPARE, TRADEOFF)
update_compare, update_tradeoff = (s.register() for s in SECTIONS)
wire(P, SPEC)


def _one_count_rpm() -> float:
    return round(2 * np.pi / 1024 * FS_HZ * RPM, 1)


def _sg_lag_ms() -> float:
    c = derivative.compare(window=41)
    return round(c.estimates[1].metrics.lag_s * 1000)


QUESTIONS = (
    Value("count", "An encoder with 1,024 counts per revolution is read every millisecond. By how many rpm does the "
          "finite-difference speed jump when one extra count arrives?", _one_count_rpm,
          "One count is 360° / 1,024 of a turn; in 1 ms that is 1000 / 1,024 turns per second, {answer} rpm. "
          "The true speed lies between such steps, so the reading flickers.", section=_SECTION_1, tolerance=0.01,
          unit="rpm"),
    Value("sglag", "The Savitzky–Golay slope of the last 41 samples (1 ms each) is read at the window's centre. "
          "About how many milliseconds late is it, as measured on this page?", _sg_lag_ms,
          "The centre of a 41-sample window ending now is (41 − 1) / 2 = 20 samples back; the page measures "
          "{answer} ms.", section=_SECTION_1, tolerance=0.1, unit="ms"),
    Pick("r", "What measurement variance does the Kalman filter get for an encoder whose count is q radians?",
         ("q", "q² / 12", "q / 2", "It is tuned by hand like the process noise"), 1,
         "The rounding error is spread evenly over one count, from 0 to q; a uniform spread of width q has "
         "variance q² / 12. q² / 12 is the natural starting value; σ_w is the knob you tune.", section=_SECTION_1),
    Pick("sigma", "You lower the Kalman filter's process noise σ_w. What happens to the speed estimate?",
         ("It gets noisier and faster", "It gets quieter and lags more on ramps",
          "Nothing: the gain depends only on the encoder", "It gets quieter with no cost"), 1,
         "A small σ_w tells the filter the speed hardly changes, so it trusts its prediction over each new "
         "count: the rounding is averaged away, and a real change of speed is believed late.", section=_SECTION_2),
)
