"""The benchmark harness runs end to end on the small profile (timing is never asserted here).

The harness itself is `benchmarks/run.py` (not part of the test run); this only checks that it
still works: the phone starts in its own process, the real CLI scans it, and the figures the
docs quote (sessions, connections, bytes, memory, stages) are measured and saved.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "benchmarks" / "run.py"


@pytest.mark.timeout(240)
def test_harness_scans_the_small_profile_and_saves_the_counters(tmp_path: Path) -> None:
    saved = tmp_path / "results.json"
    env = dict(os.environ, STALKERSCAN_BENCH_CACHE=str(tmp_path / "cache"))
    res = subprocess.run(
        [sys.executable, str(RUN), "--profile", "small", "--model", "none", "--repeat", "1",
         "--max-pull-mb", "1", "--timeout", "120", "--echap", str(tmp_path / "no-echap"),
         "--save", str(saved)],
        env=env, capture_output=True, text=True, timeout=230,
    )  # fmt: skip
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    data = json.loads(saved.read_text())
    assert data["machine"]["nproc"] >= 1
    assert data["indicators"].startswith("demo feed only")
    scans = [r for r in data["runs"] if r["tool"] == "stalkerscan"]
    assert len(scans) == 1
    scan = scans[0]
    assert scan["profile"] == "small" and scan["model"] == "none"
    assert scan["link"] == "no latency (every knob 0)"
    assert scan["exit_code"] in (0, 1), scan["note"]
    assert scan["packages"] == 50
    # One connection, a handful of batched sessions: the phone's counters reached the harness.
    assert scan["connections"] == 1
    assert 1 <= scan["shell_sessions"] <= 30
    assert scan["bytes_out"] > 10_000 and scan["bytes_in"] > 0
    assert scan["peak_rss_mb"] > 10
    assert scan["wall_s"] > 0
    assert {"startup", "collect", "hash", "pull", "analyse_match_report"} <= set(scan["stages"])
    assert scan["stages"]["hash"] > 0  # the sha256sum session was recognised in the phone's log
    breakdown = [r for r in data["runs"] if r["tool"] == "stalkerscan-stages"]
    assert len(breakdown) == 1
    assert set(breakdown[0]["stages"]) == {"imports", "indicators_rules", "analyse", "match",
                                           "report"}  # fmt: skip
    assert "stalkerscan wall" in res.stdout and "shell sessions" in res.stdout


def test_mvt_answers_agree_with_the_profile() -> None:
    from stalkerscan.simulator import scenarios
    from stalkerscan.simulator.generate.mvt_compat import with_mvt_answers
    from stalkerscan.simulator.shell import run

    plain = scenarios.load("covert")  # rendered without the generator's MVT answers
    assert plain.lookup_command(["pm", "path", "org.stalkerscan.training.syncservice"]) is None
    profile = with_mvt_answers(plain)
    out, _, code = run(profile, "pm path org.stalkerscan.training.syncservice")
    paths = [line.removeprefix("package:") for line in out.decode().splitlines()]
    assert code == 0 and paths and all(p in profile.files for p in paths)
    assert paths[0].endswith("/base.apk")
    # The hash MVT asks for is the digest of the file the phone serves.
    out, _, _ = run(profile, f"md5sum {paths[0]}")
    assert out.split()[0].decode() == profile.files[paths[0]].content.digest("md5")
    out, _, _ = run(profile, "dumpsys package org.stalkerscan.training.syncservice")
    text = out.decode()
    assert text.startswith("Packages:\n  Package [org.stalkerscan.training.syncservice]")
    assert "Package [com.android.settings]" not in text
    listed, _, _ = run(profile, "pm list packages -u -i -f")
    third, _, _ = run(profile, "pm list packages -3")
    assert b"=org.stalkerscan.training.syncservice  installer=" in listed
    assert b"package:org.stalkerscan.training.syncservice\n" in third
    # Existing answers are kept, never replaced.
    assert profile.commands["dumpsys package"] is plain.commands["dumpsys package"]
    full, _, _ = run(profile, "dumpsys")
    assert b"DUMP OF SERVICE package:" in full and b"DUMP OF SERVICE accessibility:" in full
