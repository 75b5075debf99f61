"""Private, crash-safe files: 0700 folders, 0600 files, write to a temporary name, fsync, rename.

The one implementation behind the acquisition folder (`collect/store.py`), the feed store
(`indicators/`), the reports (`report/`), exports (`export.py`) and the host key
(`device/keys.py`). Callers turn `OSError` into their own error (disk full, report not
written...); nothing here prints or decides a message.

- Modes are set with `fchmod`/`chmod`, never left to the umask.
- Temporary names are unique per call (`.NAME.<random>.tmp`) and opened with `O_EXCL`, so two
  threads or processes never share one, and a symlink planted at the temporary name is never
  followed. The rename replaces whatever sits at the final name (a planted symlink included)
  without writing through it.
- A failed write removes its temporary file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

DIR_MODE = 0o700
FILE_MODE = 0o600

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def make_private_dir(path: Path, *, strict: bool = True) -> Path:
    """Create `path` and any missing parents with mode 0700; tighten `path` if it exists.

    `strict=False` tolerates an existing folder whose mode cannot be changed (not ours).
    """
    missing: list[Path] = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(folder, DIR_MODE)  # mkdir's mode is reduced by the umask
    try:
        os.chmod(path, DIR_MODE)
    except OSError:
        if strict:
            raise
    return path


def fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in `path` durable (no-op where folders cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems (e.g. some FUSE mounts) refuse fsync on directories
    finally:
        os.close(fd)


def temp_name(path: Path) -> Path:
    """A fresh temporary name beside `path` (hidden, unique per call)."""
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")


def open_private(path: Path, *, exclusive: bool = True) -> int:
    """Open `path` for writing as a 0600 file and return the descriptor.

    `exclusive`: the file must be new (O_EXCL, which never follows a symlink); otherwise an
    existing file is truncated, but a symlink at `path` is refused (O_NOFOLLOW).
    """
    flags = os.O_WRONLY | os.O_CREAT | _BINARY
    flags |= os.O_EXCL if exclusive else (os.O_TRUNC | _NOFOLLOW)
    fd = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_new(path: Path, data: bytes) -> None:
    """Write a new 0600 file and fsync it (FileExistsError if `path` exists)."""
    fd = open_private(path)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> Path:
    """Replace `path` atomically with `data`: temp file beside it, fsync, rename, fsync folder."""
    with private_temp_file(path) as fh:
        fh.write(data)
    return path


@contextlib.contextmanager
def private_temp_file(path: Path) -> Iterator[BinaryIO]:
    """A 0600 file opened under a temporary name beside `path`; on a clean exit it is
    flushed, fsynced and renamed to `path` (replacing it), on an error it is removed."""
    tmp = temp_name(path)
    fd = open_private(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def publish_new(path: Path, data: bytes) -> bool:
    """Create `path` with `data` only if it does not exist yet, atomically (temp file + link).

    Returns False when `path` already existed (another writer won; its file is kept). Readers
    never see a partly written file, and several threads or processes may race safely.
    """
    tmp = temp_name(path)
    try:
        write_new(tmp, data)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    fsync_dir(path.parent)
    return True
