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
    lines_of,
    parse_duration,
    parse_uid,
    unavailable_reason,
)
from stalkerscan.evidence.common import Frozen, IssueCounter, ParseIssues, to_text

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

    def freeze(self) -> AppOp:
        return AppOp(
            op=self.name,
            mode=self.mode,
            last_access=self.access,
            last_access_ago_seconds=self.access_ago,
            last_reject=self.reject,
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


class _UidBuilder:
    def __init__(self, label: str) -> None:
        self.label = label
        self.uid = parse_uid(label)
        self.uid_modes: list[_OpBuilder] = []
        self.packages: list[tuple[str, list[_OpBuilder]]] = []

    def freeze(self) -> UidOps:
        return UidOps(
            uid=self.uid,
            uid_label=self.label,
            uid_modes=tuple(o.freeze() for o in self.uid_modes),
            packages=tuple(
                PackageOps(package=name, uid=self.uid, ops=tuple(o.freeze() for o in ops))
                for name, ops in self.packages
            ),
        )


def parse_appops(data: bytes | str) -> AppOpsDump:
    """Parse `dumpsys appops` (never raises)."""
    text = to_text(data)
    unavailable = unavailable_reason(text)
    if unavailable is not None:
        return AppOpsDump(unavailable=unavailable)
    issues = IssueCounter()
    uids: list[_UidBuilder] = []
    cur: _UidBuilder | None = None
    ops: list[_OpBuilder] | None = None  # the current package's ops
    op: _OpBuilder | None = None
    last_kind = "Access"
    for line in lines_of(text):
        if not line.strip():
            continue
        um = _UID.match(line)
        if um:
            cur = _UidBuilder(um.group(1))
            uids.append(cur)
            ops, op = None, None
            continue
        if cur is None:
            continue  # before the first Uid block: watchers, clients, settings
        if indent_of(line) <= 2:
            cur, ops, op = None, None, None  # another top-level section (e.g. history)
            continue
        pm = _PKG.match(line)
        if pm:
            ops = []
            cur.packages.append((pm.group(1), ops))
            op = None
            continue
        om = _OP.match(line)
        if om and not line.lstrip().startswith(("Access:", "Reject:")):
            name, paren, rest = om.group(1), om.group(2), om.group(3)
            mode = _mode_of(paren, rest)
            if ops is None and mode is None:
                continue  # "foregroundOps:" list (Android 10+: `FINE_LOCATION: WATCHER`)
            op = _OpBuilder(name, mode)
            _inline_times(op, rest)
            (ops if ops is not None else cur.uid_modes).append(op)
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
    return AppOpsDump(uids=tuple(u.freeze() for u in uids), issues=issues.freeze())
