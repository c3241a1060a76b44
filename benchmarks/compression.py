"""Size, accuracy and single-sample latency along the compression stack, in every engine.

Prints ``name value unit`` lines (comments start with ``#``). For each stage of
:func:`neuralab.compress.deployment.run` (teacher, distilled, pruned) and for the zoo's reference MLP:

* ``<stage>_fp32_size_bytes`` / ``<stage>_int8_size_bytes`` and their ratio;
* ``<stage>_fp32_accuracy`` / ``<stage>_int8_accuracy`` (test set, 360 digits) and the drop in points;
* ``<stage>_latency_us_{torch_fp32,onnxruntime,c_int8}``: one sample at a time, mean of a loop;
* ``<stage>_c_bit_exact``: 1 when the compiled C equals the numpy integer reference on every test logit.

Then the warm server time of the /quantization and /deploy callbacks, called in-process.
Goals: INT8 ≥ 3.9× smaller than fp32 with ≤ 0.5 points accuracy drop; C bit-exact; C int8 faster than
torch fp32 for one sample. Timings on a shared machine are noisy; the load average is printed.

Run:  .venv/bin/python benchmarks/compression.py
"""

from __future__ import annotations

import os
import time

import numpy as np
import torch

from neuralab.compress import deployment, distill, export, zoo
from neuralab.compress.quantize import calibration_set
from neuralab.nn.models import n_params

torch.set_num_threads(1)


def measure(name: str, model: torch.nn.Module) -> None:
    d = zoo.data()
    x1 = np.ascontiguousarray(d.X_test[:1])
    fp32_bytes = 4 * n_params(model)
    acc = zoo.accuracy(model)
    im = export.to_int8(model, calibration_set(200))
    Xq = export.quantize_input(im, d.X_test)
    ref = export.run_int(im, Xq)
    acc8 = float((ref.argmax(1) == d.y_test).mean())
    onnx = export.to_onnx(model, d.X_test)
    t = torch.as_tensor(x1)
    with torch.no_grad():
        lat_torch = export.latency_us(lambda: model(t))
    lat_ort = export.latency_us(lambda: onnx.session.run(None, {"pixels": x1}))
    print(f"{name}_fp32_size_bytes {fp32_bytes} bytes")
    print(f"{name}_int8_size_bytes {im.nbytes()} bytes")
    print(f"{name}_size_ratio {fp32_bytes / im.nbytes():.2f} x")
    im_t = export.to_int8(model, calibration_set(200), per_channel=False)
    acc8_t = float((export.run_int(im_t, export.quantize_input(im_t, d.X_test)).argmax(1) == d.y_test).mean())
    print(f"{name}_int8_per_tensor_size_bytes {im_t.nbytes()} bytes")
    print(f"{name}_int8_per_tensor_size_ratio {fp32_bytes / im_t.nbytes():.2f} x")
    print(f"{name}_int8_per_tensor_drop {100 * (acc - acc8_t):.2f} points")
    print(f"{name}_fp32_accuracy {acc:.4f} fraction")
    print(f"{name}_int8_accuracy {acc8:.4f} fraction")
    print(f"{name}_int8_drop {100 * (acc - acc8):.2f} points")
    print(f"{name}_onnx_max_abs_diff {onnx.max_abs_diff:.2e} logit")
    print(f"{name}_latency_us_torch_fp32 {lat_torch:.2f} us")
    print(f"{name}_latency_us_onnxruntime {lat_ort:.2f} us")
    if export.gcc() is None:
        print("# gcc not found: no C int8 figures")
        return
    run = export.compile_and_run(export.c_source(im), export.c_harness(im), Xq, repeats=deployment.C_REPEATS)
    print(f"{name}_latency_us_c_int8 {run.ns_per_inference / 1e3:.3f} us")
    print(f"{name}_c_bit_exact {int(np.array_equal(run.outputs, ref))} bool")
    print(f"{name}_c_speedup_vs_torch {lat_torch / (run.ns_per_inference / 1e3):.0f} x", flush=True)


def server_times() -> None:
    from neuralab.app.pages import deploy, quantization

    def warm(label, fn, n=20):
        fn()
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        print(f"callback_{label}_ms {(time.perf_counter() - t0) / n * 1e3:.2f} ms")

    warm("quant_layer_drag", lambda: quantization.update_layer("mlp", 1, 3, 4, "symmetric", "channel"))
    for b in range(1, 9):  # a drag over uncached positions
        t0 = time.perf_counter()
        quantization.update_layer("teacher", 2, b, 4, "asymmetric", "channel")
        print(f"callback_quant_layer_cold_teacher_bits{b}_ms {(time.perf_counter() - t0) * 1e3:.2f} ms")
    sweep = dict(model="mlp", scheme="symmetric", granularity="tensor", calib=200, qat_epochs=2)
    t0 = time.perf_counter()
    quantization.SWEEP_SECTION.view(sweep)
    print(f"job_quant_sweep_mlp_cold_s {time.perf_counter() - t0:.2f} s")
    warm("quant_sweep_warm", lambda: quantization.SWEEP_SECTION.view(sweep))
    stack_values = dict(prune=15, calib=200, granularity="channel")
    warm("deploy_stack_warm", lambda: deploy.STACK.view(stack_values))
    files = deploy.STACK.view(stack_values)[5]
    warm("deploy_download_c", lambda: deploy.download_c(1, files))


def main() -> None:
    print(f"# load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {export.gcc() or 'no gcc'}")
    t0 = time.perf_counter()
    s = deployment.run(15, 200)
    print(f"job_deploy_stack_cold_s {time.perf_counter() - t0:.2f} s")
    for st in s.stages:
        print(f"stage_{st.key}_size_bytes {st.size_bytes} bytes")
        print(f"stage_{st.key}_accuracy {st.accuracy:.4f} fraction")
        for eng, v in st.latency_us.items():
            print(f"stage_{st.key}_latency_us_{eng.replace(' ', '_')} {v:.3f} us")
    print(f"stage_int8_c_bit_exact {int(s.c_exact)} bool")
    student, _ = distill.train_student(None, deployment.T, deployment.ALPHA, deployment.SEED)
    for name, model in (("teacher", zoo.load("teacher").model), ("distilled", student),
                        ("pruned", deployment.prune_student(student, 0.15)), ("mlp", zoo.load("mlp").model)):
        measure(name, model)
    server_times()


if __name__ == "__main__":
    main()
