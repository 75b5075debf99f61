"""`--redact`, `--org-config` and `--full-serial` are wired on `demo`, `scan` (which the demo
runs) and `check`, through the CLI as a user types them (isolated environment, no feed)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from demo.clisupport import cli_env, stalkerscan_argv

ORG = 'name: "Example Support Service"\ncontacts:\n  - name: Helpline\n    phone: "+00 0000 1111"\n'


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the CLI and wait (generous timeout: the machine may be loaded)."""
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=180, check=False
    )


def report(out: Path) -> tuple[str, dict[str, Any]]:
    """report.html text and report.json data of a report folder."""
    html = (out / "report.html").read_text("utf-8")
    return html, json.loads((out / "report.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory, profile_cache: Path) -> dict[str, Any]:
    """Two covert demos at once: one with --org-config --full-serial, one with --redact."""
    root = tmp_path_factory.mktemp("report-options")
    org = root / "org.yaml"
    org.write_text(ORG, "utf-8")
    runs = {
        "org-full": ["--org-config", str(org), "--full-serial"],
        "redact": ["--redact"],
    }
    procs = {}
    for name, extra in runs.items():
        work = root / name
        work.mkdir()
        env = cli_env(work, profile_cache)
        argv = stalkerscan_argv("demo", "--scenario", "covert", "--out", str(work / "out"), *extra)
        procs[name] = (
            subprocess.Popen(
                argv, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            ),
            work,
            env,
        )
    done = {}
    for name, (proc, work, env) in procs.items():
        stdout, stderr = proc.communicate(timeout=180)
        assert proc.returncode == 1, stderr[-2000:]
        done[name] = {"work": work, "env": env, "stdout": stdout, "out": work / "out"}
    done["org"] = org
    return done


def device_serial(acquisition: Path) -> str:
    """The phone's whole serial as the acquisition's manifest records it."""
    device = json.loads((acquisition / "manifest.json").read_text("utf-8"))["device"]
    return str(device.get("device_serial") or device["serial"])


def test_demo_org_config_and_full_serial(demos: dict[str, Any]) -> None:
    run_ = demos["org-full"]
    html, data = report(run_["out"])
    assert "Example Support Service" in html and "+00 0000 1111" in html
    serial = device_serial(run_["out"] / "acquisition")
    assert len(serial) > 4 and serial in html  # the whole serial, asked for
    assert data["device"]["serial_short"] == "…" + serial[-4:]


def test_demo_redact(demos: dict[str, Any]) -> None:
    run_ = demos["redact"]
    html, data = report(run_["out"])
    serial = device_serial(run_["out"] / "acquisition")
    assert data["redacted"] is True
    assert data["provenance"]["manifest_sha256"] is None
    for text in (html, json.dumps(data, ensure_ascii=False), run_["stdout"]):
        assert serial not in text and serial[-4:] not in text
    # Known stalkerware stays named: the training material still shows what was found.
    assert any(f["rule"] == "SS-IOC-CERT" for f in data["findings"])


def test_check_without_options_shortens_the_serial_and_names_the_manifest(
    demos: dict[str, Any],
) -> None:
    run_ = demos["redact"]
    acquisition = run_["out"] / "acquisition"
    out = run_["work"] / "check-plain"
    proc = run(
        stalkerscan_argv("check", str(acquisition), "--out", str(out)), run_["work"], run_["env"]
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    html, data = report(out)
    serial = device_serial(acquisition)
    assert serial not in html and "…" + serial[-4:] in html
    assert data["redacted"] is False and len(data["provenance"]["manifest_sha256"]) == 64
    assert data["provenance"]["manifest_sha256"] in html


def test_check_redact_wins_over_full_serial_and_shows_org(demos: dict[str, Any]) -> None:
    run_ = demos["redact"]
    acquisition = run_["out"] / "acquisition"
    out = run_["work"] / "check-redact"
    argv = stalkerscan_argv(
        "check",
        str(acquisition),
        "--out",
        str(out),
        "--redact",
        "--full-serial",
        "--org-config",
        str(demos["org"]),
        "--json",
    )
    proc = run(argv, run_["work"], run_["env"])
    assert proc.returncode == 1, proc.stderr[-2000:]
    html, data = report(out)
    serial = device_serial(acquisition)
    printed = json.loads(proc.stdout)  # --json prints the redacted result too
    assert data["redacted"] is True and printed["redacted"] is True
    for text in (html, proc.stdout):
        assert serial not in text and serial[-4:] not in text
    assert "Example Support Service" in html


def test_check_full_serial(demos: dict[str, Any]) -> None:
    run_ = demos["org-full"]
    acquisition = run_["out"] / "acquisition"
    out = run_["work"] / "check-full"
    argv = stalkerscan_argv("check", str(acquisition), "--out", str(out), "--full-serial")
    proc = run(argv, run_["work"], run_["env"])
    assert proc.returncode == 1, proc.stderr[-2000:]
    html, _ = report(out)
    assert device_serial(acquisition) in html


def test_missing_org_config_is_a_usage_error_before_any_work(
    demos: dict[str, Any], tmp_path: Path
) -> None:
    run_ = demos["redact"]
    argv = stalkerscan_argv(
        "check",
        str(run_["out"] / "acquisition"),
        "--out",
        str(tmp_path / "x"),
        "--org-config",
        str(tmp_path / "nope.yaml"),
    )
    proc = run(argv, run_["work"], run_["env"])
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "nope.yaml" in proc.stderr
    assert not (tmp_path / "x").exists()
