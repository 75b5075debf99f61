"""Device profiles of the simulated phone: load, validate, and serve content.

A profile is a folder with a `profile.yaml` (format: `docs/profile-format.md`) or a dict built
in memory (`Profile.from_dict`). Loading validates everything up front, so a malformed profile
fails with one `ProfileError` naming the file and the key, never later in the middle of a scan.

Public API:
    Profile.load(path) -> Profile             # a folder or its profile.yaml
    Profile.from_dict(data, base_dir=None, source="<memory>") -> Profile
    profile.with_changes(link={...}, faults={...}, auth={...}) -> Profile   # a validated copy
    profile.lookup_command(words) -> CommandOutput | None
    profile.files[path] -> RemoteFile ; profile.stat(path) ; profile.listdir(path)
    Content.chunks() / .size / .digest("sha256")   # streamed; generated content is never held whole
"""

from __future__ import annotations

import hashlib
import random
import re
import shlex
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from stalkerscan.errors import ProfileError

SCHEMA_VERSION = 1
CHUNK = 64 * 1024
MAX_GENERATED = 1 << 40  # 1 TiB: a typo guard, not a resource limit (content is streamed)

# Features the simulated adbd implements; advertising others would oblige us to speak them
# (stat_v2/ls_v2/sendrecv_v2 need STA2/LST2/RCV2, delayed_ack changes flow control).
SUPPORTED_FEATURES = frozenset(
    {"shell_v2", "cmd", "fixed_push_mkdir", "apex", "abb", "push_sync", "track_app",
     "fixed_push_symlink_timestamp", "remount_shell"}
)  # fmt: skip
UNSUPPORTED_FEATURES = frozenset(
    {"stat_v2", "ls_v2", "sendrecv_v2", "sendrecv_v2_brotli", "sendrecv_v2_lz4",
     "sendrecv_v2_zstd", "sendrecv_v2_dry_run_send", "delayed_ack", "abb_exec", "openscreen_mdns"}
)  # fmt: skip

# Programs `which` finds when the profile does not list its own (a non-rooted Android 14 phone).
DEFAULT_BINARIES = (
    "sh", "toybox", "ls", "cat", "echo", "grep", "find", "ps", "id", "date", "uname", "which",
    "getprop", "setprop", "getenforce", "sha256sum", "sha1sum", "sha512sum", "md5sum", "pm", "am",
    "cmd", "dumpsys", "settings", "ime", "logcat", "bu", "app_process", "wm", "content", "service",
)  # fmt: skip

S_IFREG = 0o100000
S_IFDIR = 0o040000
DEFAULT_FILE_MODE = S_IFREG | 0o644
DEFAULT_DIR_MODE = S_IFDIR | 0o755
DEFAULT_MTIME = 1_700_000_000  # fixed so that profiles are reproducible

# --- the YAML schema (pydantic, strict, no unknown keys) -------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class GenerateSpec(_Model):
    """Deterministic pseudo-random content: `size` bytes from `seed`."""

    size: int = Field(ge=0, le=MAX_GENERATED)
    seed: int = 0
    text: bool = False  # printable: lowercase letters, digits, spaces and newlines


class FileSpec(_Model):
    """One file `sync` and the hash commands serve: exactly one of source, generate, text."""

    source: str | None = None
    generate: GenerateSpec | None = None
    text: str | bytes | None = None
    mode: int | None = Field(default=None, ge=0, le=0o177777)
    mtime: int = Field(default=DEFAULT_MTIME, ge=0, le=0xFFFFFFFF)
    readable: bool = True

    @model_validator(mode="after")
    def _one_content(self) -> FileSpec:
        given = [k for k in ("source", "generate", "text") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("needs exactly one of source, generate, text")
        return self


class CommandSpec(_Model):
    """The answer to one exact command line."""

    stdout: str | None = None  # a file in the profile folder
    text: str | bytes | None = None  # inline stdout
    generate: GenerateSpec | None = None  # generated stdout
    stderr: str | bytes = ""
    stderr_file: str | None = None
    exit: int = Field(default=0, ge=0, le=255)
    run_ms: float = Field(default=0.0, ge=0, le=600_000)  # extra device-side run time

    @model_validator(mode="after")
    def _one_stdout(self) -> CommandSpec:
        given = [k for k in ("stdout", "text", "generate") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError("give at most one of stdout, text, generate")
        if self.stderr and self.stderr_file:
            raise ValueError("give at most one of stderr, stderr_file")
        return self


class BannerSpec(_Model):
    """The CNXN banner; product name/model/device come from `properties`."""

    features: list[str] = Field(default_factory=lambda: ["shell_v2", "cmd"])

    @field_validator("features")
    @classmethod
    def _known_features(cls, v: list[str]) -> list[str]:
        for f in v:
            if f in UNSUPPORTED_FEATURES:
                raise ValueError(f"feature {f!r} is not implemented by the simulated phone")
            if not re.fullmatch(r"[a-z0-9_]+", f):
                raise ValueError(f"feature {f!r} is not a feature name")
        return v


class AuthSpec(_Model):
    """RSA authentication of the host, as the phone's "Allow USB debugging?" prompt."""

    required: bool = False
    accept_new_keys: bool = True
    known_keys: list[str] = Field(default_factory=list)  # adbkey.pub lines

    @field_validator("known_keys")
    @classmethod
    def _keys(cls, v: list[str]) -> list[str]:
        from stalkerscan.simulator.adbkey import KeyFormatError, parse_public_key

        for i, line in enumerate(v):
            try:
                parse_public_key(line)
            except KeyFormatError as err:
                raise ValueError(f"key {i + 1} is not an adbkey.pub line: {err}") from None
        return v


class LinkSpec(_Model):
    """The latency model; every knob defaults to 0 (no latency, no sleeps)."""

    stream_open_ms: float = Field(default=0.0, ge=0, le=60_000)
    write_ms: float = Field(default=0.0, ge=0, le=60_000)
    shell_run_ms: float = Field(default=0.0, ge=0, le=600_000)
    bulk_mb_s: float = Field(default=0.0, ge=0)  # 0 = unlimited; MB = 10**6 bytes
    hash_mb_s: float = Field(default=0.0, ge=0)  # 0 = free
    max_payload: int = Field(default=1024 * 1024, ge=256, le=1024 * 1024)


# The standard phone of the benchmarks (issue 10): a phone on USB 2.0 whose shell and `pm`/
# `dumpsys` start-up cost 20 ms a session; hashing at 150 MB/s (flash read + toybox sha256).
STANDARD_LINK: dict[str, float] = {
    "stream_open_ms": 1.0,
    "write_ms": 0.5,
    "shell_run_ms": 20.0,
    "bulk_mb_s": 35.0,
    "hash_mb_s": 150.0,
}


class FaultsSpec(_Model):
    """Test knobs that make the phone misbehave, deterministically (docs/profile-format.md)."""

    refuse_auth: bool = False
    drop_after_commands: int | None = Field(default=None, ge=0)
    drop_on_command: str | None = None
    drop_in_sync_after_bytes: int | None = Field(default=None, ge=0)
    drop_in_shell_after_bytes: int | None = Field(default=None, ge=0)
    hang_on_command: str | None = None
    never_answer_cnxn: bool = False
    slow_bytes_per_s: float | None = Field(default=None, gt=0)
    sync_extra_bytes: int | None = Field(default=None, ge=0)
    close_refused_services: bool = True
    sync_list_extra_names: list[str] = Field(default_factory=list)  # hostile DENT names

    @field_validator("sync_list_extra_names")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        for name in v:
            if not name or "\x00" in name or len(name.encode()) > 1024:
                raise ValueError(f"name {name!r} must be 1-1024 bytes without NUL")
        return v

    @field_validator("drop_on_command", "hang_on_command")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as err:
                raise ValueError(f"not a regular expression: {err}") from err
        return v


def _scalar_to_str(v: object) -> object:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    return v


class ProfileSpec(_Model):
    """The whole `profile.yaml`."""

    schema_version: int = Field(alias="schema")
    name: str
    description: str = ""
    serial: str = "SIMULATED"
    banner: BannerSpec = Field(default_factory=BannerSpec)
    properties: dict[str, str] = Field(default_factory=dict)
    binaries: list[str] | None = None
    auth: AuthSpec = Field(default_factory=AuthSpec)
    link: LinkSpec = Field(default_factory=LinkSpec)
    commands: dict[str, CommandSpec] = Field(default_factory=dict)
    files: dict[str, FileSpec] = Field(default_factory=dict)
    faults: FaultsSpec = Field(default_factory=FaultsSpec)

    @field_validator("schema_version")
    @classmethod
    def _schema(cls, v: int) -> int:
        if v != SCHEMA_VERSION:
            raise ValueError(f"unsupported schema {v} (this version reads schema {SCHEMA_VERSION})")
        return v

    @field_validator("properties", mode="before")
    @classmethod
    def _props(cls, v: object) -> object:
        if isinstance(v, Mapping):
            return {k: _scalar_to_str(x) for k, x in v.items()}
        return v

    @field_validator("commands", mode="before")
    @classmethod
    def _short_form(cls, v: object) -> object:
        # `"getprop": outputs/getprop.txt` is short for {stdout: outputs/getprop.txt}.
        if isinstance(v, Mapping):
            return {k: ({"stdout": x} if isinstance(x, str) else x) for k, x in v.items()}
        return v

    @field_validator("commands")
    @classmethod
    def _command_keys(cls, v: dict[str, CommandSpec]) -> dict[str, CommandSpec]:
        for k in v:
            if not k.strip() or "\n" in k or "\x00" in k:
                raise ValueError(f"command {k!r} is empty or has a line break")
        return v

    @field_validator("files")
    @classmethod
    def _file_paths(cls, v: dict[str, FileSpec]) -> dict[str, FileSpec]:
        for k in v:
            # Hostile profiles may use odd names on purpose; only the sync protocol's own
            # limits apply: absolute, no NUL, at most 1024 bytes.
            if not k.startswith("/") or "\x00" in k or len(k.encode()) > 1024 or k == "/":
                raise ValueError(f"file path {k!r} must be absolute, without NUL, <= 1024 bytes")
        return v

    @field_validator("binaries")
    @classmethod
    def _binaries(cls, v: list[str] | None) -> list[str] | None:
        for b in v or []:
            if not re.fullmatch(r"(/[A-Za-z0-9_.+-]+)+|[A-Za-z0-9_.+-]+", b):
                raise ValueError(f"binary {b!r} must be a name or an absolute path")
        return v


_FRIENDLY = {
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "dict_type": "must be a mapping (key: value)",
    "list_type": "must be a list",
    "extra_forbidden": "unknown key",
    "missing": "required key is missing",
    "model_type": "must be a mapping (key: value)",
    "model_attributes_type": "must be a mapping (key: value)",
}


_KEYED_SECTIONS = ("commands", "files", "properties")


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif previous in _KEYED_SECTIONS and len(out.split(".")) == 1:
            out += f"[{part!r}]"  # a command line, a phone path or a property name
        elif part == "schema_version":
            out += ("." if out else "") + "schema"
        elif re.fullmatch(r"[A-Za-z0-9_]+", part):
            out += ("." if out else "") + part
        else:
            out += f"[{part!r}]"
        previous = part
    return out or "(top level)"


def _validation_message(source: str, err: ValidationError) -> str:
    parts = []
    for e in err.errors()[:5]:
        msg = _FRIENDLY.get(e["type"]) or str(e["msg"])
        msg = msg.removeprefix("Value error, ").replace("Input should be", "must be")
        parts.append(f"{_format_loc(tuple(e['loc']))}: {msg}")
    more = len(err.errors()) - 5
    tail = f" (and {more} more)" if more > 0 else ""
    return f"{source}: " + "; ".join(parts) + tail


# --- content: what a command prints or a file holds, streamed --------------------------------


class Content(ABC):
    """Bytes a profile serves, produced in chunks; digests are computed once and cached."""

    size: int

    def __init__(self) -> None:
        self._digests: dict[str, str] = {}
        self._lock = threading.Lock()

    @abstractmethod
    def chunks(self) -> Iterator[bytes]:
        """The content in chunks of at most 64 KiB."""

    def read_all(self) -> bytes:
        """The whole content (only for small content: tests, getprop)."""
        return b"".join(self.chunks())

    def digest(self, algorithm: str) -> str:
        """Hex digest (`sha256`, `md5`, ...), computed by streaming and cached."""
        with self._lock:
            if algorithm not in self._digests:
                h = hashlib.new(algorithm)
                for chunk in self.chunks():
                    h.update(chunk)
                self._digests[algorithm] = h.hexdigest()
            return self._digests[algorithm]


class BytesContent(Content):
    """Content held in memory (inline text)."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.data = data
        self.size = len(data)

    def chunks(self) -> Iterator[bytes]:
        """See Content."""
        for i in range(0, len(self.data), CHUNK):
            yield self.data[i : i + CHUNK]


class FileContent(Content):
    """A file in the profile folder, read as it is served."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.size = path.stat().st_size

    def chunks(self) -> Iterator[bytes]:
        """See Content."""
        with self.path.open("rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk


_PRINTABLE = bytes(b"abcdefghijklmnopqrstuvwxyz0123456789    \n"[i % 41] for i in range(256))


class GeneratedContent(Content):
    """`size` pseudo-random bytes from `seed`, generated on the fly (never held whole).

    A 256 KiB pool is drawn from `random.Random(seed)`; 64 KiB chunk `i` is the pool window
    starting at `i * 69635 mod 256 KiB` (an odd step: the pattern repeats only after 16 GiB).
    About 30x cheaper than drawing every byte, which matters for 1.5 GB of simulated APKs; the
    bytes depend only on (size, seed, text), so digests are stable across runs and versions.
    """

    POOL = 256 * 1024
    STEP = CHUNK + 4099

    def __init__(self, size: int, seed: int, text: bool = False) -> None:
        super().__init__()
        self.size = size
        self.seed = seed
        self.text = text

    def chunks(self) -> Iterator[bytes]:
        """See Content."""
        if self.size == 0:
            return
        rng = random.Random(self.seed)  # noqa: S311 - filler bytes, not secrets
        pool = rng.randbytes(self.POOL)
        if self.text:
            pool = pool.translate(_PRINTABLE)
        ring = pool + pool[:CHUNK]
        left = self.size
        i = 0
        while left > 0:
            n = min(CHUNK, left)
            start = (i * self.STEP) % self.POOL
            yield ring[start : start + n]
            left -= n
            i += 1


# --- the loaded profile ----------------------------------------------------------------------


@dataclass(frozen=True)
class CommandOutput:
    """What one simple command prints and returns."""

    stdout: Content | None
    stderr: bytes = b""
    exit_code: int = 0
    run_ms: float = 0.0


@dataclass(frozen=True)
class RemoteFile:
    """A file on the simulated phone."""

    path: str
    content: Content
    mode: int = DEFAULT_FILE_MODE
    mtime: int = DEFAULT_MTIME
    readable: bool = True


def command_key(command: str) -> str:
    """The lookup key of a command line: its words, unquoted, joined by one space."""
    try:
        words = shlex.split(command, posix=True)
    except ValueError:
        words = command.split()
    return " ".join(words)


@dataclass
class Profile:
    """A loaded, validated device profile (see the module docstring for the API)."""

    name: str
    description: str
    serial: str
    features: tuple[str, ...]
    properties: dict[str, str]
    binaries: dict[str, str]
    auth: AuthSpec
    link: LinkSpec
    faults: FaultsSpec
    commands: dict[str, CommandOutput]
    files: dict[str, RemoteFile]
    source: str = "<memory>"
    base_dir: Path | None = None
    spec: ProfileSpec | None = field(default=None, repr=False)
    _dirs: frozenset[str] = field(default=frozenset(), repr=False)

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> Profile:
        """Load `path` (a profile folder or its profile.yaml); raise ProfileError if malformed."""
        p = Path(path)
        file = p / "profile.yaml" if p.is_dir() or not p.suffix else p
        source = str(file)
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ProfileError(f"{source}: no such profile file.") from None
        except (OSError, UnicodeDecodeError) as err:
            raise ProfileError(f"{source}: cannot read the profile: {err}.") from None
        data = _parse_yaml(text, source)
        if not isinstance(data, dict):
            raise ProfileError(f"{source}: the top level must be a mapping (key: value).")
        return cls.from_dict(data, base_dir=file.parent, source=source)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        base_dir: str | Path | None = None,
        source: str = "<memory>",
    ) -> Profile:
        """Build a profile from a dict shaped like profile.yaml (`schema` defaults to 1 here)."""
        data = dict(data)
        data.setdefault("schema", SCHEMA_VERSION)
        try:
            spec = ProfileSpec.model_validate(data)
        except ValidationError as err:
            raise ProfileError(_validation_message(source, err)) from None
        base = Path(base_dir) if base_dir is not None else None
        return cls._build(spec, base, source)

    @classmethod
    def _build(cls, spec: ProfileSpec, base: Path | None, source: str) -> Profile:
        def inside(rel: str, key: str) -> Path:
            if base is None:
                raise ProfileError(f"{source}: {key}: a file needs a profile folder")
            if rel.startswith("/") or "\x00" in rel:
                raise ProfileError(
                    f"{source}: {key}: must be a path relative to the profile folder"
                )
            root = base.resolve()
            target = (root / rel).resolve()
            if not target.is_relative_to(root):
                raise ProfileError(f"{source}: {key}: {rel!r} leads outside the profile folder")
            if not target.is_file():
                raise ProfileError(f"{source}: {key}: {rel!r} does not exist or is not a file")
            return target

        def loc(*parts: str) -> str:
            return _format_loc(tuple(parts))

        commands: dict[str, CommandOutput] = {}
        for line, c in spec.commands.items():
            stdout: Content | None = None
            if c.stdout is not None:
                stdout = FileContent(inside(c.stdout, loc("commands", line, "stdout")))
            elif c.text is not None:
                stdout = BytesContent(_as_bytes(c.text))
            elif c.generate is not None:
                stdout = GeneratedContent(c.generate.size, c.generate.seed, c.generate.text)
            if c.stderr_file is not None:
                stderr = inside(c.stderr_file, loc("commands", line, "stderr_file")).read_bytes()
            else:
                stderr = _as_bytes(c.stderr)
            commands[command_key(line)] = CommandOutput(stdout, stderr, c.exit, c.run_ms)

        files: dict[str, RemoteFile] = {}
        for path, f in spec.files.items():
            content: Content
            if f.source is not None:
                content = FileContent(inside(f.source, loc("files", path, "source")))
            elif f.generate is not None:
                content = GeneratedContent(f.generate.size, f.generate.seed, f.generate.text)
            else:
                content = BytesContent(_as_bytes(f.text or b""))
            mode = f.mode if f.mode is not None else DEFAULT_FILE_MODE
            if mode & 0o170000 == 0:
                mode |= S_IFREG
            files[path] = RemoteFile(path, content, mode, f.mtime, f.readable)

        dirs = {"/"}
        for path in files:
            parts = path.rstrip("/").split("/")
            for i in range(2, len(parts)):
                dirs.add("/".join(parts[:i]))

        names = spec.binaries if spec.binaries is not None else list(DEFAULT_BINARIES)
        binaries = {
            b.rsplit("/", 1)[-1]: (b if b.startswith("/") else f"/system/bin/{b}") for b in names
        }
        return cls(
            name=spec.name,
            description=spec.description,
            serial=spec.serial,
            features=tuple(spec.banner.features),
            properties=dict(spec.properties),
            binaries=binaries,
            auth=spec.auth,
            link=spec.link,
            faults=spec.faults,
            commands=commands,
            files=files,
            source=source,
            base_dir=base,
            spec=spec,
            _dirs=frozenset(dirs),
        )

    def with_changes(
        self,
        *,
        link: Mapping[str, Any] | LinkSpec | None = None,
        faults: Mapping[str, Any] | FaultsSpec | None = None,
        auth: Mapping[str, Any] | AuthSpec | None = None,
    ) -> Profile:
        """A copy with another latency model, faults or auth section (validated)."""

        def conv(model: type[_Model], value: Any, key: str) -> Any:
            if value is None or isinstance(value, model):
                return value
            try:
                return model.model_validate(dict(value))
            except ValidationError as err:
                raise ProfileError(_validation_message(f"{self.source} ({key})", err)) from None

        changes: dict[str, Any] = {}
        for key, model, value in (("link", LinkSpec, link), ("faults", FaultsSpec, faults),
                                  ("auth", AuthSpec, auth)):  # fmt: skip
            if value is not None:
                changes[key] = conv(model, value, key)
        return replace(self, **changes)

    # -- queries the shell and the server use -----------------------------------------------

    def lookup_command(self, words: list[str] | tuple[str, ...]) -> CommandOutput | None:
        """The profile's answer to a simple command given as words, if it has one."""
        return self.commands.get(" ".join(words))

    def stat(self, path: str) -> tuple[int, int, int] | None:
        """(mode, size, mtime) of a file or directory, None when absent."""
        f = self.files.get(path)
        if f is not None:
            return f.mode, f.content.size, f.mtime
        norm = path.rstrip("/") or "/"
        if norm in self._dirs:
            return DEFAULT_DIR_MODE, 4096, DEFAULT_MTIME
        return None

    def is_dir(self, path: str) -> bool:
        """True for a directory implied by the files' paths."""
        return (path.rstrip("/") or "/") in self._dirs and path not in self.files

    def listdir(self, path: str) -> list[tuple[str, int, int, int]] | None:
        """Entries (name, mode, size, mtime) of a directory, `.` and `..` first; None if absent."""
        norm = path.rstrip("/") or "/"
        if norm not in self._dirs:
            return None
        prefix = "/" if norm == "/" else norm + "/"
        seen: dict[str, tuple[str, int, int, int]] = {}
        for p in sorted(self._dirs | set(self.files)):
            if p.startswith(prefix) and p != prefix:
                name = p[len(prefix) :].split("/", 1)[0]
                if name and name not in seen:
                    st = self.stat(prefix + name)
                    if st is not None:
                        seen[name] = (name, *st)
        dot = [
            (".", DEFAULT_DIR_MODE, 4096, DEFAULT_MTIME),
            ("..", DEFAULT_DIR_MODE, 4096, DEFAULT_MTIME),
        ]
        return dot + list(seen.values())

    def banner(self) -> bytes:
        """The CNXN device banner (`device::ro.product.name=..;..;features=..`)."""
        keys = ("ro.product.name", "ro.product.model", "ro.product.device")
        props = ";".join(f"{k}={self.properties.get(k, '')}" for k in keys)
        return f"device::{props};features={','.join(self.features)}".encode()


def _parse_yaml(text: str, source: str) -> Any:
    """Parse profile text safely; JSON syntax (a YAML subset) takes a fast path.

    A key given twice in one mapping is an error naming it: a profile assembled by hand from
    captured output could otherwise answer a command from the wrong file without a word.
    """
    import json

    import yaml

    if text.lstrip().startswith("{"):
        # Large generated profiles are written as JSON (writer.py): json parses them ~100x
        # faster than even libyaml. Anything json refuses goes through YAML below.
        def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, value in pairs:
                if key in out:
                    raise ProfileError(f"{source}: the key {key!r} is given twice.")
                out[key] = value
            return out

        try:
            return json.loads(text, object_pairs_hook=no_duplicates)
        except ValueError:
            pass
    try:
        return yaml.load(text, Loader=_profile_loader())  # noqa: S506 - a safe loader
    except yaml.YAMLError as err:
        raise ProfileError(f"{source}: not valid YAML: {err}".replace("\n", " ")) from None
    except _DuplicateKey as dup:
        raise ProfileError(
            f"{source}: the key {dup.key!r} is given twice (line {dup.line}; "
            "each key, command line or file may appear once)."
        ) from None


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(key)
        self.key, self.line = key, line


_LOADER: type | None = None


def _profile_loader() -> type:
    """The safe loader (libyaml's when installed) that refuses duplicate keys."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class ProfileLoader(base):  # type: ignore[misc, valid-type]
            def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
                seen: set[Any] = set()
                for key_node, _ in node.value:
                    key = self.construct_object(key_node, deep=False)
                    if isinstance(key, str | int | float | bool) or key is None:
                        if key in seen:
                            raise _DuplicateKey(str(key), key_node.start_mark.line + 1)
                        seen.add(key)
                return super().construct_mapping(node, deep=deep)

        _LOADER = ProfileLoader
    return _LOADER


def _as_bytes(v: str | bytes) -> bytes:
    return v.encode("utf-8") if isinstance(v, str) else v
