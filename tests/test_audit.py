"""No installed dependency has a known vulnerability (pip-audit, against PyPI's advisory data).

The check needs the advisory service: on a machine without internet it is skipped, with a line
saying so, rather than failed. It audits the environment the tests run in (every pinned
dependency and what they pulled in), not the editable neuralab itself.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

SERVICE = ("pypi.org", 443)  # pip-audit's default vulnerability service
CONNECT_S = 3.0  # to see whether the service can be reached at all
AUDIT_S = 120  # the whole audit, online
OFFLINE_HINTS = ("ConnectionError", "ConnectTimeout", "Max retries exceeded", "NameResolutionError",
                 "Temporary failure in name resolution", "Failed to establish a new connection",
                 "ReadTimeout", "ServiceError", "ProxyError", "SSLError")


def _reachable() -> str:
    """"" when the advisory service answers a connection, else why not."""
    try:
        with socket.create_connection(SERVICE, timeout=CONNECT_S):
            return ""
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"


def findings(report: dict) -> list[str]:
    """One line per known vulnerability in a ``pip-audit -f json`` report."""
    lines = []
    for dep in report.get("dependencies", []):
        for vuln in dep.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version"
            lines.append(f"{dep['name']}=={dep.get('version')}: {vuln['id']} (fixed in {fixes})")
    return lines


def unaudited(report: dict) -> str:
    """Why a report says nothing ("" when it audited something).

    Where PyPI's JSON API is not really reached (a machine without internet behind a stand-in), every
    package comes back "not found on PyPI": no vulnerability is reported because none was looked up.
    """
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "vulns" in d]
    if deps and not audited:
        return (f"the advisory service audited none of {len(deps)} installed packages "
                f"({deps[0].get('skip_reason', 'no reason given')[:120]}): it cannot be reached from here")
    return ""


def test_a_report_that_audited_nothing_is_not_a_pass():
    nothing = {"dependencies": [{"name": "numpy", "skip_reason": "Dependency not found on PyPI and could not be "
                                                                "audited: numpy (2.4.6)"}]}
    assert "audited none of 1" in unaudited(nothing)
    assert unaudited({"dependencies": [{"name": "numpy", "version": "2.4.6", "vulns": []}, *nothing["dependencies"]]}) \
        == ""


def test_findings_lists_each_vulnerability():
    report = {"dependencies": [
        {"name": "ok", "version": "1.0", "vulns": []},
        {"name": "bad", "version": "2.0", "vulns": [{"id": "PYSEC-1", "fix_versions": ["2.1"]},
                                                    {"id": "GHSA-x", "fix_versions": []}]},
        {"name": "neuralab", "skip_reason": "editable"},
    ]}
    assert findings(report) == ["bad==2.0: PYSEC-1 (fixed in 2.1)", "bad==2.0: GHSA-x (fixed in no fixed version)"]


def test_no_known_vulnerabilities(tmp_path):
    pytest.importorskip("pip_audit")
    why = _reachable()
    if why:
        pytest.skip(f"pip-audit skipped: the advisory service {SERVICE[0]} cannot be reached ({why})")
    cmd = [sys.executable, "-m", "pip_audit", "--progress-spinner", "off", "--skip-editable", "-f", "json",
           "--timeout", "15", "--cache-dir", str(tmp_path / "cache")]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=AUDIT_S)
    except subprocess.TimeoutExpired:
        pytest.skip(f"pip-audit skipped: the advisory service did not answer within {AUDIT_S} s")
    try:
        report = json.loads(done.stdout)
    except ValueError:
        if any(hint in done.stderr for hint in OFFLINE_HINTS):
            last = done.stderr.strip().splitlines()[-1:] or [""]
            pytest.skip(f"pip-audit skipped: the advisory service cannot be reached ({last[0][:200]})")
        raise AssertionError(f"pip-audit gave no report (exit {done.returncode}): {done.stderr[-2000:]}") from None
    why = unaudited(report)
    if why:
        pytest.skip(f"pip-audit skipped: {why}")
    found = findings(report)
    assert not found, "known vulnerabilities in installed dependencies:\n" + "\n".join(found)
