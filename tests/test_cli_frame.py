"""The CLI frame: version, help, exit codes in one place, no heavy imports at start-up."""

import subprocess
import sys

from stalkerscan import __version__
from stalkerscan.errors import ExitCode


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stalkerscan", *args], capture_output=True, text=True, timeout=60
    )


def test_version() -> None:
    out = run("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"stalkerscan {__version__}"


def test_exit_codes_are_the_documented_ones() -> None:
    assert {c.name: int(c) for c in ExitCode} == {
        "NOTHING_FOUND": 0,
        "FINDINGS": 1,
        "USAGE": 2,
        "DEVICE": 3,
        "INCOMPLETE": 4,
        "INTERRUPTED": 130,
    }


def test_unknown_command_is_a_usage_error() -> None:
    out = run("no-such-command")
    assert out.returncode == ExitCode.USAGE


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from stalkerscan.cli import main\n"
        "try:\n    main(['--help'])\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('adb_shell', 'androguard', 'yara', 'adbutils', 'jinja2', 'usb1',"
        " 'pydantic', 'yaml', 'babel', 'cryptography') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY=\n" in out.stdout, out.stdout + out.stderr


def test_top_level_layout_is_the_one_the_brief_fixes() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for folder in ("stalkerscan", "indicators", "rules", "reports", "tests", "fixtures"):
        assert (root / folder).is_dir(), folder
    for file in ("pyproject.toml", "README.md", ".ci/run"):
        assert (root / file).is_file(), file


def test_exit_codes_are_picked_only_by_the_cli() -> None:
    """Library code raises typed errors; only cli.py (and __main__) end the process."""
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "stalkerscan"
    offenders = [
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if p.name not in ("cli.py", "__main__.py")
        and ("sys.exit(" in (text := p.read_text(encoding="utf-8")) or "os._exit(" in text)
        and 'if __name__ == "__main__":' not in text
    ]
    assert offenders == []
