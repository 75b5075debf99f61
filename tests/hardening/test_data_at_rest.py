"""Issue 9 item 7: a case on disk is private, never half-written, can be exported encrypted, and
can be wiped.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import sys
from pathlib import Path

import pytest
from support import REPO, Sandbox

from stalkerscan.export import ExportError, case_files, export_case, open_export, wipe_case

FAST_KDF = 12  # scrypt N = 4096 in library tests; the CLI uses the real 2**17


@pytest.fixture
def case(covert_case: Path) -> Path:
    """The session's covert-phone case folder (scanned under umask 000)."""
    return covert_case


def copy_case(case: Path, where: Path) -> Path:
    """A private copy of the case to export or wipe."""
    dest = where / "case-copy"
    shutil.copytree(case, dest)
    return dest


@pytest.mark.proves(
    "data at rest",
    "scan run with umask 000",
    "every folder of the case (reports, acquisition, raw, apks) is 0700, every file 0600",
)
def test_modes_are_private(case: Path) -> None:
    wrong = []
    for p in [case, *case.rglob("*")]:
        mode = p.stat().st_mode & 0o777
        if mode != (0o700 if p.is_dir() else 0o600):
            wrong.append((str(p.relative_to(case)), oct(mode)))
    assert wrong == []
    assert (case / "acquisition" / "apks").is_dir()


@pytest.mark.proves(
    "data at rest",
    "report writing fails part-way (RLIMIT_FSIZE 4 KiB while `check` rewrites the reports)",
    "the previous report.html/report.json stay whole and unchanged, no temporary file is "
    "left, no traceback",
)
def test_no_half_written_report_survives(case: Path, tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path / "sb")
    before = {n: (case / n).read_bytes() for n in ("report.html", "report.json")}
    out = tmp_path / "out"
    shutil.copytree(case, out)
    r = sandbox.run("check", str(out / "acquisition"), "--out", str(out), fsize_limit=4096)
    assert r.returncode != 0
    for name, data in before.items():
        assert (out / name).read_bytes() == data, name
    assert sorted(p.name for p in out.iterdir()) == ["acquisition", "report.html", "report.json"]


@pytest.mark.proves(
    "data at rest",
    "disk full while writing the reports (RLIMIT_FSIZE 4 KiB, `check`)",
    "one clear sentence (disk full / could not write the report), no traceback",
)
def test_report_write_error_is_a_clear_message(case: Path, tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path / "sb")
    out = tmp_path / "out"
    r = sandbox.run("check", str(case / "acquisition"), "--out", str(out), fsize_limit=4096)
    assert r.returncode in (2, 4)
    assert "Traceback" not in r.stderr and "report" in r.stderr.lower()


@pytest.mark.proves(
    "data at rest",
    "encrypted export (AES-256-GCM, scrypt) of a case, then open with the password",
    "same files, byte for byte; export file and unpacked files 0600, folders 0700",
)
def test_export_round_trip(case: Path, tmp_path: Path) -> None:
    dest = tmp_path / "case.sscase"
    names = export_case(case, dest, "correct horse battery", log2_n=FAST_KDF)
    assert (dest.stat().st_mode & 0o777) == 0o600
    assert b"report" not in dest.read_bytes()  # nothing in clear, not even the file names
    out = tmp_path / "opened"
    assert sorted(open_export(dest, out, "correct horse battery")) == sorted(names)
    originals = case_files(case)
    assert len(originals) == len(names)
    for f in originals:
        twin = out / f.relative_to(case)
        assert filecmp.cmp(f, twin, shallow=False), f
        assert (twin.stat().st_mode & 0o777) == 0o600
    assert all((p.stat().st_mode & 0o777) == 0o700 for p in [out, *out.rglob("*")] if p.is_dir())


@pytest.mark.proves(
    "data at rest",
    "opening an export with a wrong password, or a truncated/bit-flipped export",
    "clear error ('Wrong password, or the export file is damaged' / 'damaged or cut short'), "
    "nothing unpacked",
)
def test_export_wrong_password_and_damage(case: Path, tmp_path: Path) -> None:
    dest = tmp_path / "case.sscase"
    export_case(case, dest, "correct horse battery", log2_n=FAST_KDF)
    with pytest.raises(ExportError, match="Wrong password"):
        open_export(dest, tmp_path / "a", "wrong password!")
    assert not (tmp_path / "a").exists()
    data = dest.read_bytes()
    for i, damaged in enumerate([data[: len(data) - 100], data[:-1] + bytes([data[-1] ^ 1])]):
        bad = tmp_path / f"bad{i}.sscase"
        bad.write_bytes(damaged)
        with pytest.raises(ExportError, match="damaged"):
            open_export(bad, tmp_path / f"b{i}", "correct horse battery")
        assert not (tmp_path / f"b{i}").exists()
    with pytest.raises(ExportError, match="not a stalkerscan export"):
        open_export(case / "report.json", tmp_path / "c", "correct horse battery")


def test_export_refuses_short_passwords_and_non_cases(case: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="too short"):
        export_case(case, tmp_path / "x.sscase", "short")
    (tmp_path / "random").mkdir()
    (tmp_path / "random" / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="not a stalkerscan report or acquisition"):
        export_case(tmp_path / "random", tmp_path / "y.sscase", "long enough password")


@pytest.mark.proves(
    "data at rest",
    "`stalkerscan export create` / `export open` through the CLI (password typed at a hidden "
    "prompt in a pseudo-terminal, never on the command line)",
    "exit 0, same files; a wrong password exits 2 with a clear message",
)
def test_export_cli_prompts_for_the_password(case: Path, tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200", "NO_COLOR": "1"}
    dest = tmp_path / "case.sscase"

    def spawn(*args: str):  # type: ignore[no-untyped-def]
        return pexpect.spawn(
            sys.executable, ["-m", "stalkerscan", *args], env=env, encoding="utf-8", timeout=60
        )

    child = spawn("export", "create", str(case), "--out", str(dest))
    child.expect("Password")
    child.sendline("a long shared secret")
    child.expect("(?i)repeat")
    child.sendline("a long shared secret")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    child = spawn("export", "open", str(dest), "--out", str(tmp_path / "o"))
    child.expect("Password")
    child.sendline("a long shared secret")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert filecmp.cmp(case / "report.json", tmp_path / "o" / "report.json", shallow=False)
    child = spawn("export", "open", str(dest), "--out", str(tmp_path / "p"))
    child.expect("Password")
    child.sendline("not the secret")
    child.expect(pexpect.EOF)
    out = " ".join(str(child.before).split())
    child.close()
    assert child.exitstatus == 2 and "Wrong password" in out


@pytest.mark.proves(
    "data at rest",
    "`stalkerscan wipe CASE` answered 'y', and answered 'n'",
    "confirmed: every file and folder of the case gone; 'n': nothing deleted; the help says "
    "overwriting is not reliable on SSDs",
)
def test_wipe(case: Path, tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path / "sb")
    copy = copy_case(case, tmp_path)
    p = sandbox.popen("wipe", str(copy))
    out, err = p.communicate("n\n", timeout=60)
    assert p.returncode == 1 and "Nothing was deleted" in out, err
    assert len(case_files(copy)) == len(case_files(case))
    p = sandbox.popen("wipe", str(copy))
    out, err = p.communicate("y\n", timeout=60)
    assert p.returncode == 0, err
    assert not copy.exists()
    help_text = " ".join(sandbox.run("wipe", "--help").stdout.split())
    assert "SSD" in help_text and "NOT reliably" in help_text


@pytest.mark.proves(
    "data at rest",
    "`stalkerscan wipe` on folders that are not cases (home-like folder, a report folder "
    "holding a link, a file)",
    "refused with exit 2 and a clear message; nothing deleted",
)
def test_wipe_refuses_what_is_not_a_case(case: Path, tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path / "sb")
    home = tmp_path / "someone"
    home.mkdir()
    (home / "letter.txt").write_text("keep me")
    r = sandbox.run("wipe", "--yes", str(home))
    assert r.returncode == 2 and "not a stalkerscan" in " ".join(r.stderr.split())
    assert (home / "letter.txt").exists()
    copy = copy_case(case, tmp_path)
    (copy / "acquisition" / "raw" / "link").symlink_to(home / "letter.txt")
    r = sandbox.run("wipe", "--yes", str(copy))
    assert r.returncode == 2 and "link" in r.stderr
    assert (home / "letter.txt").read_text() == "keep me" and (copy / "report.json").exists()
    with pytest.raises(ExportError):
        wipe_case(copy / "report.json")
