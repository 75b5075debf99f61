"""Helpers of the hardening tests: run the real CLI in a sealed subprocess and observe it.

`Sandbox(tmp_path)` gives a fresh HOME, working directory, TMPDIR and data dir; `run(...)` runs
`python -m stalkerscan ...` there with

- `PATH` made only of tripwire executables (`sh`, `su`, `reboot`, `id`, ...): any attempt to run a
  host program, let alone one named by the phone, is logged in `tripwire.log` and fails;
- a `sitecustomize` (tests/hardening/sitecustom) that refuses non-loopback sockets and name
  look-ups (logged in `net.log`) and records the peak RSS at exit;
- a file-tree snapshot before and after, so a test can prove nothing was written outside the
  folders it allows.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SITECUSTOM = Path(__file__).resolve().parent / "sitecustom"

# Host programs a hostile phone might hope to reach through a careless shell call.
TRIPWIRES = (
    "sh", "bash", "dash", "zsh", "su", "sudo", "reboot", "id", "rm", "cat", "curl", "wget",
    "nc", "ncat", "python", "python3", "perl", "xdg-open", "open", "adb", "aapt", "apksigner",
    "keytool", "java", "busybox", "env", "ls", "cp", "mv", "chmod", "git", "ssh", "scp",
)  # fmt: skip

ESC = "\x1b"
BIDI_AND_ZERO_WIDTH = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # bidi embeddings, overrides, isolates
    "\u200b\u200c\u200d\ufeff"  # zero-width space, non-joiner, joiner, BOM
)


@dataclass
class Result:
    """What one CLI run did."""

    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float | None
    net_attempts: list[str]
    tripwire_calls: list[str]
    written: list[str] = field(default_factory=list)  # paths (relative to the sandbox) new/changed


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (size, mtime_ns) of every file and folder under root (symlinks too)."""
    out: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


class Sandbox:
    """A sealed place to run the CLI (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.cwd = root / "cwd"
        self.tmp = root / "tmp"
        self.data = root / "data"
        self.bin = root / "tripwire-bin"
        self.logs = root / "logs"
        for d in (self.home, self.cwd, self.tmp, self.data, self.bin, self.logs):
            d.mkdir(parents=True, exist_ok=True)
        self.tripwire_log = self.logs / "tripwire.log"
        self.net_log = self.logs / "net.log"
        self.rss_file = self.logs / "rss"
        for name in TRIPWIRES:
            exe = self.bin / name
            exe.write_text(
                f'#!/bin/sh\necho "{name} $*" >> "{self.tripwire_log}"\nexit 99\n',
                encoding="utf-8",
            )
            exe.chmod(exe.stat().st_mode | stat.S_IXUSR)

    def env(self, **extra: str) -> dict[str, str]:
        """The sealed environment (no user config, no colours, a wide plain terminal)."""
        keep = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "SYSTEMROOT")}
        env = {
            **keep,
            "HOME": str(self.home),
            "TMPDIR": str(self.tmp),
            "PATH": str(self.bin),
            "PYTHONPATH": os.pathsep.join([str(SITECUSTOM), str(REPO)]),
            "PYTHONDONTWRITEBYTECODE": "1",
            "STALKERSCAN_DATA_DIR": str(self.data),
            "STALKERSCAN_INDICATORS_DIR": str(self.data / "indicators"),
            "STALKERSCAN_PROFILE_CACHE": str(self.root / "profile-cache"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "COLUMNS": "200",
            "NO_COLOR": "1",
            "TERM": "dumb",
            "HARDEN_NET_LOG": str(self.net_log),
            "HARDEN_RSS_FILE": str(self.rss_file),
        }
        env.update(extra)
        return env

    def popen(
        self, *args: str, fsize_limit: int | None = None, **extra_env: str
    ) -> subprocess.Popen[str]:
        """Start `python -m stalkerscan ARGS` in the sandbox (caller waits).

        `fsize_limit` sets RLIMIT_FSIZE (with SIGXFSZ ignored, a write past it fails with
        EFBIG): an unprivileged stand-in for a full disk.
        """

        def limit() -> None:
            if fsize_limit is not None:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_limit, fsize_limit))

        return subprocess.Popen(
            [sys.executable, "-m", "stalkerscan", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            env=self.env(**extra_env),
            cwd=self.cwd,
            preexec_fn=limit if fsize_limit is not None else None,
        )

    def run(
        self,
        *args: str,
        timeout: float = 120,
        fsize_limit: int | None = None,
        **extra_env: str,
    ) -> Result:
        """Run the CLI to the end; returns what it did, and what it wrote in the sandbox."""
        for f in (self.tripwire_log, self.net_log, self.rss_file):
            f.unlink(missing_ok=True)
        before = snapshot(self.root)
        proc = self.popen(*args, fsize_limit=fsize_limit, **extra_env)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
        return self.result(proc.returncode, stdout, stderr, before)

    def result(
        self, code: int, stdout: str, stderr: str, before: dict[str, tuple[int, int]]
    ) -> Result:
        """Collect the logs and the file-tree difference after a run."""
        after = snapshot(self.root)
        written = sorted(
            k
            for k, v in after.items()
            if before.get(k) != v and not k.startswith(("logs", "profile-cache"))
        )
        rss = self.rss_file.read_text().strip() if self.rss_file.exists() else ""
        read = lambda p: p.read_text().splitlines() if p.exists() else []  # noqa: E731
        return Result(
            returncode=code,
            stdout=stdout,
            stderr=stderr,
            peak_rss_mb=int(rss) / 1024 if rss else None,
            net_attempts=read(self.net_log),
            tripwire_calls=read(self.tripwire_log),
            written=written,
        )


def scan_args(serial: str, out: Path, *extra: str) -> list[str]:
    """`stalkerscan scan` of the simulated phone at `serial` into `out`, quietly, over TCP."""
    return ["scan", "--serial", serial, "--via", "tcp", "--out", str(out), "--quiet", *extra]


def collect_args(serial: str, out: Path, *extra: str) -> list[str]:
    """`stalkerscan collect` of the simulated phone at `serial` into `out`."""
    return ["collect", "--serial", serial, "--via", "tcp", "--out", str(out), "--quiet", *extra]


# Read-only sync requests; SEND (push), DATA, DONE-with-data, DENT writes... never appear.
READ_ONLY_SYNC = frozenset({"STAT", "STA2", "LSTAT", "LIST", "LIS2", "RECV", "RCV2", "QUIT"})
# Words that would change a phone if they ever reached it (belt and braces on top of the allowlist).
CHANGING_WORDS = (
    "install", "uninstall", "clear", "disable", "disable-user", "enable", "hide", "suspend",
    "kill", "am force-stop", "force-stop", "put", "delete", "reset", "reboot", "rm", "push",
    "grant", "revoke", "set-", "setprop", "svc", "wipe", "remount", "root:", "mv", "chmod", "dd",
)  # fmt: skip


def log_violations(entries: list[Any]) -> list[str]:
    """Every entry of a simulated phone's command log that is not read-only (empty when fine)."""
    from stalkerscan.device.allowlist import is_allowed, split_simple_commands

    bad: list[str] = []
    for e in entries:
        if e.kind == "sync":
            if e.command and e.command.split(" ", 1)[0] not in READ_ONLY_SYNC:
                bad.append(f"sync {e.command!r}")
            continue
        if e.kind not in ("shell", "shell_v2", "exec"):
            bad.append(f"{e.kind} service {e.service!r} {e.command!r}")
            continue
        if not is_allowed(e.command):
            bad.append(f"not allowlisted: {e.command!r}")
            continue
        for words in split_simple_commands(e.command):
            program, args = words[0], words[1:]
            if program in ("echo", "which"):
                continue
            joined = " ".join(args)
            for w in CHANGING_WORDS:
                if w in args or (w.endswith((" ", "-", ":")) and w in joined) or program == w:
                    bad.append(f"changing word {w!r} in {e.command!r}")
    return bad
