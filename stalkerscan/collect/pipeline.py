"""`collect(transport, out_dir, options)`: the whole read-only acquisition of one phone.

Steps, each a fixed number of shell sessions whatever the number of packages:

1. identity batch (1 session): getprop, SELinux, clock, su, sha256sum, users;
2. main batch (1 session): per-user package lists, launcher, settings; the dumpsys services;
3. package batch (1 session): `dumpsys package`, streamed to disk;
4. hashing (1 session per 64 KiB of paths: one for 10 or 500 apps);
5. selective pull over ADB sync of the APKs worth a closer look.

The manifest is rewritten after every artifact. When the link drops, the run stops, the
manifest says what was and was not collected (`complete: false`), and the result carries the
error; when nothing at all could be read, the device error is raised instead.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, cast

from stalkerscan import __version__
from stalkerscan.collect.batch import BatchItem, MarkerSplitter, build_batch_command, new_marker
from stalkerscan.collect.collectors import (
    BATCH_ORDER,
    REGISTRY,
    Collector,
    classify_result,
)
from stalkerscan.collect.hashing import (
    DEFAULT_MAX_COMMAND_BYTES,
    HashTarget,
    chunk_commands,
    command_limit,
    parse_hash_output,
    split_safe,
)
from stalkerscan.collect.inventory import (
    App,
    device_admins,
    launcher_packages,
    read_dumpsys_package,
    read_packages,
    sensitive_appops,
    sensitive_grants_from_settings,
)
from stalkerscan.collect.manifest import (
    ApkHash,
    ArtifactRecord,
    DeviceIdentity,
    Manifest,
    PulledApk,
    SessionRecord,
    Status,
    load_manifest,
    write_manifest,
)
from stalkerscan.collect.progress import NullProgress, Progress
from stalkerscan.collect.selection import IndicatorLookup, select_apps
from stalkerscan.collect.store import AcquisitionStore, DiskFullError, HashingWriter, sha256_file
from stalkerscan.device.allowlist import is_safe_remote_path
from stalkerscan.device.base import Transport
from stalkerscan.errors import (
    AcquisitionError,
    DeviceError,
    DeviceProtocolError,
    DeviceTimeoutError,
    DisconnectedError,
    RemoteFileError,
    ScanIncomplete,
    StalkerscanError,
)

MiB = 1024 * 1024
_HEAD = 4096  # bytes of each artifact kept in memory to recognise "not found" / refusals
_DONE = (Status.OK, Status.TRUNCATED, Status.SKIPPED)
HASH_COLLECTOR = Collector(
    "apk_hashes",
    "sha256sum",
    "hash",
    "sha256 of APKs, computed on the phone",
    ok_exit_codes=frozenset({0, 1}),  # 1: some file unreadable; the other lines are good
    max_bytes=16 * MiB,
)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CollectOptions:
    """What to collect and the limits; the defaults suit a support worker's desk."""

    hashing: bool = True
    pull: bool = True
    deep: bool = False
    max_pull_bytes: int = 512 * MiB
    max_command_bytes: int = DEFAULT_MAX_COMMAND_BYTES
    max_artifact_bytes: int | None = None  # overrides every collector's own cap
    session_timeout: float = 600.0
    pull_timeout: float = 600.0
    resume: bool = False
    indicators: IndicatorLookup | None = None
    collectors: tuple[Collector, ...] = REGISTRY
    progress: Progress = field(default_factory=NullProgress)
    clock: Callable[[], datetime] = _now

    def as_manifest(self) -> dict[str, object]:
        """The options worth recording in the manifest."""
        return {
            "hashing": self.hashing,
            "pull": self.pull,
            "deep": self.deep,
            "max_pull_bytes": self.max_pull_bytes,
            "max_command_bytes": self.max_command_bytes,
            "max_artifact_bytes": self.max_artifact_bytes,
            "session_timeout_s": self.session_timeout,
            "indicators": self.indicators is not None,
        }


@dataclass
class AcquisitionResult:
    """The acquisition written, and the error that stopped it early (None when complete)."""

    path: Path
    manifest: Manifest
    error: StalkerscanError | None = None

    @property
    def complete(self) -> bool:
        """True when every step ran to the end."""
        return self.manifest.complete

    def collected(self) -> list[str]:
        """Artifact names saved (ok or truncated)."""
        return [
            _label(a) for a in self.manifest.artifacts if a.status in (Status.OK, Status.TRUNCATED)
        ]

    def not_collected(self) -> list[str]:
        """Artifact names not saved, or only partly (failed, not reached)."""
        return [
            _label(a)
            for a in self.manifest.artifacts
            if a.status in (Status.FAILED, Status.NOT_COLLECTED)
        ]

    def skipped(self) -> list[str]:
        """Artifacts skipped with a reason (not available on this phone, refused)."""
        return [
            f"{_label(a)} ({a.reason})" for a in self.manifest.artifacts if a.status == "skipped"
        ]

    def summary(self) -> str:
        """Plain sentences: what was collected and what was not."""
        m = self.manifest
        collected = self.collected()
        missing = self.not_collected()
        lines = [f"Collected {len(collected)} of {len(m.artifacts)} outputs into {self.path}."]
        skipped = [_label(a) for a in m.artifacts if a.status == Status.SKIPPED]
        if skipped:
            lines.append("Not available on this phone: " + ", ".join(skipped[:30]) + ".")
        if missing:
            more = f" and {len(missing) - 30} more" if len(missing) > 30 else ""
            lines.append("Not collected: " + ", ".join(missing[:30]) + more + ".")
        hashed = sum(1 for h in m.apk_hashes if h.sha256)
        lines.append(
            f"APK hashes: {hashed} of {len(m.apk_hashes)}"
            + (f" ({m.hashing.get('reason')})" if m.hashing.get("status") != "ok" else "")
            + "."
        )
        pulled = sum(1 for p in m.pulled_apks if p.status in (Status.OK, Status.TRUNCATED))
        lines.append(f"APKs pulled: {pulled} of {len(m.pulled_apks)} selected.")
        if m.stopped:
            lines.append(f"Stopped while {m.stopped['stage']}.")
        return " ".join(lines)

    def incomplete_error(self) -> ScanIncomplete:
        """The exit-4 error the CLI raises for a partial acquisition."""
        err = self.error
        if isinstance(err, DisconnectedError):
            cause = "the connection to the phone was lost."
        elif isinstance(err, DeviceTimeoutError):
            cause = "the phone stopped answering."
        elif err is not None:
            cause = err.message[:300]
        else:
            cause = "the collection stopped early."
        return ScanIncomplete(
            f"The collection is incomplete: {cause} {self.summary()}",
            f"Reconnect the phone and run `stalkerscan collect --resume {self.path}` "
            "to collect the rest; what was saved is kept.",
        )


def _label(a: ArtifactRecord) -> str:
    return a.name if a.part is None else f"{a.name}#{a.part}"


@dataclass
class _Planned:
    collector: Collector
    user: int | None
    part: int | None
    command: str
    fallback_of: ArtifactRecord | None = None  # the failed first attempt this replaces

    @property
    def name(self) -> str:
        return self.collector.artifact_name(self.user)

    @property
    def rel(self) -> str:
        suffix = "" if self.part is None else f".{self.part}"
        return f"raw/{self.name}{suffix}.txt"


class _MemorySink:
    """An in-memory, capped sink for output that must be rewritten before saving."""

    def __init__(self, cap: int) -> None:
        self.data = bytearray()
        self.cap = cap
        self.truncated = False

    def write(self, data: bytes) -> int:
        room = self.cap - len(self.data)
        if len(data) > room:
            self.truncated = True
        self.data += data[: max(room, 0)]
        return len(data)


class _ArtifactRun:
    """One artifact while its bytes stream in."""

    def __init__(self, run: _Run, planned: _Planned, session: int) -> None:
        self.run = run
        self.planned = planned
        self.session = session
        self.started = run.options.clock()
        self.t0 = time.monotonic()
        self.head = bytearray()
        self.count = 0
        cap = run.cap(planned.collector)
        self.memory: _MemorySink | None = None
        self.writer: HashingWriter | None = None
        if planned.collector.masked:
            self.memory = _MemorySink(cap)
        else:
            self.writer = run.store.open_writer(planned.rel, max_bytes=cap)

    def write(self, data: bytes) -> int:
        if len(self.head) < _HEAD:
            self.head += data[: _HEAD - len(self.head)]
        self.count += len(data)
        if self.memory is not None:
            return self.memory.write(data)
        assert self.writer is not None
        return self.writer.write(data)

    def finish(self, exit_code: int | None, complete: bool, why: str | None = None) -> None:
        p = self.planned
        record = ArtifactRecord(
            name=p.name,
            artifact=p.collector.name,
            user=p.user,
            part=p.part,
            command=p.command,
            status=Status.OK,
            exit_code=exit_code,
            session=self.session,
            started_at=self.started.isoformat(),
            duration_s=round(time.monotonic() - self.t0, 4),
        )
        if p.fallback_of is not None:
            record.fallback_from = p.fallback_of.command
            record.fallback_reason = p.fallback_of.reason
        status, reason = classify_result(p.collector, exit_code, bytes(self.head), self.count)
        if not complete:
            status, reason = Status.FAILED, why or "the connection was lost during it"
        if self.memory is not None:
            self._save_masked(record, status, reason)
            return
        assert self.writer is not None
        self.writer.finish()
        record.file = p.rel
        record.size = self.writer.size
        record.sha256 = self.writer.sha256
        record.truncated = self.writer.truncated
        if self.writer.truncated and status == Status.OK:
            status = Status.TRUNCATED
            reason = f"output cut at {self.writer.max_bytes} bytes"
        record.status, record.reason = status, reason
        if not complete:
            record.reason = (reason or "") + "; partial output kept"
        self.run.record(record)

    def _save_masked(self, record: ArtifactRecord, status: Status, reason: str | None) -> None:
        assert self.memory is not None
        data = bytes(self.memory.data)
        self.memory.data.clear()
        try:
            from stalkerscan.evidence.accounts import mask_account_dump
        except ImportError:
            record.status = Status.SKIPPED
            record.reason = "account names could not be masked here, so nothing was saved"
            self.run.record(record)
            return
        from stalkerscan.textsafe import decode_device_bytes

        masked = mask_account_dump(decode_device_bytes(data)).encode("utf-8")
        del data
        size, sha = self.run.store.write_bytes(self.planned.rel, masked)
        record.file, record.size, record.sha256 = self.planned.rel, size, sha
        record.masked = True
        record.truncated = self.memory.truncated
        if record.truncated and status == Status.OK:
            status, reason = Status.TRUNCATED, f"output cut at {self.memory.cap} bytes"
        record.status, record.reason = status, reason
        self.run.record(record)


class _Run:
    """The state of one collection run."""

    def __init__(self, transport: Transport, root: Path, options: CollectOptions) -> None:
        self.transport = transport
        self.options = options
        self.store = AcquisitionStore(root)
        self.root = root
        self.progress = options.progress
        self.manifest: Manifest
        self.stage = "starting"
        self._saved_at = 0.0
        self.created_root = False
        # Sessions or pulls that timed out or ended early: the run goes on, but is not complete.
        self.faults: list[tuple[str, DeviceError]] = []

    # -- manifest ------------------------------------------------------------------------------

    def open(self) -> None:
        self.created_root = not self.root.exists()
        self.store.create()
        now = self.options.clock()
        if self.options.resume:
            old = load_manifest(self.root)
            self._check_same_phone(old)
            old.resumed_from.append(old.acquisition_id)
            old.complete = False
            old.stopped = None
            old.finished_at = None
            self.manifest = old
        else:
            if (self.root / "manifest.json").exists():
                raise AcquisitionError(
                    f"{self.root} already holds an acquisition.",
                    "Choose a new --out folder, or add --resume to continue that one.",
                )
            self.manifest = Manifest(
                tool={"name": "stalkerscan", "version": __version__},
                acquisition_id=str(uuid.uuid4()),
                started_at=now.isoformat(),
                device=DeviceIdentity(
                    serial=self.transport.serial, transport=type(self.transport).__name__
                ),
            )
        self.manifest.options = self.options.as_manifest()
        self.save()

    def _check_same_phone(self, old: Manifest) -> None:
        """Refuse to resume with another phone (TCP serials change: compare ro.serialno)."""
        if old.device.serial == self.transport.serial:
            return
        theirs = old.device.device_serial
        ours: str | None = None
        if theirs:
            result = self.transport.shell("getprop ro.serialno", timeout=30.0, max_bytes=4096)
            ours = result.stdout.decode("utf-8", "replace").strip()
        if not theirs or ours != theirs:
            raise AcquisitionError(
                f"{self.root} was collected from another phone ({old.device.serial}).",
                "Resume with the same phone, or collect into a new folder.",
            )

    def discard_empty(self) -> None:
        """Remove the folder tree this run created when nothing at all was saved in it, so
        the same command can simply be run again."""
        with contextlib.suppress(OSError):
            (self.root / "manifest.json").unlink()
            for sub in ("raw", "apks"):
                (self.root / sub).rmdir()  # only when empty
            if self.created_root:
                self.root.rmdir()

    def save(self) -> None:
        self.manifest.updated_at = self.options.clock().isoformat()
        write_manifest(self.root, self.manifest)
        self._saved_at = time.monotonic()

    def save_soon(self) -> None:
        """Save unless the manifest was saved under a second ago.

        With thousands of APKs (`--deep`) and a manifest of a few MB, saving after every file
        would rewrite gigabytes; an APK not yet listed after a crash is only "unlisted", and
        `--resume` pulls it again.
        """
        if time.monotonic() - self._saved_at >= 1.0:
            self.save()

    def record(self, record: ArtifactRecord) -> None:
        self.manifest.set_artifact(record)
        self.save()

    def cap(self, collector: Collector) -> int:
        return self.options.max_artifact_bytes or collector.max_bytes

    def already_done(self, planned: _Planned) -> bool:
        """On resume: an artifact saved before whose file still verifies."""
        if not self.options.resume:
            return False
        for r in self.manifest.artifacts:
            same = planned.command in (r.command, r.fallback_from)
            if r.name == planned.name and r.part == planned.part and same:
                if r.status not in _DONE:
                    return False
                if r.file is None:
                    return True
                path = self.root / r.file
                return path.is_file() and sha256_file(path) == (r.size, r.sha256)
        return False

    # -- one shell session ---------------------------------------------------------------------

    def batch_limit(self) -> int:
        """Most bytes in one command line: our cap, and the ADB payload (4 KiB on old phones)."""
        limit = self.options.max_command_bytes
        payload = _max_payload(self.transport)
        if payload is not None:
            # OPEN carries "shell:" (or "shell,v2,raw:"), a transport's own exit-code echo, NUL.
            limit = min(limit, payload - 96)
        return limit

    def run_batch(self, phase: str, planned: list[_Planned]) -> None:
        """Run planned commands in as few shell sessions as the command-line limit allows."""
        todo = [p for p in planned if not self.already_done(p)]
        limit = self.batch_limit()
        groups: list[list[_Planned]] = []
        for p in todo:
            if groups and len(_batch_command("M" * 27, [*groups[-1], p])) <= limit:
                groups[-1].append(p)
            else:
                groups.append([p])
        for k, group in enumerate(groups):
            try:
                self._run_session(phase, group)
            except BaseException:
                rest = [p for g in groups[k + 1 :] for p in g]
                self._mark_rest(rest, set(), "not collected: the collection stopped before it")
                raise

    def _run_session(self, phase: str, todo: list[_Planned]) -> None:
        """Run planned commands in one shell session, saving each artifact as it ends."""
        marker = new_marker()
        items = _batch_items(todo)
        command = build_batch_command(marker, items)
        session = len(self.manifest.sessions) + 1
        running: dict[int, _ArtifactRun] = {}
        finished: set[int] = set()

        def begin(i: int) -> _ArtifactRun:
            running[i] = _ArtifactRun(self, todo[i], session)
            return running[i]

        def end(i: int, exit_code: int | None, complete: bool) -> None:
            why = None if complete else "the session's output ended before this command did"
            running[i].finish(exit_code, complete, why)
            finished.add(i)

        splitter = MarkerSplitter(marker, items, begin, end, self.progress.advance)
        cap_total = sum(self.cap(p.collector) for p in todo) + 4 * MiB
        record = SessionRecord(
            index=session,
            phase=phase,
            artifacts=[it.name for it in items],
            command_bytes=len(command.encode()),
        )
        t0 = time.monotonic()
        error: BaseException | None = None
        try:
            result = self.transport.shell_to_file(
                command,
                cast(BinaryIO, splitter),
                timeout=self.options.session_timeout,
                max_bytes=cap_total,
            )
            record.exit_code = result.exit_code
            record.stderr = result.stderr[:4096].decode("utf-8", "replace")
        except DeviceError as err:
            error = err
            record.error = f"{type(err).__name__}: {err.message}"
        except DiskFullError as err:
            error = err
            record.error = "disk full"
        finally:
            record.duration_s = round(time.monotonic() - t0, 4)
            self.manifest.sessions.append(record)
        if isinstance(error, DiskFullError):
            for i, art in running.items():
                if i not in finished and art.writer is not None:
                    art.writer.abandon()
            self._mark_rest(todo, set(running), "not collected: the disk is full")
            raise error
        if error is None:
            splitter.finish()
            if len(finished) < len(todo) or not splitter.ended_cleanly:
                # The shell stopped early (killed, or a phone that closes the stream itself).
                self._mark_rest(todo, set(running), "not collected: the session ended before it")
                self.faults.append(
                    (
                        self.stage,
                        DeviceProtocolError(
                            "The phone ended a shell session before all its commands ran."
                        ),
                    )
                )
            return
        timed_out = isinstance(error, DeviceTimeoutError)
        if timed_out:
            why = "the command timed out"
        elif isinstance(error, DisconnectedError):
            why = "the connection was lost during it"
        else:
            why = f"the session failed ({type(error).__name__})"
        # Settle the artifact in progress as failed (its partial output is kept).
        for i, art in running.items():
            if i not in finished:
                art.finish(None, False, why)
                finished.add(i)
        splitter.closed = True
        self._mark_rest(
            todo,
            set(running),
            "not collected: the session timed out" if timed_out else f"not collected: {why}",
        )
        if not timed_out:
            raise error
        assert isinstance(error, DeviceTimeoutError)
        self.faults.append((self.stage, error))

    def _mark_rest(self, todo: list[_Planned], started: set[int], reason: str) -> None:
        for i, p in enumerate(todo):
            if i in started:
                continue
            self.manifest.set_artifact(
                ArtifactRecord(
                    name=p.name,
                    artifact=p.collector.name,
                    user=p.user,
                    part=p.part,
                    command=p.command,
                    status=Status.NOT_COLLECTED,
                    reason=reason,
                )
            )
        with contextlib.suppress(DiskFullError, OSError):
            self.save()

    # -- the steps -----------------------------------------------------------------------------

    def mark_unreached(self) -> None:
        """After a stop: list every artifact and step never reached as not collected."""
        users = self.manifest.users or [0]
        names = {(a.name, a.part) for a in self.manifest.artifacts}
        unreached = [
            p
            for batch in BATCH_ORDER
            for p in self.plan(batch, users)
            if (p.name, p.part) not in names
        ]
        self._mark_rest(unreached, set(), "not collected: the collection stopped before it")
        why = "not reached: the collection stopped before it"
        if not self.manifest.hashing:
            self.manifest.hashing = {"status": Status.NOT_COLLECTED.value, "reason": why}
        if not self.manifest.pull:
            self.manifest.pull = {"status": Status.NOT_COLLECTED.value, "reason": why}

    def run_fallbacks(self, planned: list[_Planned]) -> None:
        """Re-run, with their simpler commands, the collectors whose first command failed."""
        retry: list[_Planned] = []
        for p in planned:
            record = self.manifest.artifact(p.name)
            fallback = p.collector.fallback_for(p.user)
            if (
                fallback is not None
                and record is not None
                and record.status in (Status.SKIPPED, Status.FAILED)
                and record.exit_code is not None  # it ran: not a lost link or a timeout
                and record.fallback_from is None
            ):
                retry.append(_Planned(p.collector, p.user, None, fallback, fallback_of=record))
        if retry:
            self.run_batch("collect", retry)

    def plan(self, batch: str, users: list[int]) -> list[_Planned]:
        out: list[_Planned] = []
        for c in self.options.collectors:
            if c.batch != batch:
                continue
            for user in users if c.per_user else [None]:
                out.append(_Planned(c, user, None, c.command_for(user)))
        return out

    def file_of(
        self, name: str, usable: tuple[Status, ...] = (Status.OK, Status.TRUNCATED)
    ) -> Path | None:
        record = self.manifest.artifact(name)
        if record is None or record.file is None or record.status not in usable:
            return None
        return self.root / record.file

    def identity(self) -> list[int]:
        self.stage = "reading the phone's identity"
        self.progress.stage("Reading the phone's identity")
        self.run_batch("collect", self.plan("identity", []))
        from stalkerscan.evidence.device import parse_device_time
        from stalkerscan.evidence.getprop import parse_getprop
        from stalkerscan.evidence.users import parse_pm_list_users

        props_file = self.file_of("getprop")
        if props_file is not None:
            props = parse_getprop(props_file.read_bytes())
            d = self.manifest.device
            d.manufacturer = props.manufacturer
            d.model = props.model
            d.android_release = props.android_release
            d.sdk = str(props.sdk) if props.sdk is not None else None
            d.security_patch = props.security_patch.isoformat() if props.security_patch else None
            d.fingerprint = props.fingerprint
            d.device_serial = props.props.get("ro.serialno")
        time_record = self.manifest.artifact("device_time")
        time_file = self.file_of("device_time")
        if time_record is not None and time_file is not None and time_record.started_at:
            host = datetime.fromisoformat(time_record.started_at)
            clock = parse_device_time(time_file.read_bytes(), host.timestamp())
            if clock.epoch_seconds is not None and clock.skew_seconds is not None:
                self.manifest.device_time = clock.epoch_seconds
                self.manifest.host_time_at_device_time = time_record.started_at
                self.manifest.clock_offset_s = round(clock.skew_seconds, 1)
        users_file = self.file_of("users")
        users: list[int] = []
        if users_file is not None:
            for uid in parse_pm_list_users(users_file.read_bytes()).ids():
                # Bounded: user ids go into commands (`--user N`); 64 users is far beyond real.
                if 0 <= uid <= 999_999 and uid not in users and len(users) < 64:
                    users.append(uid)
        if not users:
            users = [0]  # the owner always exists; `pm list users` failing must not stop us
        self.manifest.users = users
        self.save()
        return users

    def main(self, users: list[int]) -> None:
        self.stage = "reading packages, grants and settings"
        self.progress.stage("Reading packages, grants and settings")
        main = self.plan("main", users)
        self.run_batch("collect", main)
        self.run_fallbacks(main)
        self.stage = "reading package details (dumpsys package)"
        self.progress.stage("Reading package details (dumpsys package)")
        self.run_batch("collect", self.plan("package", users))

    def apps(self, users: list[int]) -> dict[str, App]:
        files = {u: f for u in users if (f := self.file_of(f"packages_u{u}")) is not None}
        apps = read_packages(files)
        details = self.file_of("dumpsys_package")
        if details is not None:
            read_dumpsys_package(details, apps)
        return apps

    def hashes(self, apps: dict[str, App]) -> dict[str, str]:
        """Hash every APK on /data with the phone's sha256sum; return path -> sha256."""
        from stalkerscan.evidence.device import parse_which_sha256sum

        self.stage = "hashing APKs on the phone"
        m = self.manifest
        targets = [
            HashTarget(app.package, path)
            for app in sorted(apps.values(), key=lambda a: a.package)
            if app.on_data
            for path in app.apk_paths()
        ]
        known = {h.remote_path: h.sha256 for h in m.apk_hashes if h.sha256}
        if not self.options.hashing:
            m.hashing = {"status": "skipped", "reason": "hashing turned off (--no-hash)"}
            self.save()
            return known
        which = m.artifact("sha256sum_path")
        which_file = self.file_of("sha256sum_path")
        has_tool = (
            which is not None
            and which.exit_code == 0
            and which_file is not None
            and parse_which_sha256sum(which_file.read_bytes()).present
        )
        if not has_tool:
            reason = (
                "sha256sum is not on this phone (toybox has it from Android 8)"
                if which is not None and which.status == Status.OK
                else "could not check for sha256sum on this phone"
            )
            if self.options.deep:
                reason += "; --deep pulls the APKs and hashes them on this computer"
            m.hashing = {"status": "skipped", "reason": reason}
            m.apk_hashes = [
                ApkHash(
                    package=t.package,
                    remote_path=t.remote_path,
                    status=Status.SKIPPED,
                    reason=reason,
                )
                for t in targets
            ]
            self.save()
            return known
        self.progress.stage(f"Hashing {len(targets)} APKs on the phone")
        safe, unsafe = split_safe(targets)
        todo = [t for t in safe if t.remote_path not in known]
        limit = command_limit(self.batch_limit())
        chunks = chunk_commands(todo, limit)
        in_chunk = {t.remote_path for _, members in chunks for t in members}
        first_part = 1 + max(
            (a.part or 0 for a in m.artifacts if a.name == "apk_hashes"), default=0
        )
        found: dict[str, str] = dict(known)
        error: DeviceError | None = None
        for k, (command, members) in enumerate(chunks, start=first_part):
            try:
                self.run_batch("hash", [_Planned(HASH_COLLECTOR, None, k, command)])
            except DeviceError as err:
                error = err
                break
            record = next((a for a in m.artifacts if a.name == "apk_hashes" and a.part == k), None)
            if record is not None and record.file is not None and record.status in _DONE:
                asked = {t.remote_path for t in members}
                found.update(parse_hash_output(self.root / record.file, asked))
        unsafe_paths = {t.remote_path for t in unsafe}
        lost = "not hashed: the connection was lost"
        hashes: list[ApkHash] = []
        for t in targets:
            entry = ApkHash(package=t.package, remote_path=t.remote_path)
            if t.remote_path in unsafe_paths:
                entry.status = Status.SKIPPED
                entry.reason = "unsafe path reported by the phone; never sent"
            elif t.remote_path in found:
                entry.sha256 = found[t.remote_path]
            elif t.remote_path not in in_chunk:
                entry.status, entry.reason = Status.SKIPPED, "path longer than the command limit"
            elif error is not None:
                entry.status, entry.reason = Status.NOT_COLLECTED, lost
            else:
                entry.status = Status.FAILED
                entry.reason = "no hash in sha256sum's output (unreadable, or the session failed)"
            hashes.append(entry)
        m.apk_hashes = hashes
        m.hashing = {
            "status": "ok" if error is None else "failed",
            "tool": "sha256sum (on the phone)",
            "hashed": sum(1 for h in hashes if h.sha256),
            "targets": len(targets),
            "command_limit_bytes": limit,
        }
        if error is not None:
            m.hashing["reason"] = "the connection was lost while hashing"
        self.save()
        if error is not None:
            raise error
        return found

    def grants(self, users: list[int]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}

        def add(found: dict[str, set[str]]) -> None:
            for pkg, labels in found.items():
                out.setdefault(pkg, set()).update(labels)

        for u in users:
            f = self.file_of(f"settings_secure_u{u}")
            if f is not None:
                add(sensitive_grants_from_settings(f))
        f = self.file_of("device_policy")
        if f is not None:
            add({pkg: {"device admin"} for pkg in device_admins(f)})
        f = self.file_of("appops")
        if f is not None:
            sdk = self.manifest.device.sdk
            add(sensitive_appops(f, sdk=int(sdk) if sdk and sdk.isdigit() else None))
        return out

    def launcher(self, users: list[int]) -> set[str] | None:
        found: set[str] = set()
        for u in users:
            f = self.file_of(f"launcher_u{u}")
            if f is None:
                return None  # unknown for a user: "hidden" cannot be judged
            found |= launcher_packages(f)
        return found

    def pull(self, apps: dict[str, App], hashes: dict[str, str], users: list[int]) -> None:
        """Pull the selected APKs over sync, within the size budget, verifying each."""
        self.stage = "pulling selected APKs"
        m = self.manifest
        if not self.options.pull:
            m.pull = {"status": "skipped", "reason": "pulling turned off (--no-pull)"}
            self.save()
            return
        candidates = select_apps(
            apps,
            hashes=hashes,
            grants=self.grants(users),
            launcher=self.launcher(users),
            indicators=self.options.indicators,
            deep=self.options.deep,
        )
        already = {
            p.remote_path: p for p in m.pulled_apks if p.status in (Status.OK, Status.TRUNCATED)
        }
        budget = self.options.max_pull_bytes - sum(p.size for p in already.values())
        entries: list[PulledApk] = [p for p in m.pulled_apks if p.remote_path in already]
        index = 1 + max((p.index for p in m.pulled_apks), default=0)
        queue: list[PulledApk] = []
        for cand in candidates:
            for path in cand.app.apk_paths():
                if path in already:
                    continue
                queue.append(
                    PulledApk(
                        index=index,
                        package=cand.app.package,
                        remote_path=path,
                        reasons=cand.reasons,
                        phone_sha256=hashes.get(path),
                    )
                )
                index += 1
        entries.extend(queue)
        m.pulled_apks = entries
        m.pull = {
            "status": "running",
            "selected_apps": len(candidates),
            "selected_files": len(queue) + len(already),
            "max_pull_bytes": self.options.max_pull_bytes,
        }
        self.save()
        self.progress.stage(f"Pulling {len(queue)} selected APKs")
        for entry in queue:
            try:
                budget -= self._pull_one(entry, budget)
            except DeviceError as err:
                lost = isinstance(err, DisconnectedError)
                why = "the connection was lost" if lost else "the phone stopped the transfer"
                for rest in queue:
                    if rest.status == Status.NOT_COLLECTED and rest.note is None:
                        rest.note = f"not pulled: {why}"
                m.pull["status"] = "failed"
                m.pull["reason"] = f"{why} while pulling"
                self.save()
                raise
            self._host_hash(entry)
            self.save_soon()
        m.pull["status"] = "ok"
        m.pull["pulled_bytes"] = sum(p.size for p in m.pulled_apks if p.file)
        self.save()

    def _host_hash(self, entry: PulledApk) -> None:
        """Where the phone could not hash an APK, use the hash of the whole pulled file."""
        if entry.status != Status.OK or entry.sha256 is None:
            return
        for h in self.manifest.apk_hashes:
            if h.remote_path == entry.remote_path and h.sha256 is None:
                h.sha256 = entry.sha256
                h.status = Status.OK
                h.reason = "hashed on this computer after pulling (not by the phone)"

    def _pull_one(self, entry: PulledApk, budget: int) -> int:
        """Pull one APK; return the bytes it used from the budget."""
        if not is_safe_remote_path(entry.remote_path):
            entry.status, entry.note = (
                Status.SKIPPED,
                "unsafe path reported by the phone; never sent",
            )
            return 0
        try:
            st = self.transport.stat(entry.remote_path, timeout=self.options.pull_timeout)
        except DeviceTimeoutError as err:
            entry.status, entry.note = Status.FAILED, "the phone did not answer in time (stat)"
            self.faults.append((self.stage, err))
            return 0
        if st is None:
            entry.status, entry.note = Status.SKIPPED, "the file cannot be read on the phone"
            return 0
        if st.size > budget:
            entry.status = Status.SKIPPED
            entry.note = f"over the pull size limit ({st.size} bytes; {max(budget, 0)} left)"
            return 0
        rel = f"apks/{entry.index:04d}.apk"
        writer = self.store.open_writer(rel, max_bytes=st.size)
        try:
            self.transport.pull(
                entry.remote_path,
                cast(BinaryIO, _Counting(writer, self.progress.advance)),
                timeout=self.options.pull_timeout,
                max_bytes=st.size + 1,
            )
        except DisconnectedError:
            writer.abandon()
            entry.status, entry.note = Status.FAILED, "the connection was lost during the pull"
            raise
        except DeviceProtocolError as err:
            # A hostile or broken phone (e.g. more bytes than announced): nothing is kept.
            writer.abandon()
            entry.status = Status.FAILED
            entry.note = f"the phone broke the sync protocol; nothing kept ({err.message[:200]})"
            return 0
        except RemoteFileError as err:
            writer.abandon()
            entry.status, entry.note = Status.FAILED, f"could not read it: {err.message[:200]}"
            return 0
        except DeviceTimeoutError as err:
            writer.abandon()
            entry.status, entry.note = Status.FAILED, "the pull timed out"
            self.faults.append((self.stage, err))
            return 0
        except BaseException:
            writer.abandon()
            raise
        writer.finish()
        entry.file, entry.size, entry.sha256 = rel, writer.size, writer.sha256
        entry.status = Status.TRUNCATED if writer.truncated else Status.OK
        notes: list[str] = []
        if writer.truncated:
            notes.append("the phone sent more bytes than the file's size; cut at that size")
        elif writer.size != st.size:
            notes.append(f"got {writer.size} bytes, the phone announced {st.size}")
        if entry.phone_sha256 is None:
            notes.append("no on-phone hash to compare with")
        elif entry.phone_sha256 == writer.sha256:
            entry.verified = True
        else:
            notes.append("MISMATCH: the pulled file's sha256 differs from the phone's sha256sum")
        entry.note = "; ".join(notes) or None
        return writer.size


class _Counting:
    """A sink that forwards to a writer and reports the byte count."""

    def __init__(self, writer: HashingWriter, on_bytes: Callable[[int], None]) -> None:
        self.writer = writer
        self.on_bytes = on_bytes

    def write(self, data: bytes) -> int:
        self.on_bytes(len(data))
        return self.writer.write(bytes(data))

    def flush(self) -> None:
        """Nothing buffered here."""


def _batch_items(todo: list[_Planned]) -> list[BatchItem]:
    return [BatchItem(p.name if p.part is None else f"{p.name}_{p.part}", p.command) for p in todo]


def _batch_command(marker: str, todo: list[_Planned]) -> bytes:
    return build_batch_command(marker, _batch_items(todo)).encode("utf-8")


def _max_payload(transport: Transport) -> int | None:
    """The negotiated ADB max payload, when the transport tells it (the adb server does not)."""
    value = transport.max_payload
    return value if value is not None and value > 0 else None


def collect(
    transport: Transport, out_dir: Path | str, options: CollectOptions | None = None
) -> AcquisitionResult:
    """Collect everything from the phone into `out_dir`; see the module docstring."""
    options = options or CollectOptions()
    run = _Run(transport, Path(out_dir), options)
    run.open()
    error: StalkerscanError | None = None
    try:
        users = run.identity()
        run.main(users)
        apps = run.apps(users)
        run.stage = "hashing APKs on the phone"
        hashes = run.hashes(apps)
        run.pull(apps, hashes, users)
        options.progress.stage("Done")
    except (DeviceError, DiskFullError) as err:
        error = err
    except KeyboardInterrupt:
        # Ctrl-C or SIGTERM (the CLI turns it into KeyboardInterrupt): say so, then stop.
        run.manifest.stopped = {"stage": run.stage, "reason": "interrupted (Ctrl-C or SIGTERM)"}
        with contextlib.suppress(Exception):
            run.mark_unreached()
        raise
    finally:
        options.progress.close()
    m = run.manifest
    stage = run.stage
    if error is None and run.faults:
        stage, error = run.faults[0]
    if error is not None:
        m.stopped = {"stage": stage, "reason": error.message}
        run.mark_unreached()
        with contextlib.suppress(DiskFullError, OSError):
            run.save()
        anything = any(a.status in _DONE or a.file is not None for a in m.artifacts)
        if isinstance(error, DeviceError) and not anything:
            if not options.resume:
                run.discard_empty()
                if isinstance(error, DisconnectedError):
                    # The transport's hint says partial output was kept; here nothing was.
                    error.hint = (
                        "Nothing was read from the phone, so no acquisition was kept. Check the "
                        "cable and keep the phone unlocked, then run the same command again."
                    )
            raise error
        return AcquisitionResult(path=run.root, manifest=m, error=error)
    m.complete = True
    m.finished_at = options.clock().isoformat()
    run.save()
    return AcquisitionResult(path=run.root, manifest=m)


__all__ = ["AcquisitionResult", "CollectOptions", "collect"]
