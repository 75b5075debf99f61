"""Launcher activities: `cmd package query-activities --brief --user N -a MAIN -c LAUNCHER`.

The full command is `cmd package query-activities --brief --user N -a android.intent.action.MAIN
-c android.intent.category.LAUNCHER`.

The activities that have an icon in the launcher for one user; an installed app absent from this
list has no icon (a classic stalkerware trait). AOSP `PackageManagerShellCommand
.runQueryIntentActivities` (Android 7+) prints:

    2 activities found:
      Activity #0:
        priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=false
        org.example.notes/.MainActivity

or `No activities found`. Without `--brief` each entry is `ResolveInfo.dump`: an `ActivityInfo:`
block with `name=` and `packageName=` (and a nested `ApplicationInfo:` whose `name=` is the
application class, which must not be taken). With `--components` (Android 12+) only the component
lines are printed. All three forms are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import Field

from stalkerscan.evidence.common import Frozen, IssueCounter, ParseIssues
from stalkerscan.evidence.package import MAX_LINE, PARSER_STOPPED, flatten_component, iter_lines

# A real phone has some hundreds of launcher activities (< 5,000 packages, one or two each); the
# hostile-huge simulated phone has 10,000 packages. Past the cap the result says `truncated`.
MAX_ACTIVITIES = 30_000

_COMPONENT_RE = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9_.\-]{0,254})/([A-Za-z0-9_.$\-]{1,1024})$")
_COUNT_RE = re.compile(r"^(\d{1,9}) activities found:$")
_ENTRY_RE = re.compile(r"^Activity #\d{1,9}:$")
_RESOLVE_RE = re.compile(r"^priority=-?\d+ preferredOrder=-?\d+ match=0x[0-9a-fA-F]+")
_KV_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)=(.*)$")


class LauncherActivity(Frozen):
    """One launcher activity."""

    package: str
    component: str  # `pkg/full.ClassName`


class LauncherQuery(Frozen):
    """The launcher activities of one user."""

    activities: tuple[LauncherActivity, ...] = ()
    declared_count: int | None = None  # `N activities found:` (0 for `No activities found`)
    error: str | None = None
    issues: ParseIssues = Field(default_factory=ParseIssues)
    truncated: bool = False  # more than MAX_ACTIVITIES activities: the rest were not kept

    def packages(self) -> frozenset[str]:
        """Packages that have at least one launcher icon."""
        return frozenset(a.package for a in self.activities)


def parse_launcher_query(source: str | bytes | Iterable[str]) -> LauncherQuery:
    """Parse `cmd package query-activities` output (brief, full or components); never raises."""
    counter = IssueCounter()
    found: list[LauncherActivity] = []
    seen: set[str] = set()
    declared: int | None = None
    error: str | None = None
    truncated = False
    cap = MAX_ACTIVITIES
    # Full form: inside `ActivityInfo:` until its nested `ApplicationInfo:`.
    in_activity_info = False
    info_indent = 0
    info_name: str | None = None
    info_package: str | None = None

    def add(package: str, cls: str) -> None:
        nonlocal truncated
        component = flatten_component(package, cls)
        if component in seen:
            return
        if len(found) >= cap:
            truncated = True
            counter.add("(more activities than the cap)")
            return
        seen.add(component)
        found.append(LauncherActivity(package=package, component=component))

    def close_info() -> None:
        nonlocal in_activity_info, info_name, info_package
        if in_activity_info:
            if info_name and info_package:
                add(info_package, info_name)
            else:
                counter.add("ActivityInfo without name or packageName")
        in_activity_info = False
        info_name = info_package = None

    try:
        for raw in iter_lines(source):
            line = raw[:MAX_LINE]
            body = line.strip()
            if not body:
                continue
            indent = len(line) - len(line.lstrip(" "))
            if in_activity_info and indent <= info_indent:
                close_info()
            if in_activity_info:
                if indent == info_indent + 2 or info_name is None or info_package is None:
                    m = _KV_RE.match(body)
                    if body.startswith("ApplicationInfo:"):
                        close_info()
                        continue
                    if m is not None and m.group(1) == "name" and info_name is None:
                        info_name = m.group(2).strip()
                    elif m is not None and m.group(1) == "packageName" and info_package is None:
                        info_package = m.group(2).strip()
                continue
            m = _COUNT_RE.match(body)
            if m is not None:
                declared = int(m.group(1))
                continue
            if body == "No activities found":
                declared = 0
                continue
            if _ENTRY_RE.match(body) or _RESOLVE_RE.match(body):
                continue
            if body == "ActivityInfo:":
                in_activity_info = True
                info_indent = indent
                continue
            m = _COMPONENT_RE.match(body)
            if m is not None:
                add(m.group(1), m.group(2))
                continue
            if body.startswith(("Error", "Exception", "Failure", "java.", "Unknown command")):
                if error is None:
                    error = body[:500]
                continue
            if declared is not None and not body.startswith(("ActivityInfo", "ResolveInfo")):
                # Other ResolveInfo.dump lines of the full form (labels, icons, filters).
                continue
            counter.add(body)
        close_info()
    except Exception as exc:  # last resort: keep what was parsed
        counter.add(f"{PARSER_STOPPED}: {type(exc).__name__}")
    if declared is not None and declared != len(found) and error is None:
        # Fewer than announced: the output was cut, or two entries were the same component.
        counter.add(f"announced {declared} activities, read {len(found)}")
    return LauncherQuery(
        activities=tuple(found),
        declared_count=declared,
        error=error,
        issues=counter.freeze(),
        truncated=truncated,
    )
