"""The README check: every command in the README's code blocks runs as written (in an isolated
environment, in README order), or is an exception listed below with its reason and checked
against `--help`; every `stalkerscan` command and option the README names exists; the README
opens with exactly the two set-up commands, and CI runs the README's test command verbatim."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import yaml
from demo.clisupport import cli_env

from stalkerscan.indicators.paths import demo_dir

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
CI_RUN = REPO / ".ci" / "run"

SETUP_COMMANDS = [
    "pip install . && stalkerscan demo",
    'pip install -e ".[test]" && python -m pytest -q',
]
TEST_COMMAND = "python -m pytest -q"

# Commands not run as written here, and why. Each `stalkerscan` one is still checked against
# `--help` (the command and every option exist).
EXCEPTIONS = {
    SETUP_COMMANDS[0]: "pip install takes minutes: test_first_command_as_installed runs "
    "`stalkerscan demo` with the installed CLI instead (the fresh-clone install is checked by "
    "hand and by CI's own install)",
    SETUP_COMMANDS[1]: "this is the test run itself: .ci/run runs it "
    "(test_ci_runs_the_readme_test_command)",
    "stalkerscan scan": "needs a real phone; its no-phone path (guide, wait, exit 3, Ctrl-C) is "
    "driven in a pseudo-terminal by tests/guide/test_guide.py",
    "stalkerscan indicators update": "downloads the Echap feed from GitHub (network); the "
    "offline form with --source is run",
    "stalkerscan simulate --scenario covert": "serves on port 5555 until Ctrl-C, and an emulator "
    "may hold that port on a developer's machine: test_simulate_command runs it with --port 0 "
    "added and stops it with Ctrl-C",
    "sudo cp docs/udev/51-android.rules /etc/udev/rules.d/": "changes this computer's system "
    "configuration; test_udev_rule_file_exists checks the file",
    "sudo udevadm control --reload-rules": "changes this computer's system configuration",
}

# Exit codes a command run as written may end with (default: 0).
EXIT_CODES = {
    "stalkerscan doctor": {0, 2},  # 2 here: no feed installed yet at that point of the README
    "stalkerscan demo --scenario covert --out reports/training-1": {1},
    "stalkerscan check reports/training-1/acquisition --out reports/training-1-recheck": {1},
}

GROUPS = {"indicators", "rules"}


def code_blocks(text: str) -> list[tuple[int, list[str]]]:
    """(line number, lines) of every fenced code block, indented fences included."""
    blocks: list[tuple[int, list[str]]] = []
    lines = text.splitlines()
    k = 0
    while k < len(lines):
        m = re.match(r"^(\s*)```", lines[k])
        if not m:
            k += 1
            continue
        indent = len(m.group(1))
        start, body = k + 1, []
        k += 1
        while k < len(lines) and not re.match(r"^\s*```\s*$", lines[k]):
            body.append(lines[k][indent:] if lines[k][:indent].strip() == "" else lines[k])
            k += 1
        blocks.append((start, body))
        k += 1
    return blocks


def readme_commands() -> list[str]:
    """Every command line of the README's code blocks, in order (comments dropped)."""
    out = []
    for _, body in code_blocks(README.read_text(encoding="utf-8")):
        for line in body:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            out.append(line)
    return out


QUICKSTARTS = sorted((REPO / "docs").glob("quickstart-*.md"))


def inline_stalkerscan_commands() -> list[str]:
    """`stalkerscan ...` commands quoted inline in the README and the quick-start docs."""
    found = []
    for path in [README, *QUICKSTARTS]:
        text = path.read_text(encoding="utf-8")
        found += [m.group(1) for m in re.finditer(r"`(stalkerscan [^`]+)`", text)]
    return found


def cli() -> list[str]:
    """The installed `stalkerscan` script of this environment (as a user runs it)."""
    script = Path(sys.executable).parent / "stalkerscan"
    if script.is_file():
        return [str(script)]
    found = shutil.which("stalkerscan")
    assert found, "the stalkerscan command is not installed"
    return [found]


def split_chain(line: str) -> list[list[str]]:
    """`a && b` -> [[a words], [b words]]."""
    return [shlex.split(part) for part in line.split("&&")]


def command_path(words: list[str]) -> list[str]:
    """The (sub)command words of a `stalkerscan` command line: ["indicators", "update"]."""
    path = []
    for word in words[1:]:
        if word.startswith("-"):
            break
        path.append(word)
        if len(path) == 1 and word not in GROUPS:
            break
        if len(path) == 2:
            break
    return path


@cache
def help_text(path: tuple[str, ...]) -> str:
    out = subprocess.run(
        [*cli(), *path, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert out.returncode == 0, f"`stalkerscan {' '.join(path)}` does not exist: {out.stderr}"
    return out.stdout


def check_against_help(words: list[str]) -> None:
    path = command_path(words)
    text = help_text(tuple(path))
    for word in words:
        if word.startswith("--"):
            option = word.split("=", 1)[0]
            assert re.search(rf"{re.escape(option)}\b", text), (
                f"`{' '.join(words)}`: {option} is not an option of stalkerscan {' '.join(path)}"
            )


# -- the shape of the README -------------------------------------------------------------------


def test_readme_opens_with_exactly_the_two_setup_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_line, first_block = code_blocks(text)[0]
    assert first_block == SETUP_COMMANDS
    # Nothing but the title and a one-line tagline before it.
    before = [ln for ln in text.splitlines()[: first_line - 1] if ln.strip()]
    assert before[0].startswith("# ") and not any(ln.startswith("## ") for ln in before)


def test_ci_runs_the_readme_test_command() -> None:
    script = CI_RUN.read_text(encoding="utf-8")
    lines = [ln.strip() for ln in script.splitlines()]
    assert TEST_COMMAND in lines, f".ci/run must run `{TEST_COMMAND}` as the README says"
    assert re.search(r'pip install[^\n]*-e "\.\[test\]"', script)


def test_every_exception_is_in_the_readme() -> None:
    commands = readme_commands()
    for command in EXCEPTIONS:
        assert command in commands, f"stale exception: {command}"


def test_readme_links_exist() -> None:
    text = README.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(((?:docs|indicators)/[^)#]+)\)", text):
        assert (REPO / target).exists(), target
    for target in re.findall(r"`((?:docs|indicators)/[^`\s]+)`", text):
        assert (REPO / target).exists(), target


def test_udev_rule_file_exists() -> None:
    rule = (REPO / "docs" / "udev" / "51-android.rules").read_text()
    assert 'ATTR{idVendor}=="18d1"' in rule and "uaccess" in rule


@pytest.mark.parametrize("command", sorted(set(inline_stalkerscan_commands())))
def test_inline_commands_match_help(command: str) -> None:
    words = [w for w in shlex.split(command) if w not in ("...",)]
    check_against_help(words)


@pytest.mark.parametrize("command", [c for c in readme_commands() if c in EXCEPTIONS])
def test_exceptions_match_help(command: str) -> None:
    assert EXCEPTIONS[command]
    for words in split_chain(command):
        if words[0] == "stalkerscan":
            check_against_help(words)


# -- running the commands as written -----------------------------------------------------------


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory, profile_cache: Path) -> tuple[Path, dict]:
    """A folder to run the README in: the repository's indicators/ examples, a downloaded copy
    of a feed (`./stalkerware-indicators/`: the fictional demo feed stands in for Echap's), and
    an older version of it already installed so that `diff` and `rollback` have a previous one."""
    root = tmp_path_factory.mktemp("readme")
    env = cli_env(root, profile_cache)
    (root / "indicators").symlink_to(REPO / "indicators")
    shutil.copytree(demo_dir(), root / "stalkerware-indicators")
    older = root / "older-feed"
    shutil.copytree(demo_dir(), older)
    families = yaml.safe_load((older / "ioc.yaml").read_text())
    families[0]["c2"]["domains"] = families[0]["c2"]["domains"][:1]  # one domain added later
    (older / "ioc.yaml").write_text(yaml.safe_dump(families, sort_keys=False))
    seeded = subprocess.run(
        [*cli(), "indicators", "update", "--source", str(older)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    return root, env


RUNNABLE = [c for c in readme_commands() if c not in EXCEPTIONS]


def test_there_are_commands_to_run() -> None:
    assert len(RUNNABLE) >= 10


@pytest.mark.parametrize("command", RUNNABLE)
def test_readme_command_runs_as_written(command: str, workdir: tuple[Path, dict]) -> None:
    root, env = workdir
    for words in split_chain(command):
        assert words[0] == "stalkerscan", f"not runnable here and not an exception: {command}"
        check_against_help(words)
        out = subprocess.run(
            [*cli(), *words[1:]], cwd=root, env=env, capture_output=True, text=True, timeout=120
        )
        allowed = EXIT_CODES.get(command, {0})
        assert out.returncode in allowed, (
            f"{command}: exit {out.returncode}\n{out.stdout}\n{out.stderr}"
        )
        assert "Traceback" not in out.stderr, out.stderr


def test_first_command_as_installed(tmp_path: Path, profile_cache: Path) -> None:
    """The first set-up command's `stalkerscan demo`, with the installed CLI, no feed."""
    env = cli_env(tmp_path, profile_cache)
    out = subprocess.run(
        [*cli(), "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Sync Service" in out.stdout
    reports = list((tmp_path / "reports").glob("demo-covert-*/report.html"))
    assert len(reports) == 1


def test_simulate_command(workdir: tuple[Path, dict]) -> None:
    import pexpect

    root, env = workdir
    words = [*shlex.split("stalkerscan simulate --scenario covert"), "--port", "0", "--quiet"]
    argv = [*cli(), *words[1:]]
    child = pexpect.spawn(argv[0], argv[1:], cwd=str(root), env=env, timeout=60, encoding="utf-8")
    child.expect(r"listening on 127\.0\.0\.1:(\d+)")
    child.expect("Press Ctrl-C to stop.")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
