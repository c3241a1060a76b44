"""The neuralab command: version, busy port, bad arguments."""

import socket
import subprocess
import sys

import neuralab


def _run(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "neuralab", *args], capture_output=True, text=True, timeout=timeout)


def test_version():
    r = _run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"neuralab {neuralab.__version__}"


def test_busy_port_gets_a_clear_message():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = _run("serve", "--port", str(port))
    assert r.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in r.stderr
    assert "Traceback" not in r.stderr


def test_bad_workers_is_refused():
    r = _run("serve", "--workers", "0")
    assert r.returncode == 2 and "--workers must be between 1 and 64" in r.stderr


def test_bad_port_is_refused():
    r = _run("serve", "--port", "70000")
    assert r.returncode == 2 and "--port must be between 1 and 65535" in r.stderr
