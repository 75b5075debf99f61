"""YARA rule sets: compile once per run, scan DEX and native code (the only module importing yara).

A rule set is one named group of `.yar` files with its provenance (path and sha256 of each file):
the project's own rules (`rules/` at the top of the repository, or the copy shipped in the
package) and, separately, a feed's `rules.yar`. Each file is compiled in its own namespace, so two
files may use the same rule name. Includes are refused (a feed must not pull in other files).

Rules are written for the bytes of a `classes*.dex` or a `lib/<abi>/*.so`, never for the APK zip
(whose entries are deflated): see `stalkerscan.evidence.apk_content.iter_code_entries`.

YARA's `timeout` is checked between scanning steps. A rule whose single regular expression is
pathological can overrun it (measured: `/a.{0,200}a.{0,200}a.{0,200}b/` on 200 kB of "a" ran for
~240 s with timeout=1 s). A feed's rules are therefore scanned in a child process that is killed
at the timeout plus a grace period (`guarded=True`); the project's own rules run in-process.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stalkerscan.errors import RuleError
from stalkerscan.evidence.common import Frozen

REQUIRED_META = ("id", "description", "severity", "author", "reference")
SEVERITIES = ("low", "medium", "high")
RULE_ID = re.compile(r"^SS-YARA-\d{3}$")
MAX_STRINGS_PER_HIT = 8  # string identifiers kept per hit
MAX_INSTANCES = 3  # instances kept per string identifier
MAX_MATCH_PREVIEW = 64  # bytes of matched data kept per instance
DEFAULT_TIMEOUT_S = 10


def project_rules_dir() -> Path:
    """The project's `rules/` folder (top level of the repository; `stalkerscan/data/rules` if a
    packaged copy exists)."""
    here = Path(__file__).resolve().parent
    repo_rules = here.parent / "rules"
    # In a source checkout (editable install) the top-level folder is the truth; an installed
    # wheel carries a copy made by setup.py's build hook.
    if (here.parent / "pyproject.toml").is_file() and repo_rules.is_dir():
        return repo_rules
    packaged = here / "data" / "rules"
    return packaged if packaged.is_dir() else repo_rules


class RuleFile(Frozen):
    """One compiled file: where it came from and its sha256."""

    path: str
    sha256: str
    namespace: str


class RuleSetInfo(Frozen):
    """Provenance of a compiled rule set (shown in reports)."""

    name: str
    files: tuple[RuleFile, ...]
    rule_count: int


class StringHit(Frozen):
    """One matched string of a rule: identifier, a few offsets and a short preview."""

    identifier: str
    offsets: tuple[int, ...]
    preview: str  # first instance, printable ASCII with \\xNN escapes, bounded
    count: int


class RuleHit(Frozen):
    """One rule that matched one scanned object."""

    rule: str
    rule_set: str
    namespace: str
    rule_id: str | None
    severity: str | None
    description: str | None
    meta: dict[str, str | int | bool]
    strings: tuple[StringHit, ...] = ()
    target: str | None = None  # e.g. "classes2.dex" or "lib/arm64-v8a/libfoo.so"


class ScanOutcome(Frozen):
    """Result of scanning one object with one or more rule sets."""

    hits: tuple[RuleHit, ...] = ()
    timed_out: tuple[str, ...] = ()  # names of the rule sets that hit the timeout
    errors: tuple[str, ...] = ()  # other scan failures, with the rule set name


def _escape_bytes(data: bytes) -> str:
    return "".join(chr(b) if 0x20 <= b < 0x7F and b != 0x5C else f"\\x{b:02x}" for b in data)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rule_files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix in (".yar", ".yara")))
        elif p.is_file():
            out.append(p)
        else:
            raise RuleError(f"Rule file or folder not found: {p}.")
    return out


def _compile(files: Sequence[Path], namespaces: Sequence[str]) -> Any:
    import yara

    try:
        return yara.compile(
            filepaths={ns: str(f) for ns, f in zip(namespaces, files, strict=True)},
            includes=False,
        )
    except yara.SyntaxError as err:
        # yara names the file and line: "/path/x.yar(4): undefined string "$b"".
        raise RuleError(
            f"A YARA rule file does not compile: {err}.",
            "Fix the file named above (or remove it) and run `stalkerscan rules check`.",
        ) from err
    except yara.Error as err:
        names = ", ".join(str(f) for f in files)
        raise RuleError(f"YARA could not compile {names}: {err}.") from err


def _plain(m: Any) -> dict[str, Any]:
    """A yara match as bounded plain data (picklable, so the guarded worker can send it)."""
    meta = {str(k): v for k, v in dict(m.meta).items() if isinstance(v, str | int | bool)}
    strings = []
    for s in list(m.strings)[:MAX_STRINGS_PER_HIT]:
        instances = list(s.instances)
        first = bytes(instances[0].matched_data[:MAX_MATCH_PREVIEW]) if instances else b""
        strings.append(
            (
                s.identifier,
                tuple(i.offset for i in instances[:MAX_INSTANCES]),
                first,
                len(instances),
            )
        )
    return {"rule": m.rule, "namespace": m.namespace, "meta": meta, "strings": strings}


def _match_plain(compiled: Any, data: bytes, timeout: int) -> tuple[str, Any]:
    """("hits", [plain...]) or ("timeout", None) or ("error", message)."""
    import yara

    try:
        return "hits", [_plain(m) for m in compiled.match(data=data, timeout=max(1, timeout))]
    except yara.TimeoutError:
        return "timeout", None
    except yara.Error as err:
        return "error", str(err)[:500]


def _worker_main(compiled: Any, conn: Any) -> None:  # pragma: no cover - runs in the child
    while True:
        try:
            timeout = conn.recv()
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        conn.send(_match_plain(compiled, data, timeout))


class _GuardedWorker:
    """A forked child that holds the compiled rules and is killed when a scan overruns.

    YARA checks its timeout between scanning steps; one pathological regular expression can run
    far past it (measured: 240 s with timeout=1 s). Rules from a feed are not ours, so their
    scans run here, where the wall-clock limit is enforced by killing the process.
    """

    def __init__(self, compiled: Any) -> None:
        self._compiled = compiled
        self._proc: Any = None
        self._conn: Any = None

    def _ensure(self) -> bool:
        """Start the child if needed; False where fork is unavailable (Windows)."""
        if self._proc is not None and self._proc.is_alive():
            return True
        import multiprocessing

        # fork: the child inherits the compiled rules without pickling them (Linux, macOS).
        try:
            ctx = multiprocessing.get_context("fork")
        except ValueError:
            return False
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_worker_main, args=(self._compiled, child), daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent
        return True

    def match(self, data: bytes, timeout: int, grace: float) -> tuple[str, Any]:
        """Like `_match_plain`, but the child is killed after `timeout + grace` seconds."""
        if not self._ensure():
            return _match_plain(self._compiled, data, timeout)  # YARA's own timeout only
        try:
            self._conn.send(timeout)
            self._conn.send_bytes(data)
            if self._conn.poll(timeout + grace):
                result: tuple[str, Any] = self._conn.recv()
                return result
        except (EOFError, OSError) as err:
            self.close()
            return "error", f"the YARA worker stopped ({type(err).__name__})"
        self.close()
        return "timeout", None

    def close(self) -> None:
        """Kill the child (if any); the next scan starts a fresh one."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(5)
            self._proc = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@dataclass
class RuleSet:
    """One compiled rule set; compile it once per run with `load_rule_set` and reuse it.

    `guarded`: scans run in a child process that is killed at `timeout + 2 s`, so a rule that
    overruns YARA's own timeout cannot hang the scan (used for a feed's rules).
    """

    info: RuleSetInfo
    _compiled: Any
    guarded: bool = False
    grace_s: float = 2.0

    def __post_init__(self) -> None:
        self._worker = _GuardedWorker(self._compiled) if self.guarded else None

    @property
    def name(self) -> str:
        """The set's name ("project", "feed", ...)."""
        return self.info.name

    def scan(
        self, data: bytes, *, timeout: int = DEFAULT_TIMEOUT_S, target: str | None = None
    ) -> ScanOutcome:
        """Match `data` (DEX or .so bytes); a timeout is recorded in the outcome, not raised."""
        timeout = max(1, int(timeout))
        if self._worker is not None:
            kind, value = self._worker.match(data, timeout, self.grace_s)
        else:
            kind, value = _match_plain(self._compiled, data, timeout)
        if kind == "timeout":
            return ScanOutcome(timed_out=(self.name,))
        if kind == "error":
            return ScanOutcome(errors=(f"{self.name}: {value}",))
        return ScanOutcome(hits=tuple(self._hit(p, target) for p in value))

    def close(self) -> None:
        """Stop the guarded worker process, if one runs."""
        if self._worker is not None:
            self._worker.close()

    def _hit(self, plain: dict[str, Any], target: str | None) -> RuleHit:
        meta: dict[str, str | int | bool] = plain["meta"]

        def text(key: str) -> str | None:
            value = meta.get(key)
            return str(value)[:500] if value is not None else None

        return RuleHit(
            rule=plain["rule"],
            rule_set=self.name,
            namespace=plain["namespace"],
            rule_id=text("id"),
            severity=text("severity"),
            description=text("description"),
            meta=meta,
            strings=tuple(
                StringHit(identifier=i, offsets=o, preview=_escape_bytes(b), count=c)
                for i, o, b, c in plain["strings"]
            ),
            target=target,
        )


def load_rule_set(name: str, paths: Iterable[Path], *, guarded: bool = False) -> RuleSet:
    """Compile the `.yar` files (or folders of them) as one named set; RuleError if one fails."""
    files = _rule_files(paths)
    if not files:
        raise RuleError(f"No YARA rule files for the rule set {name!r}.")
    namespaces = [f"{name}:{f.stem}" for f in files]
    compiled = _compile(files, namespaces)
    info = RuleSetInfo(
        name=name,
        files=tuple(
            RuleFile(path=str(f), sha256=_sha256(f), namespace=ns)
            for f, ns in zip(files, namespaces, strict=True)
        ),
        rule_count=sum(1 for _ in compiled),
    )
    return RuleSet(info=info, _compiled=compiled, guarded=guarded)


def compile_rules(rules_dir: Path | None = None, feed_rules: Path | None = None) -> list[RuleSet]:
    """The run's rule sets: the project's rules, then the feed's `rules.yar` (guarded) if given."""
    sets = [load_rule_set("project", [rules_dir or project_rules_dir()])]
    if feed_rules is not None:
        sets.append(load_rule_set("feed", [feed_rules], guarded=True))
    return sets


def _probe_inputs() -> list[tuple[str, bytes]]:
    """Inputs a feed's rules must finish on within the timeout: repetitive and random bytes
    (the shapes that make a careless regular expression or loop blow up) and a real DEX."""
    # Deterministic noise (a sha256 chain), so the probe is the same on every machine.
    noise = b"".join(hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(8192))
    probes = [
        ("256 kB of 'a'", b"a" * 262_144),
        ("256 kB of random bytes", noise),
        ("256 kB of 'http://'", b"http://" * 37_450),
    ]
    dex = Path(__file__).resolve().parent / "simulator" / "apks" / "training-stalkerware.apk"
    if dex.is_file():
        import zipfile

        with zipfile.ZipFile(dex) as z:
            probes.append(("a small DEX file", z.read("classes.dex")))
    return probes


def check_feed_rules(text: bytes, *, name: str = "rules.yar", timeout: int = 2) -> RuleSetInfo:
    """Compile a feed's rule file and run it on probe inputs in the guarded worker; RuleError
    naming `name` when it does not compile (syntax, an unavailable module, includes) or when a
    probe overruns `timeout` seconds (a pathologically slow rule).

    Used before a feed version is installed, so a bad rule file never replaces a good one.
    Slowness is caught only on the probe inputs; at scan time the guarded worker still kills
    any scan that overruns.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="stalkerscan-rules-") as tmp:
        path = Path(tmp) / "rules.yar"
        path.write_bytes(text)
        try:
            rule_set = load_rule_set("feed", [path], guarded=True)
        except RuleError as err:
            raise RuleError(
                err.message.replace(str(path), name), f"{name} was not installed."
            ) from err
        rule_set.grace_s = 1.0
        try:
            for label, data in _probe_inputs():
                out = rule_set.scan(data, timeout=timeout)
                if out.timed_out:
                    raise RuleError(
                        f"{name} is too slow: scanning {label} took more than {timeout} s "
                        "(a pathological rule).",
                        f"{name} was not installed.",
                    )
                if out.errors:
                    raise RuleError(
                        f"{name} fails when scanning {label}: {'; '.join(out.errors)}.",
                        f"{name} was not installed.",
                    )
        finally:
            rule_set.close()
    return RuleSetInfo(
        name=rule_set.info.name,
        files=tuple(f.model_copy(update={"path": name}) for f in rule_set.info.files),
        rule_count=rule_set.info.rule_count,
    )


def scan(
    rule_sets: Sequence[RuleSet],
    data: bytes,
    *,
    timeout: int = DEFAULT_TIMEOUT_S,
    target: str | None = None,
) -> ScanOutcome:
    """Scan `data` with every rule set; hits, timeouts and errors are merged."""
    hits: list[RuleHit] = []
    timed_out: list[str] = []
    errors: list[str] = []
    for rs in rule_sets:
        out = rs.scan(data, timeout=timeout, target=target)
        hits.extend(out.hits)
        timed_out.extend(out.timed_out)
        errors.extend(out.errors)
    return ScanOutcome(hits=tuple(hits), timed_out=tuple(timed_out), errors=tuple(errors))


# --- `stalkerscan rules check` ---------------------------------------------------------------


class RuleCheck(Frozen):
    """The check of one rule (or of a file that did not compile: rule is None)."""

    file: str
    rule: str | None
    rule_id: str | None
    severity: str | None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the rule compiled and its meta is complete."""
        return not self.problems


def check_rule_files(paths: Iterable[Path], *, require_project_ids: bool = True) -> list[RuleCheck]:
    """Compile each file on its own and check every rule's required meta; never raises RuleError."""
    import yara

    results: list[RuleCheck] = []
    seen_ids: dict[str, str] = {}
    try:
        files = _rule_files(paths)
    except RuleError as err:
        return [
            RuleCheck(file="-", rule=None, rule_id=None, severity=None, problems=(err.message,))
        ]
    if not files:
        return [
            RuleCheck(file="-", rule=None, rule_id=None, severity=None, problems=("no .yar files",))
        ]
    for f in files:
        try:
            compiled = yara.compile(filepath=str(f), includes=False)
        except yara.Error as err:
            results.append(
                RuleCheck(file=str(f), rule=None, rule_id=None, severity=None, problems=(str(err),))
            )
            continue
        rules = list(compiled)
        if not rules:
            results.append(
                RuleCheck(
                    file=str(f), rule=None, rule_id=None, severity=None, problems=("no rules",)
                )
            )
        for r in rules:
            meta = dict(r.meta)
            problems = [f"meta {k!r} missing" for k in REQUIRED_META if not meta.get(k)]
            rid = str(meta["id"]) if meta.get("id") else None
            sev = str(meta["severity"]) if meta.get("severity") else None
            if sev is not None and sev not in SEVERITIES:
                problems.append(f"severity {sev!r} is not one of {', '.join(SEVERITIES)}")
            if rid is not None:
                if require_project_ids and not RULE_ID.match(rid):
                    problems.append(f"id {rid!r} is not of the form SS-YARA-NNN")
                if rid in seen_ids:
                    problems.append(f"id {rid!r} also used by {seen_ids[rid]}")
                seen_ids.setdefault(rid, r.identifier)
            results.append(
                RuleCheck(
                    file=str(f),
                    rule=r.identifier,
                    rule_id=rid,
                    severity=sev,
                    problems=tuple(problems),
                )
            )
    return results
