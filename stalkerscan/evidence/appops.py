"""`dumpsys appops` -> per uid and package: app-ops with their mode and last access/reject.

App-ops show special accesses that are not runtime permissions: usage access (GET_USAGE_STATS),
draw over apps (SYSTEM_ALERT_WINDOW), install unknown apps (REQUEST_INSTALL_PACKAGES), all-files
access (MANAGE_EXTERNAL_STORAGE), notification access (ACCESS_NOTIFICATIONS), screen capture
(PROJECT_MEDIA), and when location, camera, microphone, SMS and call log were last used.

Only the ``  Uid X:`` blocks (indent 2) are read. Formats (AppOpsService.dump):

- Android 7: ``      COARSE_LOCATION: mode=0; time=+1h2m3s ago; rejectTime=+5m ago; duration=+1s``
  (mode as a number: 0 allow, 1 ignore, 2 deny/errored, 3 default, 4 foreground).
- Android 8: ``      COARSE_LOCATION: mode=allow; time=+1h2m3s ago; ...`` (mode as a word).
- Android 8.1/9: ``      FINE_LOCATION (allow / switch COARSE_LOCATION=allow): `` then
  ``          Access: top   = 2019-08-15 14:35:11.698 (-33m58s938ms)`` (more states on
  continuation lines ``                  fg    = ...``), ``          Reject: ...``.
- Android 10: ``          Access: [top-s] 2020-01-01 12:00:00.000 (-1d2h3m)``.
- Android 11+: attribution tags wrap the access lines: ``        null=[`` ... ``        ]``
  (or ``tagName=[``); Android 12+ may append ``duration=+2s`` and proxy info on the same line.

A uid-level mode (``      WRITE_SMS: mode=allow`` before any ``Package`` line) is kept apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stalkerscan.evidence._dumpsys import (
    indent_of,
    iter_lines_of,
    parse_duration,
    parse_uid,
    unavailable_reason,
)
from stalkerscan.evidence.common import (
    Budget,
    Frozen,
    Interner,
    IssueCounter,
    ParseIssues,
    to_text,
)

# Android 7 printed the mode as its integer value (AppOpsManager.MODE_*).
_MODE_NUMBERS = {"0": "allow", "1": "ignore", "2": "deny", "3": "default", "4": "foreground"}


class AppOp(Frozen):
    """One app-op of one package (or of a whole uid)."""

    op: str  # AppOpsManager op name, e.g. "GET_USAGE_STATS"
    mode: str | None = None  # allow / ignore / deny / default / foreground (or what was printed)
    last_access: str | None = None  # device-local timestamp as printed (Android 8.1+), latest
    last_access_ago_seconds: float | None = None  # how long before the dump (smallest seen)
    last_reject: str | None = None
    last_reject_ago_seconds: float | None = None
    running: bool = False


class PackageOps(Frozen):
    """The app-ops of one package inside one uid."""

    package: str
    uid: int | None = None
    ops: tuple[AppOp, ...] = ()

    def op(self, name: str) -> AppOp | None:
        """The entry for op `name`, or None."""
        for o in self.ops:
            if o.op == name:
                return o
        return None


class UidOps(Frozen):
    """One ``Uid`` block: uid-level modes and the packages that share the uid."""

    uid: int | None = None
    uid_label: str  # as printed ("u0a123", "1000")
    uid_modes: tuple[AppOp, ...] = ()
    packages: tuple[PackageOps, ...] = ()


class AppOpsDump(Frozen):
    """Parsed `dumpsys appops`."""

    uids: tuple[UidOps, ...] = ()
    unavailable: str | None = None
    issues: ParseIssues = ParseIssues()
    truncated: bool = False  # a MAX_* cap was reached: blocks past it were not kept

    def packages(self) -> Iterator[PackageOps]:
        """Every package block over all uids."""
        for u in self.uids:
            yield from u.packages

    def holders(self, op: str, modes: tuple[str, ...] = ("allow",)) -> tuple[str, ...]:
        """Packages whose op `op` has one of `modes` (package level, or uid level for the uid)."""
        out: list[str] = []
        for u in self.uids:
            uid_mode = next((o.mode for o in u.uid_modes if o.op == op), None)
            for p in u.packages:
                entry = p.op(op)
                mode = entry.mode if entry is not None else None
                if uid_mode is not None and uid_mode != "default":
                    mode = uid_mode
                if mode in modes and p.package not in out:
                    out.append(p.package)
        return tuple(out)


_UID = re.compile(r"^  Uid (\S+?):\s*$")
_PKG = re.compile(r"^\s+Package (\S+?):\s*$")
# Op names are AppOpsManager names; vendor builds add ops AOSP has no name for, printed with
# their code (Xiaomi MIUI/HyperOS ops from 10000 up, e.g. `MIUIOP(10021)`) or as a bare number.
_OP = re.compile(r"^\s+([A-Z][A-Z0-9_]*(?:\(\d+\))?|\d+)(?:\s*\(([^)]*)\))?:\s*(.*)$")
_MODE_EQ = re.compile(r"\bmode=([A-Za-z0-9_]+)")
_TIME_AGO = re.compile(r"(?<![A-Za-z])time=([+-]?[0-9dhms]+) ago")
_REJECT_AGO = re.compile(r"rejectTime=([+-]?[0-9dhms]+) ago")
_STAMP = r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)\s*\(([+-][0-9dhms]+)\)"
_ACCESS = re.compile(rf"^\s*(Access|Reject):\s*(?:\[[^\]]*\]|[A-Za-z-]+\s*=)?\s*{_STAMP}")
_STATE_CONT = re.compile(rf"^\s*(?:\[[^\]]*\]|[A-Za-z-]+\s*=)\s*{_STAMP}")
_DETAIL = re.compile(
    r"^\s*(\S+=\[|\]|duration=|Running start|startNesting|state=|pendingState|capability=|"
    r"appWidgetVisible|foregroundOps|hasForegroundWatchers|pendingStateCommitTime|"
    r"\S+=\S*\s*$|proxy)"
)


class _OpBuilder:
    def __init__(self, name: str, mode: str | None) -> None:
        self.name = name
        self.mode = mode
        self.access: str | None = None
        self.access_ago: float | None = None
        self.reject: str | None = None
        self.reject_ago: float | None = None
        self.running = False

    def note(self, kind: str, stamp: str | None, ago: float | None) -> None:
        if kind == "Access":
            if stamp is not None and (self.access is None or stamp > self.access):
                self.access = stamp
            if ago is not None and (self.access_ago is None or ago < self.access_ago):
                self.access_ago = ago
        else:
            if stamp is not None and (self.reject is None or stamp > self.reject):
                self.reject = stamp
            if ago is not None and (self.reject_ago is None or ago < self.reject_ago):
                self.reject_ago = ago

    def freeze(self, intern: Interner) -> AppOp:
        return AppOp(
            op=intern(self.name),
            mode=intern(self.mode) if self.mode is not None else None,
            last_access=intern(self.access) if self.access is not None else None,
            last_access_ago_seconds=self.access_ago,
            last_reject=intern(self.reject) if self.reject is not None else None,
            last_reject_ago_seconds=self.reject_ago,
            running=self.running,
        )


def _mode_of(paren: str | None, rest: str) -> str | None:
    if paren:
        word = paren.split("/", 1)[0].strip()
        return _MODE_NUMBERS.get(word, word) or None
    m = _MODE_EQ.search(rest)
    if m:
        return _MODE_NUMBERS.get(m.group(1), m.group(1))
    return None


def _inline_times(op: _OpBuilder, rest: str) -> None:
    """Android 7/8 put the times on the op line: `time=+1h ago; rejectTime=+5m ago`."""
    t = _TIME_AGO.search(rest)
    if t:
        op.note("Access", None, parse_duration(t.group(1)))
    r = _REJECT_AGO.search(rest)
    if r:
        op.note("Reject", None, parse_duration(r.group(1)))
    if "(running)" in rest:
        op.running = True


# Caps (hostile output may repeat plausible blocks up to the collector's byte cap). A real phone
# has < 5,000 uids and packages and lists about 5-30 ops each; the hostile-huge simulated phone
# has 10,000 packages. Past a cap nothing more is kept and the result says `truncated`.
MAX_UIDS = 25_000  # ``Uid`` blocks kept
MAX_PACKAGES = 25_000  # ``Package`` blocks kept, over all uids
MAX_OPS_PER_PACKAGE = 400  # AOSP defines about 150 ops (Android 16), vendors add some dozens
MAX_OP_ENTRIES = 500_000  # op entries kept over the dump (a real phone: some tens of thousands)
MAX_DISTINCT_OPS = 50_000  # different op records; identical ones are stored once and shared


class _Keeper:
    """Turns op builders into shared frozen AppOps within the caps of one parse."""

    def __init__(self) -> None:
        self.shared: dict[tuple[object, ...], AppOp] = {}
        self.intern = Interner()
        self.entries = Budget(MAX_OP_ENTRIES)
        self.distinct = Budget(MAX_DISTINCT_OPS)
        self.truncated = False

    def ops(self, builders: list[_OpBuilder]) -> tuple[AppOp, ...]:
        out: list[AppOp] = []
        for b in builders:
            key = (b.name, b.mode, b.access, b.access_ago, b.reject, b.reject_ago, b.running)
            op = self.shared.get(key)
            if op is None:
                if not self.distinct.take():
                    continue
                op = b.freeze(self.intern)
                self.shared[key] = op
            if not self.entries.take():
                break
            out.append(op)
        return tuple(out)


class _UidBuilder:
    def __init__(self, label: str) -> None:
        self.label = label
        self.uid = parse_uid(label)
        self.uid_modes: list[_OpBuilder] = []
        self.packages: list[PackageOps] = []
        self.pkg_name: str | None = None  # the package whose ops are being read
        self.pkg_ops: list[_OpBuilder] = []

    def close_package(self, keep: _Keeper) -> None:
        if self.pkg_name is not None:
            ops = keep.ops(self.pkg_ops)
            self.packages.append(PackageOps(package=self.pkg_name, uid=self.uid, ops=ops))
        self.pkg_name, self.pkg_ops = None, []

    def freeze(self, keep: _Keeper) -> UidOps:
        self.close_package(keep)
        return UidOps(
            uid=self.uid,
            uid_label=self.label,
            uid_modes=keep.ops(self.uid_modes),
            packages=tuple(self.packages),
        )


def parse_appops(data: bytes | str) -> AppOpsDump:
    """Parse `dumpsys appops` (never raises); past the MAX_* caps the result is `truncated`."""
    text = to_text(data)
    unavailable = unavailable_reason(text)
    if unavailable is not None:
        return AppOpsDump(unavailable=unavailable)
    issues = IssueCounter()
    keep = _Keeper()
    uid_budget, pkg_budget = Budget(MAX_UIDS), Budget(MAX_PACKAGES)
    op_cap = MAX_OPS_PER_PACKAGE
    uids: list[UidOps] = []
    cur: _UidBuilder | None = None
    ops: list[_OpBuilder] | None = None  # the current package's ops
    op: _OpBuilder | None = None
    skipping = False  # inside a Uid or Package block past a cap: its lines are not read
    truncated = False
    last_kind = "Access"

    def close_uid() -> None:
        if cur is not None:
            uids.append(cur.freeze(keep))

    for line in iter_lines_of(text):
        if not line or line.isspace():
            continue
        if skipping and line.startswith("     ") and "Package " not in line:
            continue  # inside a block past a cap (a shortcut: such lines are skipped anyway)
        um = _UID.match(line)
        if um:
            close_uid()
            cur, ops, op = None, None, None
            skipping = not uid_budget.take()
            if not skipping:
                cur = _UidBuilder(um.group(1))
            continue
        if cur is None and not skipping:
            continue  # before the first Uid block: watchers, clients, settings
        if indent_of(line) <= 2:
            close_uid()
            cur, ops, op, skipping = None, None, None, False  # another top-level section
            continue
        pm = _PKG.match(line)
        if pm:
            op = None
            if cur is not None:
                cur.close_package(keep)
            if cur is None or not pkg_budget.take():
                ops, skipping = None, True
                continue
            skipping = False
            ops = cur.pkg_ops
            cur.pkg_name = keep.intern(pm.group(1))
            continue
        if skipping or cur is None:
            continue
        om = _OP.match(line)
        if om and not line.lstrip().startswith(("Access:", "Reject:")):
            name, paren, rest = om.group(1), om.group(2), om.group(3)
            mode = _mode_of(paren, rest)
            if ops is None and mode is None:
                continue  # "foregroundOps:" list (Android 10+: `FINE_LOCATION: WATCHER`)
            target = ops if ops is not None else cur.uid_modes
            if len(target) >= op_cap:
                truncated, op = True, None
                continue
            op = _OpBuilder(name, mode)
            _inline_times(op, rest)
            target.append(op)
            continue
        am = _ACCESS.match(line)
        if am:
            last_kind = am.group(1)
            if op is not None:
                op.note(last_kind, am.group(2), parse_duration(am.group(3)))
                if "(running)" in line:
                    op.running = True
            continue
        cm = _STATE_CONT.match(line)
        if cm:
            if op is not None:
                op.note(last_kind, cm.group(1), parse_duration(cm.group(2)))
            continue
        if _DETAIL.match(line):
            if op is not None and line.strip().startswith("Running start"):
                op.running = True
            continue
        issues.add(line)
    close_uid()
    truncated = truncated or any(
        b.truncated for b in (uid_budget, pkg_budget, keep.entries, keep.distinct)
    )
    return AppOpsDump(uids=tuple(uids), issues=issues.freeze(), truncated=truncated)
