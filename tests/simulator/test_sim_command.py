"""`stalkerscan simulate`: serves in the foreground, says how to connect, stops on Ctrl-C."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sim_helpers import MINIMAL, RawClient

from stalkerscan.commands.simulate import run_simulator
from stalkerscan.errors import ExitCode, ProfileError, UsageError
from stalkerscan.netaddr import is_loopback_host as _is_loopback


def test_simulate_serves_logs_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stalkerscan",
            "simulate",
            str(MINIMAL),
            "--port",
            "0",
            "--log",
            str(log),
            "--standard-link",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = ""
        while "Ctrl-C" not in banner:
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            banner += line
        m = re.search(r"adb connect 127\.0\.0\.1:(\d+)", banner)
        assert m, banner
        port = int(m.group(1))
        assert f"stalkerscan scan --serial 127.0.0.1:{port}" in banner
        assert "20 ms per shell session" in banner and "hashing 150 MB/s" in banner
        with RawClient(port) as c:
            c.connect()
            assert c.shell(1, "shell:getenforce") == (b"Enforcing\n", True)
        assert "shell: getenforce" in proc.stdout.readline()  # the live command log
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == ExitCode.INTERRUPTED
    assert [json.loads(x)["command"] for x in log.read_text().splitlines()] == ["getenforce"]


def test_busy_port_is_a_usage_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(UsageError) as info:
            run_simulator(MINIMAL, scenario=None, port=port, host="127.0.0.1", log=None, quiet=True)
    assert info.value.exit_code == ExitCode.USAGE
    assert f"Cannot listen on 127.0.0.1:{port}" in str(info.value) and "--port" in str(info.value)


def test_malformed_profile_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "profile.yaml").write_text("schema: 1\nname: x\nlink: {bulk_mb_s: fast}\n")
    with pytest.raises(ProfileError) as info:
        run_simulator(tmp_path, scenario=None, port=0, host="127.0.0.1", log=None, quiet=True)
    assert info.value.exit_code == ExitCode.USAGE
    assert "profile.yaml: link.bulk_mb_s: must be a number" in str(info.value)


def test_profile_and_scenario_are_exclusive() -> None:
    with pytest.raises(UsageError, match="one of them"):
        run_simulator(None, scenario=None, port=0, host="127.0.0.1", log=None, quiet=True)


def test_loopback_detection() -> None:
    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and _is_loopback("localhost")
    assert not _is_loopback("0.0.0.0") and not _is_loopback("192.168.1.10")
    assert not _is_loopback("example.org")
