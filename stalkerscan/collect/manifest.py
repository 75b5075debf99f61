"""`manifest.json`: what an acquisition holds, how each file was made, and its sha256.

The manifest is rewritten atomically after every artifact, so whatever happens to the phone,
the cable or the host, the folder always holds a parseable manifest that describes exactly
the files written so far (`complete: false` until the end). Format: `docs/acquisition.md`.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from stalkerscan.collect.store import atomic_write_bytes, check_relative_name, sha256_file
from stalkerscan.errors import AcquisitionError

SCHEMA = "stalkerscan.acquisition"
SCHEMA_VERSION = 1
MANIFEST_NAME = "manifest.json"


class Status(StrEnum):
    """What happened to one artifact (or one APK)."""

    OK = "ok"
    TRUNCATED = "truncated"  # saved, but cut at the size cap
    FAILED = "failed"  # the command ran and failed, or the link dropped during it
    SKIPPED = "skipped"  # not run or not supported here; `reason` says why
    NOT_COLLECTED = "not_collected"  # the collection stopped before reaching it


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArtifactRecord(_Model):
    """One saved command output."""

    name: str  # logical name, e.g. "packages_u0" (docs/architecture.md)
    artifact: str  # the registry name without the user suffix, e.g. "packages"
    user: int | None = None
    part: int | None = None  # for artifacts split over several commands (apk_hashes)
    command: str
    file: str | None = None  # relative path; None when nothing was saved
    status: Status
    reason: str | None = None
    exit_code: int | None = None
    stderr: str = ""
    stderr_merged: bool = True  # stderr is interleaved in the file (`2>&1`, or adb shell v1)
    size: int = 0
    sha256: str | None = None
    truncated: bool = False
    masked: bool = False  # the saved file was rewritten before saving (account names masked)
    session: int | None = None
    started_at: str | None = None
    duration_s: float = 0.0
    # Set when this output comes from the collector's fallback command (older Android).
    fallback_from: str | None = None
    fallback_reason: str | None = None


class SessionRecord(_Model):
    """One shell session (one round trip) of the collection."""

    index: int
    phase: str  # "collect", "hash"
    artifacts: list[str]
    command_bytes: int
    exit_code: int | None = None
    stderr: str = ""
    duration_s: float = 0.0
    error: str | None = None


class ApkHash(_Model):
    """One APK hashed on the phone."""

    package: str
    remote_path: str
    sha256: str | None = None
    status: Status = Status.OK
    reason: str | None = None


class PulledApk(_Model):
    """One APK pulled from the phone; `file` is a name we chose, never the phone's."""

    index: int
    package: str
    remote_path: str
    reasons: list[str]
    file: str | None = None
    size: int = 0
    sha256: str | None = None  # of the saved file (host-computed)
    phone_sha256: str | None = None
    verified: bool = False  # host sha256 equals the phone's sha256sum
    status: Status = Status.NOT_COLLECTED
    note: str | None = None


class DeviceIdentity(_Model):
    """Who the phone is. The serial is kept: the acquisition is the case file."""

    serial: str  # how the host reached it (USB serial, or HOST:PORT)
    transport: str
    device_serial: str | None = None  # the phone's own ro.serialno
    manufacturer: str | None = None
    model: str | None = None
    android_release: str | None = None
    sdk: str | None = None
    security_patch: str | None = None
    fingerprint: str | None = None


class Manifest(_Model):
    """The whole `manifest.json`."""

    schema_: str = Field(default=SCHEMA, alias="schema")
    schema_version: int = SCHEMA_VERSION
    tool: dict[str, str]
    acquisition_id: str
    complete: bool = False
    started_at: str
    finished_at: str | None = None
    updated_at: str | None = None
    host_time_at_device_time: str | None = None
    device_time: int | None = None  # seconds since epoch, the phone's `date +%s`
    clock_offset_s: float | None = None  # device minus host
    device: DeviceIdentity
    options: dict[str, Any] = Field(default_factory=dict)
    users: list[int] = Field(default_factory=list)
    sessions: list[SessionRecord] = Field(default_factory=list)
    artifacts: list[ArtifactRecord] = Field(default_factory=list)
    apk_hashes: list[ApkHash] = Field(default_factory=list)
    hashing: dict[str, Any] = Field(default_factory=dict)  # status, reason, tool
    pulled_apks: list[PulledApk] = Field(default_factory=list)
    pull: dict[str, Any] = Field(default_factory=dict)  # status, reason, limits, totals
    stopped: dict[str, str] | None = None  # {"stage": ..., "reason": ...} when incomplete
    resumed_from: list[str] = Field(default_factory=list)  # earlier acquisition ids

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def artifact(self, name: str) -> ArtifactRecord | None:
        """The last record of a logical artifact name, or None."""
        for record in reversed(self.artifacts):
            if record.name == name:
                return record
        return None

    def set_artifact(self, record: ArtifactRecord) -> None:
        """Add a record, replacing an earlier one with the same name and part."""
        self.artifacts = [
            r for r in self.artifacts if not (r.name == record.name and r.part == record.part)
        ]
        self.artifacts.append(record)

    def session_counts(self) -> dict[str, int]:
        """Shell sessions per phase."""
        counts: dict[str, int] = {}
        for s in self.sessions:
            counts[s.phase] = counts.get(s.phase, 0) + 1
        return counts


def dump_manifest(manifest: Manifest) -> bytes:
    """Serialise a manifest (stable key order, UTF-8, trailing newline)."""
    data = manifest.model_dump(mode="json", by_alias=True)
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_manifest(root: Path, manifest: Manifest) -> None:
    """Rewrite `manifest.json` atomically."""
    atomic_write_bytes(root / MANIFEST_NAME, dump_manifest(manifest))


def load_manifest(root: Path | str) -> Manifest:
    """Read and validate `manifest.json` of an acquisition folder (raises AcquisitionError)."""
    path = Path(root) / MANIFEST_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError as err:
        raise AcquisitionError(
            f"{Path(root)} is not an acquisition: it has no {MANIFEST_NAME}.",
            "Give the folder that `stalkerscan collect --out` wrote.",
        ) from err
    except OSError as err:
        raise AcquisitionError(f"Could not read {path}: {err.strerror}.") from err
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise AcquisitionError(f"{path} is not valid JSON: {err}.") from err
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise AcquisitionError(f"{path} is not a stalkerscan acquisition manifest.")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise AcquisitionError(
            f"{path} has manifest schema version {version!r}; this stalkerscan reads "
            f"version {SCHEMA_VERSION}.",
            "Use the stalkerscan version that wrote it, or a newer one.",
        )
    try:
        return Manifest.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise AcquisitionError(f"{path} is malformed at {where}: {first['msg']}.") from err


class VerifyProblem(_Model):
    """One file whose content does not match the manifest."""

    file: str
    problem: str  # "missing", "size", "sha256", "unsafe-name", "unlisted"
    expected: str | None = None
    actual: str | None = None


class VerifyReport(_Model):
    """The outcome of `verify_acquisition`."""

    ok: bool
    files_checked: int
    problems: list[VerifyProblem]
    complete: bool


def verify_acquisition(root: Path | str) -> VerifyReport:
    """Check every file the manifest lists against its size and sha256; list extra files."""
    root = Path(root)
    manifest = load_manifest(root)
    listed: list[tuple[str, int, str | None]] = []
    for a in manifest.artifacts:
        if a.file is not None:
            listed.append((a.file, a.size, a.sha256))
    for p in manifest.pulled_apks:
        if p.file is not None:
            listed.append((p.file, p.size, p.sha256))
    problems: list[VerifyProblem] = []
    seen: set[str] = set()
    for rel, size, sha in listed:
        seen.add(rel)
        try:
            check_relative_name(rel)
        except AcquisitionError:
            problems.append(VerifyProblem(file=rel, problem="unsafe-name"))
            continue
        path = root / rel
        if not path.is_file():
            problems.append(VerifyProblem(file=rel, problem="missing"))
            continue
        actual_size, actual_sha = sha256_file(path)
        if actual_size != size:
            problems.append(
                VerifyProblem(file=rel, problem="size", expected=str(size), actual=str(actual_size))
            )
        if sha is None or actual_sha != sha:
            problems.append(
                VerifyProblem(file=rel, problem="sha256", expected=sha, actual=actual_sha)
            )
    for sub in ("raw", "apks"):
        folder = root / sub
        if folder.is_dir():
            for entry in sorted(folder.iterdir()):
                rel = f"{sub}/{entry.name}"
                if rel not in seen:
                    problems.append(VerifyProblem(file=rel, problem="unlisted"))
    hard = [p for p in problems if p.problem != "unlisted"]
    return VerifyReport(
        ok=not hard, files_checked=len(listed), problems=problems, complete=manifest.complete
    )
