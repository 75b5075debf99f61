"""`dumpsys usagestats` -> packages seen in usage history, and app standby buckets.

Usage history outlives an uninstall for a while: a package seen here but no longer installed is a
trace of a recently removed app (the matcher compares with the installed packages). Formats
(UsageStatsService / UserUsageStatsService / IntervalStats dump):

- ``user=0`` starts each user (every version);
- events: ``    time="2019-08-15 12:07:35" type=MOVE_TO_FOREGROUND package=org.example.app
  class=...`` (Android 10+: ``type=ACTIVITY_RESUMED ... instanceId=...``);
- per-interval package stats: ``      package=X totalTime="00:04" lastTime="2019-08-15 12:07:40"
  appLaunchCount=1`` (Android 7-9; Android 7 has no appLaunchCount) and ``package=X
  totalTimeUsed="..." lastTimeUsed="..." totalTimeVisible="..." lastTimeVisible="..."
  ... appLaunchCount=N`` (Android 10+, ``lastTimeComponentUsed`` from 11);
- standby: ``  App Standby States:`` (Android 9+) then ``    package=X u=0 bucket=10 reason=u-su
  used=...``; Android 7-8: ``  App Idle States:`` with ``package=X u=0 idle=false used=...``.

Times are the phone's local time as printed; "1970-..." means never and is dropped. Only package
names, times, launch counts and buckets are kept (no activity or class names, no configuration).
"""

from __future__ import annotations

import re

from stalkerscan.evidence._dumpsys import PACKAGE_RE, iter_lines_of, unavailable_reason
from stalkerscan.evidence.common import (
    Budget,
    Frozen,
    Interner,
    IssueCounter,
    ParseIssues,
    to_text,
)

# A real phone has < 5,000 packages per user (the hostile-huge simulated phone 10,000); each
# (user, package) is one entry whatever the number of events, so these caps bound memory.
MAX_PACKAGES = 20_000  # (user, package) usage entries kept
MAX_STANDBY = 20_000  # (user, package) standby entries kept


class PackageUsage(Frozen):
    """What the usage history says about one package of one user."""

    package: str
    user: int | None = None
    last_used: str | None = None  # latest "YYYY-MM-DD hh:mm:ss" (device local time)
    launch_count: int | None = None  # the largest appLaunchCount of any interval
    in_events: bool = False  # seen in the event log
    in_interval_stats: bool = False  # seen in daily/weekly/monthly/yearly stats


class StandbyBucket(Frozen):
    """App standby state of one package (10 active, 20 working set, 30 frequent, 40 rare,
    45 restricted, 50 never; 5 exempted)."""

    package: str
    user: int | None = None
    bucket: int | None = None
    reason: str | None = None
    idle: bool | None = None  # Android 7-8


class UsageStatsDump(Frozen):
    """Parsed `dumpsys usagestats`."""

    packages: tuple[PackageUsage, ...] = ()
    standby: tuple[StandbyBucket, ...] = ()
    unavailable: str | None = None
    issues: ParseIssues = ParseIssues()
    truncated: bool = False  # more packages than a MAX_* cap: the rest were not kept

    def package_names(self, user: int | None = None) -> tuple[str, ...]:
        """Every package seen in usage history or standby state (optionally for one user)."""
        out: list[str] = []
        for p in self.packages:
            if (user is None or p.user == user) and p.package not in out:
                out.append(p.package)
        for b in self.standby:
            if (user is None or b.user == user) and b.package not in out:
                out.append(b.package)
        return tuple(out)


_USER = re.compile(r"^user=(\d+)\s*$")
_PKG = re.compile(r"\bpackage=(\S+)")
_TIME_FIELD = re.compile(
    r"\b(?:time|lastTime|lastTimeUsed|lastTimeVisible|lastTimeComponentUsed|lastTimeFS|"
    r"lastTimeForegroundServiceUsed)=\"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)"
)
_LAUNCH = re.compile(r"\bappLaunchCount=(\d+)")
_BUCKET = re.compile(r"\bbucket=(\d+)")
_REASON = re.compile(r"\breason=(\S+)")
_IDLE = re.compile(r"\bidle=(true|false|y|n)\b")
_U = re.compile(r"\bu=(\d+)")
_STANDBY_HEADER = re.compile(r"^\s*App (?:Standby|Idle) States:\s*$")


class _Usage:
    __slots__ = ("events", "last", "launch", "package", "stats", "user")

    def __init__(self, package: str, user: int | None) -> None:
        self.package = package
        self.user = user
        self.last: str | None = None
        self.launch: int | None = None
        self.events = False
        self.stats = False

    def freeze(self) -> PackageUsage:
        return PackageUsage.lean(
            package=self.package,
            user=self.user,
            last_used=self.last,
            launch_count=self.launch,
            in_events=self.events,
            in_interval_stats=self.stats,
        )


def parse_usagestats(data: bytes | str) -> UsageStatsDump:
    """Parse `dumpsys usagestats` (never raises); past the MAX_* caps the result is `truncated`."""
    text = to_text(data)
    unavailable = unavailable_reason(text)
    if unavailable is not None:
        return UsageStatsDump(unavailable=unavailable)
    issues = IssueCounter()
    usage: dict[tuple[int | None, str], _Usage] = {}
    standby: dict[tuple[int | None, str], StandbyBucket] = {}
    user: int | None = None
    in_standby = False
    usage_budget, standby_budget = Budget(MAX_PACKAGES), Budget(MAX_STANDBY)
    intern = Interner()  # times, reasons: the same few strings on many lines
    for line in iter_lines_of(text):
        s = line.strip()
        if not s:
            continue
        m = _USER.match(line)
        if m:
            user = int(m.group(1))
            in_standby = False
            continue
        if _STANDBY_HEADER.match(line):
            in_standby = True
            continue
        pm = _PKG.search(s)
        if pm is None:
            if in_standby and not line.startswith("    "):
                in_standby = False
            continue
        pkg = pm.group(1)
        if not PACKAGE_RE.match(pkg):
            issues.add(line)
            continue
        if in_standby and _U.search(s):
            um = _U.search(s)
            b_user = int(um.group(1)) if um else user
            if (b_user, pkg) not in standby and not standby_budget.take():
                continue
            bm, rm, im = _BUCKET.search(s), _REASON.search(s), _IDLE.search(s)
            standby[(b_user, pkg)] = StandbyBucket.lean(
                package=pkg,
                user=b_user,
                bucket=int(bm.group(1)) if bm else None,
                reason=intern(rm.group(1)[:40]) if rm else None,
                idle=(im.group(1) in ("true", "y")) if im else None,
            )
            continue
        entry = usage.get((user, pkg))
        if entry is None:
            if not usage_budget.take():
                continue
            entry = usage[(user, pkg)] = _Usage(pkg, user)
        if s.startswith("time="):
            entry.events = True
        elif s.startswith("package="):
            entry.stats = True
        for stamp in _TIME_FIELD.findall(s):
            if stamp >= "2000" and (entry.last is None or stamp > entry.last):
                entry.last = intern(stamp)
        lm = _LAUNCH.search(s)
        if lm:
            n = int(lm.group(1))
            entry.launch = n if entry.launch is None else max(entry.launch, n)
    return UsageStatsDump(
        packages=tuple(u.freeze() for u in usage.values()),
        standby=tuple(standby.values()),
        issues=issues.freeze(),
        truncated=usage_budget.truncated or standby_budget.truncated,
    )
