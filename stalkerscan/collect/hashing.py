"""sha256 of APKs on the phone, with its own `sha256sum`, in as few sessions as possible.

The paths come from the phone, so each one is checked with `is_safe_remote_path` and quoted
with `shlex.quote`; an unsafe one is recorded and never sent. Paths are packed into command
lines by byte size (not by count), so 10 and 500 apps both fit in one session on a phone with
a 1 MiB ADB payload; an old phone with a 4 KiB payload gets more, smaller sessions.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from stalkerscan.collect.inventory import iter_lines
from stalkerscan.device.allowlist import is_safe_remote_path

DEFAULT_MAX_COMMAND_BYTES = 64 * 1024
# Room for the batch markers around the command (`echo M:apk_hashes_N:start; ... rc:$?; ...`).
_BATCH_OVERHEAD = 200
_HASH_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](/.+)$")


@dataclass(frozen=True)
class HashTarget:
    """One APK to hash: the package it belongs to and its path on the phone."""

    package: str
    remote_path: str


def command_limit(batch_limit: int) -> int:
    """The byte budget of the `sha256sum ...` part of a batch limited to `batch_limit` bytes."""
    return max(batch_limit - _BATCH_OVERHEAD, 512)


def split_safe(targets: Iterable[HashTarget]) -> tuple[list[HashTarget], list[HashTarget]]:
    """(safe, unsafe) targets; unsafe paths are never sent to the phone."""
    safe: list[HashTarget] = []
    unsafe: list[HashTarget] = []
    for t in targets:
        (safe if is_safe_remote_path(t.remote_path) else unsafe).append(t)
    return safe, unsafe


def chunk_commands(
    targets: Sequence[HashTarget], limit: int, program: str = "sha256sum"
) -> list[tuple[str, list[HashTarget]]]:
    """Pack safe targets into `sha256sum P1 P2 ...` commands of at most `limit` bytes each."""
    chunks: list[tuple[str, list[HashTarget]]] = []
    words: list[str] = [program]
    members: list[HashTarget] = []
    size = len(program)
    seen: set[str] = set()
    for t in targets:
        if t.remote_path in seen:
            continue
        seen.add(t.remote_path)
        quoted = shlex.quote(t.remote_path)
        extra = 1 + len(quoted.encode("utf-8"))
        if members and size + extra > limit:
            chunks.append((" ".join(words), members))
            words, members, size = [program], [], len(program)
        if size + extra > limit:
            continue  # a single path longer than the limit: the caller records it
        words.append(quoted)
        members.append(t)
        size += extra
    if members:
        chunks.append((" ".join(words), members))
    return chunks


def parse_hash_output(path: Path, asked: set[str]) -> dict[str, str]:
    """Path -> lower-case sha256 from saved `sha256sum` output, only for paths we asked."""
    found: dict[str, str] = {}
    for line in iter_lines(path, 8192):
        m = _HASH_LINE.match(line)
        if m and m.group(2) in asked and m.group(2) not in found:
            found[m.group(2)] = m.group(1).lower()
    return found
