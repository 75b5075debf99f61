"""Issue 9 item 1, timing and sync: a phone that answers at 1 byte/s or never, a sync server that
sends more than it announced or names files outside the asked folder; and the static half of
"nothing device-controlled reaches a host shell".
"""

from __future__ import annotations

import ast
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support import REPO, Sandbox, log_violations, scan_args

from stalkerscan.collect import load_manifest, verify_acquisition
from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.server import SimulatedPhone


def faulty(folder: Path, **faults: object) -> Profile:
    """The profile in `folder` with faults on."""
    return Profile.load(folder).with_changes(faults=faults)


@pytest.mark.proves(
    "hostile device",
    "phone answering at 1 byte/s (`scan --session-timeout 2 --no-pull`)",
    "stops within the per-command timeout (about 9 s in all), exit 3 'did not answer ... "
    "within 2 s' with what to do, no traceback",
)
def test_one_byte_per_second(sandbox: Sandbox, scenario: Callable[[str], Path]) -> None:
    started = time.monotonic()
    with SimulatedPhone(faulty(scenario("clean"), slow_bytes_per_s=1)) as phone:
        r = sandbox.run(
            *scan_args(phone.serial_tcp, sandbox.cwd / "case", "--session-timeout", "2",
                       "--connect-timeout", "5", "--no-pull"),
            timeout=90,
        )  # fmt: skip
    assert time.monotonic() - started < 60
    assert r.returncode in (3, 4), r.stderr
    msg = " ".join(r.stderr.split())
    assert "did not answer" in msg and "Traceback" not in msg


@pytest.mark.proves(
    "hostile device",
    "phone that accepts TCP but never answers the ADB handshake (`--connect-timeout 2`)",
    "exit 3 within seconds, 'did not answer the connection request within 2 s'",
)
def test_never_answers(sandbox: Sandbox, scenario: Callable[[str], Path]) -> None:
    started = time.monotonic()
    with SimulatedPhone(faulty(scenario("clean"), never_answer_cnxn=True)) as phone:
        r = sandbox.run(
            *scan_args(phone.serial_tcp, sandbox.cwd / "case", "--connect-timeout", "2"),
            timeout=60,
        )
    assert time.monotonic() - started < 30
    assert r.returncode == 3, r.stderr
    assert "did not answer the connection request" in " ".join(r.stderr.split())


@pytest.mark.proves(
    "hostile device",
    "sync server sending more bytes than announced and LIST naming `../../x`, `a/b` and "
    "control characters (`scan --deep`)",
    "over-long pulls refused and not kept; LIST never used; only apks/NNNN.apk and raw/*.txt "
    "in the acquisition; exit 1/4, acquisition verifies",
)
def test_sync_lies(sandbox: Sandbox, scenario: Callable[[str], Path]) -> None:
    out = sandbox.cwd / "case"
    profile = faulty(
        scenario("covert"),
        sync_extra_bytes=4096,
        sync_list_extra_names=["../../escaped", "a/b", "\x1b[2Jx", "/etc/passwd"],
    )
    with SimulatedPhone(profile) as phone:
        r = sandbox.run(*scan_args(phone.serial_tcp, out, "--deep", "--max-pull-mb", "8"))
        log = phone.command_log.entries()
    assert r.returncode in (1, 4), r.stderr
    assert "Traceback" not in r.stderr
    assert not [e for e in log if e.command.startswith(("LIST", "LIS2"))]
    assert log_violations(log) == []
    m = load_manifest(out / "acquisition")
    assert m.pulled_apks and all(p.file is None for p in m.pulled_apks)
    assert verify_acquisition(out / "acquisition").ok
    names = {p.name for p in (out / "acquisition").rglob("*")}
    assert "escaped" not in names and "b" not in names and "passwd" not in names
    assert [w for w in r.written if "escaped" in w or "passwd" in w] == []


# --- static: the package never starts a host program --------------------------------------------

FORBIDDEN_CALLS = {
    ("os", "system"), ("os", "popen"), ("os", "execv"), ("os", "execve"), ("os", "execvp"),
    ("os", "execl"), ("os", "execlp"), ("os", "spawnv"), ("os", "spawnl"), ("os", "posix_spawn"),
    ("os", "posix_spawnp"), ("pty", "spawn"), ("asyncio", "create_subprocess_shell"),
    ("asyncio", "create_subprocess_exec"),
}  # fmt: skip
FORBIDDEN_MODULES = {"subprocess", "pty", "commands", "popen2", "shlex_exec"}


@pytest.mark.proves(
    "host shell",
    "static scan of every module of the stalkerscan package (AST)",
    "no import of subprocess/pty, no os.system/popen/exec*/spawn*, no shell=True, no "
    "eval/exec: nothing the phone says can reach a host shell (the dynamic half is the "
    "tripwire PATH of the hostile scan)",
)
def test_the_package_never_starts_a_host_program() -> None:
    found: list[str] = []
    for path in sorted((REPO / "stalkerscan").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        rel = path.relative_to(REPO)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [f"{rel}: import {a.name}" for a in node.names
                          if a.name.split(".")[0] in FORBIDDEN_MODULES]  # fmt: skip
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.module.split(".")[0] in FORBIDDEN_MODULES:
                    found.append(f"{rel}: from {node.module} import")
            elif isinstance(node, ast.Call):
                f = node.func
                if (
                    isinstance(f, ast.Attribute)
                    and isinstance(f.value, ast.Name)
                    and (f.value.id, f.attr) in FORBIDDEN_CALLS
                ):
                    found.append(f"{rel}:{node.lineno}: {f.value.id}.{f.attr}()")
                if isinstance(f, ast.Name) and f.id in ("eval", "exec"):
                    found.append(f"{rel}:{node.lineno}: {f.id}()")
                for kw in node.keywords:
                    if kw.arg == "shell" and not (
                        isinstance(kw.value, ast.Constant) and kw.value.value is False
                    ):
                        found.append(f"{rel}:{node.lineno}: shell=...")
    assert found == []
