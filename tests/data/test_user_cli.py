"""``neuralab data add|list|rm``: in a subprocess, against a temporary data directory."""

import os
import subprocess
import sys

import numpy as np

from neuralab.data import user as u


def _run(tmp_path, *args):
    env = {**os.environ, "NEURALAB_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("NEURALAB_OWNER", None)
    return subprocess.run([sys.executable, "-m", "neuralab", "data", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def _csv(tmp_path):
    rng = np.random.default_rng(0)
    lines = ["t,a,b,fault"] + [f"{i * 0.01:.2f},{rng.normal():.4f},{rng.normal():.4f},{i % 2}" for i in range(200)]
    path = tmp_path / "motor log.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_add_list_rm(tmp_path):
    path = _csv(tmp_path)
    r = _run(tmp_path, "add", str(path), "--target", "fault", "--time", "t", "--name", "Bench motor")
    assert r.returncode == 0, r.stderr
    first = r.stdout.splitlines()[0]
    assert first.startswith("added ") and "'Bench motor', 200 rows, 2 features, target 'fault' (binary)" in first
    id_ = first.split()[1].rstrip(":")
    assert f"share: /data?share={id_}" in r.stdout
    cat = u.Catalogue(tmp_path / "data")
    [e] = cat.entries("neuralab-command-line")
    assert e.id == id_ and e.roles == u.Roles(target="fault", task="binary", time="t")
    np.testing.assert_array_equal(cat.table(id_).X, u.load_table(path, target="fault", time="t").X)
    listed = _run(tmp_path, "list")
    assert listed.returncode == 0 and f"{id_}\tBench motor\t200\tfault\tbinary" in listed.stdout
    assert "1 dataset(s) of owner neuralab-command-line" in listed.stdout
    other = _run(tmp_path, "list", "--owner", "someone-else-123456")
    assert "0 dataset(s)" in other.stdout
    assert _run(tmp_path, "rm", id_, "--owner", "someone-else-123456").returncode == 2
    gone = _run(tmp_path, "rm", id_)
    assert gone.returncode == 0 and gone.stdout.strip() == f"removed {id_}: 'Bench motor'"
    assert list((tmp_path / "data").glob("*.parquet")) == []


def test_a_refused_file_exits_2_with_its_sentence(tmp_path):
    path = _csv(tmp_path)
    r = _run(tmp_path, "add", str(path), "--target", "speed")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip() == ("neuralab data add: There is no column 'speed' in motor log.csv; its columns are "
                                "'t', 'a', 'b', 'fault'.")
    png = tmp_path / "x.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    r = _run(tmp_path, "add", str(png), "--target", "y")
    assert r.returncode == 2 and "is a PNG image, not CSV text" in r.stderr
    assert _run(tmp_path, "rm", "nope").returncode == 2
