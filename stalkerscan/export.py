"""Encrypted export of a case (acquisition + reports) for a lawyer or the police, and `wipe`.

Container format (`.sscase`, version 1), everything after the header is AES-256-GCM:

    offset  size  field
    0       16    magic  b"STALKERSCAN-CASE"
    16      1     version (1)
    17      1     log2(scrypt N)   (17: N = 131072)
    18      1     scrypt r         (8)
    19      1     scrypt p         (1)
    20      16    salt             (random)
    36      7     nonce prefix     (random)
    43      ...   chunks

The key is scrypt(password, salt, N, r, p, 32 bytes). The plaintext is an uncompressed POSIX tar
of the case folder, cut into chunks of CHUNK bytes (the last may be shorter, even empty); each
chunk is sealed with AES-256-GCM under the nonce `prefix(7) || counter(4, big-endian) ||
last(1: 0x01 for the final chunk, else 0x00)` and the 43-byte header as associated data, and
stored as `ciphertext || tag(16)`. This is the "STREAM" construction (Hoang et al., 2015): a
chunk cannot be reordered, dropped, or the file truncated or extended without the tag failing,
and neither the plaintext nor the whole archive is ever held in memory or written to disk.

A wrong password and a damaged file fail the same way (the first tag does not verify): the
message says so without guessing which.
"""

from __future__ import annotations

import os
import secrets
import struct
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from stalkerscan.errors import UsageError
from stalkerscan.fsutil import private_temp_file

MAGIC = b"STALKERSCAN-CASE"
VERSION = 1
CHUNK = 1 << 20  # plaintext bytes per chunk
TAG = 16
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 17, 8, 1  # ~128 MiB and ~0.3 s: interactive-login strength
_HEADER = struct.Struct(">16sBBBB16s7s")
HEADER_SIZE = _HEADER.size  # 43
MIN_PASSWORD = 10

# What a stalkerscan case folder may hold (a report folder, an acquisition, or both).
REPORT_FILES = frozenset({"report.html", "report.json"})
ACQUISITION_DIR = "acquisition"


class ExportError(UsageError):
    """An export could not be written or opened (wrong password, damaged file, bad folder)."""


# --- what is a case folder ---------------------------------------------------------------------


def _is_acquisition(path: Path) -> bool:
    from stalkerscan.collect.manifest import load_manifest
    from stalkerscan.errors import StalkerscanError

    if path.is_symlink() or not (path / "manifest.json").is_file():
        return False
    try:
        load_manifest(path)
    except (StalkerscanError, OSError, ValueError):
        return False
    return True


def _is_report_folder(path: Path) -> bool:
    import json

    report = path / "report.json"
    if path.is_symlink() or not report.is_file() or report.is_symlink():
        return False
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "verdict" in data and "schema_version" in data


def case_kind(path: Path) -> str:
    """'report' (reports, maybe with acquisition/), 'acquisition', or raise ExportError."""
    if path.is_symlink() or not path.is_dir():
        raise ExportError(
            f"{path} is not a folder.", "Give a report folder or an acquisition folder."
        )
    if _is_report_folder(path):
        return "report"
    if _is_acquisition(path):
        return "acquisition"
    raise ExportError(
        f"{path} is not a stalkerscan report or acquisition folder.",
        "Give the folder `stalkerscan scan --out` or `stalkerscan collect --out` wrote.",
    )


def case_files(path: Path) -> list[Path]:
    """Every file of the case folder, sorted; ExportError on a link or a special file."""
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        here = Path(dirpath)
        for name in sorted(dirnames + filenames):
            p = here / name
            if p.is_symlink():
                raise ExportError(f"{p} is a link; a case folder never holds links.")
            if name in filenames:
                if not p.is_file():
                    raise ExportError(f"{p} is not a regular file.")
                files.append(p)
    return sorted(files)


# --- key and chunks ------------------------------------------------------------------------------


def _key(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    if not 10 <= log2_n <= 22 or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise ExportError("The export file's key parameters are out of range: not a valid export.")
    kdf = Scrypt(salt=salt, length=32, n=1 << log2_n, r=r, p=p)
    return kdf.derive(password.encode("utf-8"))


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


class _EncryptingWriter:
    """A write-only file object that seals CHUNK-sized pieces as they fill (see the format)."""

    def __init__(self, out: BinaryIO, password: str, *, log2_n: int = SCRYPT_LOG2_N) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        salt, self.prefix = secrets.token_bytes(16), secrets.token_bytes(7)
        self.header = _HEADER.pack(MAGIC, VERSION, log2_n, SCRYPT_R, SCRYPT_P, salt, self.prefix)
        self.aead = AESGCM(_key(password, salt, log2_n, SCRYPT_R, SCRYPT_P))
        self.out = out
        self.buf = bytearray()
        self.counter = 0
        out.write(self.header)

    def write(self, data: bytes) -> int:
        self.buf += data
        while len(self.buf) > CHUNK:  # keep at least one byte back: the last chunk is marked
            self._seal(bytes(self.buf[:CHUNK]), last=False)
            del self.buf[:CHUNK]
        return len(data)

    def _seal(self, chunk: bytes, *, last: bool) -> None:
        if self.counter >= 0xFFFFFFFF:
            raise ExportError("The case is too large to export (over 4 PiB).")
        nonce = _nonce(self.prefix, self.counter, last)
        self.out.write(self.aead.encrypt(nonce, chunk, self.header))
        self.counter += 1

    def finish(self) -> None:
        self._seal(bytes(self.buf), last=True)
        self.buf.clear()

    def flush(self) -> None:
        """tarfile calls it; sealing waits for full chunks."""


def _decrypted_chunks(src: BinaryIO, password: str) -> Iterator[bytes]:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header = src.read(HEADER_SIZE)
    if len(header) < HEADER_SIZE:
        raise ExportError("This is not a stalkerscan export: the file is too short.")
    magic, version, log2_n, r, p, salt, prefix = _HEADER.unpack(header)
    if magic != MAGIC:
        raise ExportError("This is not a stalkerscan export (wrong signature).")
    if version != VERSION:
        raise ExportError(
            f"This export uses format version {version}; this stalkerscan reads version {VERSION}.",
            "Open it with the stalkerscan version that made it, or a newer one.",
        )
    aead = AESGCM(_key(password, salt, log2_n, r, p))
    counter = 0
    sealed = src.read(CHUNK + TAG)
    while True:
        nxt = src.read(CHUNK + TAG) if len(sealed) == CHUNK + TAG else b""
        last = not nxt
        try:
            yield aead.decrypt(_nonce(prefix, counter, last), sealed, header)
        except InvalidTag:
            if counter == 0:
                raise ExportError(
                    "Wrong password, or the export file is damaged: it could not be decrypted.",
                    "Check the password (it is case-sensitive) and try again.",
                ) from None
            raise ExportError(
                f"The export file is damaged or cut short (piece {counter + 1} does not verify).",
                "Ask for a new copy of the export file.",
            ) from None
        if last:
            return
        counter += 1
        sealed = nxt


class _ChunkReader:
    """A read-only stream over the decrypted chunks (for tarfile's stream mode)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.buf = b""

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self.buf) < n:
            piece = next(self.chunks, None)
            if piece is None:
                break
            self.buf += piece
        if n < 0:
            out, self.buf = self.buf, b""
        else:
            out, self.buf = self.buf[:n], self.buf[n:]
        return out


# --- public API --------------------------------------------------------------------------------


def export_case(case: Path, dest: Path, password: str, *, log2_n: int = SCRYPT_LOG2_N) -> list[str]:
    """Encrypt the case folder into `dest` (a new file, 0600); returns the archived names."""
    if len(password) < MIN_PASSWORD:
        raise ExportError(f"The password is too short: use at least {MIN_PASSWORD} characters.")
    case_kind(case)
    files = case_files(case)
    if dest.exists() or dest.is_symlink():
        raise ExportError(f"{dest} already exists.", "Give a new file name.")
    if dest.resolve().is_relative_to(case.resolve()):
        raise ExportError("The export file cannot be inside the case folder it exports.")
    names: list[str] = []
    try:
        with private_temp_file(dest) as out:
            enc = _EncryptingWriter(out, password, log2_n=log2_n)
            with tarfile.open(fileobj=enc, mode="w|", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
                for f in files:
                    name = str(f.relative_to(case))
                    info = tar.gettarinfo(str(f), arcname=name)
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    info.mode = 0o600
                    with f.open("rb") as fh:
                        tar.addfile(info, fh)
                    names.append(name)
            enc.finish()
    except OSError as err:
        raise ExportError(f"Could not write the export {dest}: {err.strerror or err}.") from err
    return names


def open_export(src: Path, out_dir: Path, password: str) -> list[str]:
    """Decrypt and unpack an export into the new folder `out_dir` (0700, files 0600)."""
    if out_dir.exists():
        raise ExportError(f"{out_dir} already exists.", "Give a new folder with --out.")
    try:
        fh = src.open("rb")
    except OSError as err:
        raise ExportError(f"Could not read {src}: {err.strerror or err}.") from err
    names: list[str] = []
    staging = out_dir.with_name(f".{out_dir.name}.{os.getpid()}.partial")
    try:
        with fh:
            reader = _ChunkReader(_decrypted_chunks(fh, password))
            staging.mkdir(mode=0o700, parents=True)
            with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
                for member in tar:
                    if not member.isfile() and not member.isdir():
                        raise ExportError(f"The export holds a link or device ({member.name}).")
                    # The "data" filter refuses absolute names, `..` and anything outside.
                    tar.extract(member, staging, filter="data")
                    target = staging / member.name
                    os.chmod(target, 0o700 if member.isdir() else 0o600)
                    names.append(member.name)
        for dirpath, _dirs, _files in os.walk(staging):
            os.chmod(dirpath, 0o700)
        staging.rename(out_dir)
    except tarfile.TarError as err:
        raise ExportError(f"The export's contents are damaged: {err}.") from err
    except OSError as err:
        raise ExportError(f"Could not unpack into {out_dir}: {err.strerror or err}.") from err
    finally:
        if staging.exists():
            import shutil

            shutil.rmtree(staging, ignore_errors=True)
    return names


# --- wipe --------------------------------------------------------------------------------------


def wipe_case(path: Path, *, overwrite: bool = True) -> list[Path]:
    """Delete a case folder (overwriting each file with zeros first); returns the files removed.

    Refuses anything that is not a stalkerscan report or acquisition folder, and folders that
    hold links. Overwriting is best effort: see the `wipe` command's help about SSDs.
    """
    case_kind(path)
    files = case_files(path)
    removed: list[Path] = []
    for f in files:
        if overwrite:
            size = f.stat().st_size
            fd = os.open(f, os.O_WRONLY | os.O_NOFOLLOW)
            try:
                zeros = bytes(min(size, CHUNK))
                left = size
                while left > 0:
                    left -= os.write(fd, zeros[: min(left, len(zeros))])
                os.fsync(fd)
            finally:
                os.close(fd)
        f.unlink()
        removed.append(f)
    for dirpath, _dirs, _files in sorted(os.walk(path), key=lambda t: -len(t[0])):
        Path(dirpath).rmdir()
    return removed
