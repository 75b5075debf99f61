"""The feed store: installed feed versions side by side, one active, switched atomically.

Layout (folders 0700, files 0600):

    <indicators dir>/
      state.json                 {"active": VERSION, "history": [older active versions]}
      versions/<VERSION>/        ioc.yaml watchware.yaml samples.csv [rules.yar] manifest.json
      cache/index-<key>.json     compiled indexes (see index.py), safe to delete
      local/                     the organisation's own indicators (optional)
      .tmp/                      staging; anything left here after a crash is ignored
      .lock                      serialises updates

A new version is written in `.tmp/`, fsynced, renamed into `versions/`, and only then made active
by replacing `state.json` atomically: a crash at any point leaves the old version active.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stalkerscan.errors import FeedError
from stalkerscan.fsutil import atomic_write, fsync_dir, make_private_dir, write_new
from stalkerscan.indicators import paths
from stalkerscan.indicators.index import FeedSource
from stalkerscan.indicators.layout import RULES_FILE

STORE_FORMAT = 1
MANIFEST = "manifest.json"
MAX_PROBLEMS_KEPT = 500
_VERSION_RE = re.compile(r"[0-9]{8}T[0-9]{6}Z-[0-9a-f]{10}")


@dataclass(frozen=True)
class VersionInfo:
    """One installed feed version, as its manifest describes it."""

    id: str
    path: Path
    feed_id: str
    source: str
    ref: str | None
    commit: str | None
    downloaded_at: str
    files: dict[str, dict[str, Any]]  # name -> {"sha256": ..., "size": ...}
    counts: dict[str, int]
    problems: list[dict[str, str]] = field(default_factory=list)
    problem_count: int = 0
    installed_at: str = ""  # with microseconds: orders versions downloaded in the same second

    @property
    def has_rules(self) -> bool:
        """True when this version came with the feed's rules.yar."""
        return RULES_FILE in self.files

    @property
    def rules_path(self) -> Path | None:
        """The feed's rules.yar (text, not compiled here), or None when upstream had none."""
        return self.path / RULES_FILE if self.has_rules else None

    @property
    def age_days(self) -> float:
        """Days since this version was downloaded."""
        when = datetime.fromisoformat(self.downloaded_at)
        return (datetime.now(UTC) - when).total_seconds() / 86400

    def feed_source(self) -> FeedSource:
        """This version as a loadable feed (files checked against their recorded sha256)."""
        return FeedSource(
            feed_id=self.feed_id,
            kind="echap",
            path=self.path,
            version=self.id,
            source=self.source,
            commit=self.commit,
            downloaded_at=self.downloaded_at,
            files={n: str(f["sha256"]) for n, f in self.files.items() if n != RULES_FILE},
            rules_path=self.rules_path,
        )


def content_digest(files: Mapping[str, bytes]) -> str:
    """One sha256 over every file name and content (identifies identical feed versions)."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).hexdigest().encode() + b"\0")
    return h.hexdigest()


class FeedStore:
    """Installed feed versions under one folder (see the module docstring for the layout)."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = paths.indicators_dir(root)
        self.versions_dir = self.root / "versions"
        self.cache_dir = self.root / "cache"
        self.tmp_dir = self.root / ".tmp"
        self.state_file = self.root / "state.json"

    # --- reading ---------------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"active": None, "history": []}
        except (OSError, ValueError) as err:
            raise FeedError(
                f"The feed store state {self.state_file} is unreadable ({err}).",
                "Restore it, or remove it and run `stalkerscan indicators update`.",
            ) from err
        if not isinstance(state, dict):
            raise FeedError(f"The feed store state {self.state_file} is malformed.")
        state.setdefault("history", [])
        return state

    def active_id(self) -> str | None:
        """The active version id, or None when nothing is installed."""
        active = self._state().get("active")
        return active if isinstance(active, str) else None

    def history(self) -> list[str]:
        """Versions that were active before the current one, most recent last."""
        return [v for v in self._state().get("history", []) if isinstance(v, str)]

    def last_checked(self, version_id: str) -> datetime:
        """When this version was last confirmed current upstream (else its download time)."""
        checked = self._state().get("checked", {})
        info = self.get(version_id)
        when = datetime.fromisoformat(info.downloaded_at)
        if isinstance(checked, dict) and isinstance(checked.get(version_id), str):
            with contextlib.suppress(ValueError):
                when = max(when, datetime.fromisoformat(checked[version_id]))
        return when

    def mark_checked(self, version_id: str) -> None:
        """Record that an update found this version still current (resets its age)."""
        state = self._state()
        old = state.get("checked")
        checked: dict[str, str] = {}
        if isinstance(old, dict):
            checked = {k: v for k, v in old.items() if (self.versions_dir / k).is_dir()}
        checked[version_id] = datetime.now(UTC).isoformat(timespec="seconds")
        state["checked"] = checked
        make_private_dir(self.root, strict=False)
        atomic_write(self.state_file, json.dumps(state, indent=1).encode())

    def get(self, version_id: str) -> VersionInfo:
        """One installed version; FeedError when there is no such version."""
        if not _VERSION_RE.fullmatch(version_id):
            raise FeedError(
                f"{version_id!r} is not a feed version id.", "See `stalkerscan indicators list`."
            )
        path = self.versions_dir / version_id
        try:
            doc = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError as err:
            raise FeedError(
                f"No installed feed version {version_id}.", "See `stalkerscan indicators list`."
            ) from err
        except (OSError, ValueError) as err:
            raise FeedError(f"The manifest of feed version {version_id} is unreadable.") from err
        return VersionInfo(
            id=version_id,
            path=path,
            feed_id=doc.get("feed_id", "echap"),
            source=doc["source"],
            ref=doc.get("ref"),
            commit=doc.get("commit"),
            downloaded_at=doc["downloaded_at"],
            files=doc["files"],
            counts=doc.get("counts", {}),
            problems=doc.get("problems", []),
            problem_count=int(doc.get("problem_count", 0)),
            installed_at=str(doc.get("installed_at", "")),
        )

    def active(self) -> VersionInfo | None:
        """The active version, or None when no feed is installed."""
        active = self.active_id()
        return self.get(active) if active else None

    def list_versions(self) -> list[VersionInfo]:
        """Every installed version, oldest first (by download, then installation time)."""
        if not self.versions_dir.is_dir():
            return []
        out = []
        for entry in sorted(self.versions_dir.iterdir()):
            if _VERSION_RE.fullmatch(entry.name) and (entry / MANIFEST).is_file():
                with contextlib.suppress(FeedError, KeyError):
                    out.append(self.get(entry.name))
        return sorted(out, key=lambda v: (v.downloaded_at, v.installed_at, v.id))

    def read_files(self, info: VersionInfo) -> dict[str, bytes]:
        """The files of a version, checked against the sha256 recorded at install time."""
        out: dict[str, bytes] = {}
        for name, meta in info.files.items():
            data = (info.path / name).read_bytes()
            if hashlib.sha256(data).hexdigest() != meta["sha256"]:
                raise FeedError(
                    f"Feed version {info.id}: {name} changed on disk since it was "
                    "installed (sha256 mismatch)."
                )
            out[name] = data
        return out

    # --- writing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's lock (one update or rollback at a time)."""
        make_private_dir(self.root, strict=False)
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX)
            except ImportError:  # Windows: no flock; a second concurrent update is unlikely
                pass
            yield
        finally:
            os.close(fd)

    def install(
        self,
        files: Mapping[str, bytes],
        *,
        source: str,
        ref: str | None,
        commit: str | None,
        counts: Mapping[str, int],
        problems: list[dict[str, str]],
        feed_id: str = "echap",
        downloaded_at: datetime | None = None,
    ) -> VersionInfo:
        """Write a new version (not yet active) crash-safely; an identical one is reused."""
        digest = content_digest(files)
        for existing in self.list_versions():
            if existing.files and _same_files(existing, files):
                return existing
        when = (downloaded_at or datetime.now(UTC)).astimezone(UTC)
        version_id = f"{when:%Y%m%dT%H%M%SZ}-{digest[:10]}"
        manifest = {
            "format": STORE_FORMAT,
            "id": version_id,
            "feed_id": feed_id,
            "source": source,
            "ref": ref,
            "commit": commit,
            "downloaded_at": when.isoformat(timespec="seconds"),
            "installed_at": datetime.now(UTC).isoformat(timespec="microseconds"),
            "files": {
                name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                for name, data in sorted(files.items())
            },
            "counts": dict(counts),
            "problem_count": len(problems),
            "problems": problems[:MAX_PROBLEMS_KEPT],
        }
        make_private_dir(self.versions_dir, strict=False)
        make_private_dir(self.tmp_dir, strict=False)
        staging = self.tmp_dir / f"{version_id}.{secrets.token_hex(4)}"
        make_private_dir(staging, strict=False)
        try:
            for name, data in files.items():
                if "/" in name or "\\" in name or name.startswith("."):
                    raise FeedError(f"Refusing to store a feed file named {name!r}.")
                self._write_file(staging / name, data)
            self._write_file(staging / MANIFEST, json.dumps(manifest, indent=1).encode())
            fsync_dir(staging)
            os.rename(staging, self.versions_dir / version_id)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        fsync_dir(self.versions_dir)
        return self.get(version_id)

    def _write_file(self, path: Path, data: bytes) -> None:
        """Write one staged file (a test fake overrides this to fail half-way)."""
        write_new(path, data)

    def activate(self, version_id: str, *, remember_previous: bool = True) -> VersionInfo:
        """Make a version active (atomic replace of state.json)."""
        info = self.get(version_id)
        state = self._state()
        previous = state.get("active")
        history = [v for v in state.get("history", []) if isinstance(v, str)]
        if remember_previous and isinstance(previous, str) and previous != version_id:
            history.append(previous)
        new_state = {
            **state,
            "format": STORE_FORMAT,
            "active": version_id,
            "history": history[-50:],
        }
        make_private_dir(self.root, strict=False)
        atomic_write(self.state_file, json.dumps(new_state, indent=1).encode())
        return info

    def rollback(self, to: str | None = None) -> tuple[VersionInfo | None, VersionInfo]:
        """Go back to the previously active version (or `to`); returns (was, now)."""
        with self.locked():
            state = self._state()
            current = state.get("active")
            was = self.get(current) if isinstance(current, str) else None
            history = [v for v in state.get("history", []) if isinstance(v, str)]
            target: str | None
            if to is not None:
                target = self.get(to).id
            else:
                target = None
                while history:
                    candidate = history.pop()
                    if candidate != current and (self.versions_dir / candidate).is_dir():
                        target = candidate
                        break
                if target is None:
                    raise FeedError(
                        "There is no earlier feed version to go back to.",
                        "See `stalkerscan indicators list`.",
                    )
            new_state = {**state, "format": STORE_FORMAT, "active": target, "history": history}
            atomic_write(self.state_file, json.dumps(new_state, indent=1).encode())
            return was, self.get(str(target))

    def clean_staging(self) -> None:
        """Remove what an interrupted update left in `.tmp/` (never touches installed versions)."""
        if self.tmp_dir.is_dir():
            for entry in self.tmp_dir.iterdir():
                shutil.rmtree(entry, ignore_errors=True)


def _same_files(info: VersionInfo, files: Mapping[str, bytes]) -> bool:
    if set(info.files) != set(files):
        return False
    return all(
        info.files[n]["sha256"] == hashlib.sha256(data).hexdigest() for n, data in files.items()
    )
