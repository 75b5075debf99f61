"""The acquisition folder on disk: private modes, atomic writes, hashed streaming writes.

Every path written here is built from names this code chooses (artifact names from the
collector registry, user ids that were parsed as integers, counters), never from text the
phone sent. Folders are 0700 and files 0600 whatever the umask (`stalkerscan.fsutil`); a
symlink planted where one of our files goes is never followed. A full disk (ENOSPC) becomes
`DiskFullError` with a clear message; what was written before stays.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from stalkerscan import fsutil
from stalkerscan.errors import AcquisitionError, ScanIncomplete

# A relative file name inside an acquisition: our own names only (letters, digits, . _ -).
_SAFE_REL = re.compile(r"^(raw|apks)/[A-Za-z0-9][A-Za-z0-9_.-]{0,120}$")


class DiskFullError(ScanIncomplete):
    """The disk filled up while writing the acquisition; what was written is kept."""


def disk_full(path: Path) -> DiskFullError:
    """The error raised when a write into `path` hit ENOSPC."""
    return DiskFullError(
        f"The disk is full: could not write {path.name} in {path.parent}. "
        "What was collected before is kept in the acquisition folder.",
        "Free some space (or choose another --out folder), then run "
        "`stalkerscan collect --resume FOLDER` to collect the rest.",
    )


@contextlib.contextmanager
def _enospc_as_disk_full(path: Path) -> Iterator[None]:
    try:
        yield
    except OSError as err:
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            raise disk_full(path) from err
        raise AcquisitionError(
            f"Could not write {path.name} in {path.parent}: {err.strerror or err}.",
            "Check the --out folder: it must be yours, writable, and hold no links.",
        ) from err


def check_relative_name(rel: str) -> None:
    """Refuse a file name that is not one of ours (raises AcquisitionError)."""
    if not _SAFE_REL.match(rel) or ".." in rel.split("/"):
        raise AcquisitionError(f"Refused an unsafe file name in the acquisition: {rel!r}.")


def make_private_dir(path: Path) -> None:
    """Create `path` (and parents) and set it to 0700."""
    fsutil.make_private_dir(path)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically: temp file, fsync, rename, fsync the folder."""
    with _enospc_as_disk_full(path):
        fsutil.atomic_write(path, data)


class HashingWriter:
    """A write-only file that hashes what it writes, counts bytes and stops at a size cap.

    Bytes past `max_bytes` are dropped and `truncated` is set. The file is written under a
    `.partial` name and renamed by `finish()`, so a crash never leaves a half-written file
    under its final name.
    """

    def __init__(self, path: Path, max_bytes: int | None = None) -> None:
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.max_bytes = max_bytes
        self.size = 0
        self.truncated = False
        self._sha = hashlib.sha256()
        with _enospc_as_disk_full(path):
            fd = fsutil.open_private(self.partial, exclusive=False)
            self._file: BinaryIO = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> int:
        """Append bytes (up to the cap); return len(data) so callers never retry."""
        if not data:
            return 0
        keep = data
        if self.max_bytes is not None and self.size + len(data) > self.max_bytes:
            keep = data[: max(0, self.max_bytes - self.size)]
            self.truncated = True
        if keep:
            with _enospc_as_disk_full(self.path):
                self._file.write(keep)
            self._sha.update(keep)
            self.size += len(keep)
        return len(data)

    @property
    def sha256(self) -> str:
        """Hex sha256 of the bytes written so far."""
        return self._sha.hexdigest()

    def finish(self) -> None:
        """Flush, fsync, close and rename to the final name."""
        if self._file.closed:
            return
        with _enospc_as_disk_full(self.path):
            try:
                self._file.flush()
                os.fsync(self._file.fileno())
            finally:
                self._file.close()
            os.replace(self.partial, self.path)
        fsutil.fsync_dir(self.path.parent)

    def abandon(self) -> None:
        """Close and delete the partial file (nothing of it is kept)."""
        if not self._file.closed:
            with contextlib.suppress(OSError):
                self._file.close()
        with contextlib.suppress(OSError):
            self.partial.unlink()


class AcquisitionStore:
    """One acquisition folder: `raw/` for command output, `apks/` for pulled APKs."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def create(self) -> None:
        """Create the folder tree with private modes (the umask is not trusted)."""
        try:
            make_private_dir(self.root)
            make_private_dir(self.root / "raw")
            make_private_dir(self.root / "apks")
        except OSError as err:
            if err.errno in (errno.ENOSPC, errno.EDQUOT):
                raise disk_full(self.root) from err
            raise AcquisitionError(
                f"Could not create the acquisition folder {self.root}: {err.strerror}.",
                "Choose another --out folder you can write to.",
            ) from err

    def path_of(self, rel: str) -> Path:
        """The absolute path of one of our relative file names (checked)."""
        check_relative_name(rel)
        return self.root / rel

    def open_writer(self, rel: str, max_bytes: int | None = None) -> HashingWriter:
        """A hashing, capped writer for `rel`."""
        return HashingWriter(self.path_of(rel), max_bytes=max_bytes)

    def write_bytes(self, rel: str, data: bytes) -> tuple[int, str]:
        """Write a whole file atomically; return (size, sha256)."""
        atomic_write_bytes(self.path_of(rel), data)
        return len(data), hashlib.sha256(data).hexdigest()


def sha256_file(path: Path, chunk: int = 1 << 20) -> tuple[int, str]:
    """(size, sha256) of a file, read in chunks."""
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while block := f.read(chunk):
            sha.update(block)
            size += len(block)
    return size, sha.hexdigest()
