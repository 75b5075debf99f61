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
        "heavy = [m for m in ('adb_shell', 'androguard', 'yara', 'adbutils', 'jinja2', 'usb1')"
        " if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY=\n" in out.stdout, out.stdout + out.stderr
