"""The winding-temperature GRU on the edge: one-step latency in onnxruntime and torch, sizes, agreement.

Trains (or reads from the disk cache) the page's GRU, exports it with
:func:`neuralab.compress.recurrent_export.thermal_edge` and steps every test cycle one sample per
call in onnxruntime. Prints one line per figure, ``name value unit``; asserts nothing. Timings are
this machine's, one thread, and shift with whatever else runs. Run:
``PYTHONPATH=src .venv/bin/python benchmarks/recurrent_edge.py``
"""

from __future__ import annotations

import numpy as np

from neuralab.compress.recurrent_export import thermal_edge
from neuralab.train.recurrent_gates import test_cycles


def main() -> None:
    runs = [thermal_edge(c, rounds=5) for c in range(1, test_cycles() + 1)]
    x = runs[0].exported
    print(f"gru_parameters {x.parameters} count")
    print(f"gru_step_onnx_size {len(x.step_onnx)} bytes")
    print(f"gru_state_ram {x.state_bytes} bytes")
    print(f"gru_step_latency_onnxruntime_median {np.median([r.exported.step_us for r in runs]):.1f} us")
    print(f"gru_step_latency_onnxruntime_p90 {np.median([r.exported.step_us_p90 for r in runs]):.1f} us")
    print(f"gru_step_latency_torch_median {np.median([r.exported.torch_step_us for r in runs]):.1f} us")
    print(f"gru_stepped_vs_torch_max_abs {max(r.exported.step_diff for r in runs):.2e} scaled")
    print(f"gru_onnx_sequence_vs_torch_max_abs {max(r.exported.sequence_diff for r in runs):.2e} scaled")


if __name__ == "__main__":
    main()
