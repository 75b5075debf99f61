"""Hostile tweaks for the issue-9 profiles: bytes a spec's YAML cannot carry, and huge sizes.

The hostile spec already puts escape sequences, markup, RTL overrides, `../` paths and shell
metacharacters into package names, labels, paths and settings (they flow through every
renderer). This module adds what YAML cannot hold or what must not be committed: NUL bytes,
invalid UTF-8, a UTF-16 fragment, a line of many megabytes, a `dumpsys package` of hundreds
of megabytes (written in chunks, generated in the cache, never in the repository).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stalkerscan.simulator.generate.model import Phone

# Each is a line a parser must survive; they are appended to outputs of the hostile profile.
HOSTILE_LINES: tuple[bytes, ...] = (
    b"  Package [org.hostile.nul\x00byte] (1234567):",
    b"    versionName=\xff\xfe\xfd invalid utf-8 \xc3\x28 \xed\xa0\x80",
    b"\x1b[2J\x1b[31mCLEARED SCREEN\x1b[0m \x1b]0;pwned title\x07 [red]markup[/red] [link=file:///etc/passwd]x[/link]",
    b"<script>alert(1)</script> <img src=x onerror=alert(2)> {{7*7}} ${jndi:ldap://x}",
    "\u202eexe.elif\u202c \u200b\u200c\u200d\ufeff zero-width and RTL override".encode(),
    "h\x00e\x00l\x00l\x00o\x00 \x00\x00\xd8".encode("latin-1"),  # UTF-16LE with a lone surrogate
    b"\r\r\r carriage returns \x08\x08\x08 backspaces \x07 bell",
)


def _commands(root: Path) -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load((root / "profile.yaml").read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - safe loader
    return dict(data.get("commands") or {})


def _file_of(commands: dict[str, Any], command: str) -> str | None:
    entry = commands.get(command)
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict) and isinstance(entry.get("stdout"), str):
        return str(entry["stdout"])
    return None


def apply(ph: Phone, root: Path) -> None:
    """Apply the spec's `mutations` to the rendered folder in place."""
    m = ph.spec.mutations
    commands = _commands(root)
    if m.hostile:
        for cmd in (
            "dumpsys package",
            "dumpsys accessibility",
            "dumpsys notification",
            "dumpsys device_policy",
            "dumpsys appops",
            "dumpsys usagestats",
            "dumpsys account",
            "getprop",
            "settings list global",
        ):
            rel = _file_of(commands, cmd)
            if rel is None:
                continue
            with (root / rel).open("ab") as f:
                for line in HOSTILE_LINES:
                    f.write(line + b"\n")
    if m.long_line_mb:
        rel = _file_of(commands, "dumpsys accessibility")
        if rel is not None:
            with (root / rel).open("ab") as f:
                f.write(b"     installed services: {")
                chunk = b"A" * (1 << 20)
                for _ in range(m.long_line_mb):
                    f.write(chunk)
                f.write(b"}\n")
    if m.huge_dumpsys_mb:
        rel = _file_of(commands, "dumpsys package")
        if rel is not None:
            _pad_dumpsys_package(root / rel, m.huge_dumpsys_mb * 1_000_000)


def _pad_dumpsys_package(path: Path, target: int) -> None:
    """Insert realistic package blocks into `Packages:` until the file reaches `target` bytes."""
    data = path.read_bytes()
    head, sep, tail = data.partition(b"\nPackages:\n")
    if not sep:
        head, sep, tail = data, b"\nPackages:\n", b""
    perms = b"".join(b"      android.permission.PAD_%04d: granted=true\n" % i for i in range(40))
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        f.write(head + sep)
        written = len(head) + len(sep) + len(tail)
        i = 0
        while written < target:
            block = (
                (
                    b"  Package [org.padding.app%06d] (%07x):\n"
                    b"    userId=%d\n"
                    b"    codePath=/data/app/~~pad%06d==/org.padding.app%06d-pad==\n"
                    b"    versionCode=1 minSdk=24 targetSdk=34\n"
                    b"    versionName=1.0\n"
                    b"    lastUpdateTime=2026-01-01 00:00:00\n"
                    b"    install permissions:\n" % (i, i, 20000 + i % 80000, i, i)
                )
                + perms
                + (
                    b"    User 0: ceDataInode=%d installed=true hidden=false suspended=false "
                    b"stopped=false notLaunched=false enabled=0 instant=false virtual=false\n" % i
                )
            )
            f.write(block)
            written += len(block)
            i += 1
        f.write(tail)
    tmp.replace(path)
