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


def test_an_address_others_can_reach_gets_a_warning_that_there_is_no_login():
    from neuralab import cli

    assert cli.loopback("127.0.0.1") and cli.loopback("::1") and cli.loopback("localhost")
    assert not cli.loopback("0.0.0.0") and not cli.loopback("192.168.1.10") and not cli.loopback("lab.example")
    with socket.socket() as s:  # a busy port: the command stops right after its warnings, serving nothing
        s.bind(("0.0.0.0", 0))
        s.listen()
        port = s.getsockname()[1]
        r = _run("serve", "--host", "0.0.0.0", "--port", str(port))
        quiet = _run("serve", "--port", str(port))  # on loopback: no such warning
    assert r.returncode == quiet.returncode == 2  # refused for the busy port, after the warning
    assert "the lab has no login" in r.stderr and "reverse proxy" in r.stderr
    assert "no login" not in quiet.stderr
