"""Running the CLI as a user would, isolated: its own HOME, data dir, empty feed store, profile
cache and an adb-server port where nothing listens; and finding processes left behind.

Used by tests/demo, tests/guide and tests/readme (`from demo.clisupport import ...`)."""

from __future__ import annotations

import os
import socket
import sys
import uuid
from pathlib import Path

MARKER = "STALKERSCAN_TEST_MARKER"


def free_port() -> int:
    """A port the OS says is free now (never 5555-5585: the adb server probes those)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if not 5555 <= port <= 5585:
            return port


def cli_env(root: Path, cache: Path) -> dict[str, str]:
    """Environment for one CLI run under `root` (nothing of the user's real setup is used)."""
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STALKERSCAN_", "ANDROID_")) and k not in ("LANG", "LC_ALL")
    }
    env.update(
        HOME=str(home),
        STALKERSCAN_DATA_DIR=str(root / "data"),
        STALKERSCAN_INDICATORS_DIR=str(root / "store"),
        STALKERSCAN_PROFILE_CACHE=str(cache),
        ANDROID_ADB_SERVER_PORT=str(free_port()),
        LC_ALL="C.UTF-8",
        COLUMNS="120",
        PYTHONUNBUFFERED="1",
    )
    env[MARKER] = uuid.uuid4().hex
    return env


def stalkerscan_argv(*args: str) -> list[str]:
    """The command line that runs the CLI of this interpreter."""
    return [sys.executable, "-m", "stalkerscan", *args]


def processes_with(env: dict[str, str]) -> list[int]:
    """Pids of live processes that inherited this run's marker (children left behind)."""
    needle = f"{MARKER}={env[MARKER]}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split(") ", 1)[1][:1]
        except (OSError, IndexError):
            continue
        if needle in environ.split(b"\0") and state != "Z":
            pids.append(int(entry.name))
    return pids


def port_listening(port: int) -> bool:
    """True when something accepts connections on 127.0.0.1:port."""
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0
