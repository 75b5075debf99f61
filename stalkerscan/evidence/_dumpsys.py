"""Small text helpers shared by the device and special-access parsers (private to evidence/).

Component names, Android uids, `dumpsys` durations and "service missing" answers look the same in
many `dumpsys` outputs; parsing them in one place keeps the parsers consistent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# A package name as Android accepts it (segments of letters, digits, underscore), loosely: the
# phone may be hostile, so we accept what Android could print and never interpret it further.
_PKG = r"[A-Za-z0-9_][A-Za-z0-9_.\-]*"
_CLS = r"[A-Za-z0-9_.$\-]+"
COMPONENT_RE = re.compile(rf"({_PKG})/({_CLS})")
_COMPONENT_INFO_RE = re.compile(rf"ComponentInfo\{{({_PKG})/({_CLS})\}}")
PACKAGE_RE = re.compile(rf"^{_PKG}$")

MAX_LINE = 100_000  # longer lines are cut before any regex sees them (bounded work)


def lines_of(text: str) -> list[str]:
    """Split normalised text into lines, each cut to a bounded length."""
    return [line[:MAX_LINE] for line in text.split("\n")]


def iter_lines_of(text: str) -> Iterator[str]:
    """The lines of `lines_of`, one at a time (no list of every line held at once)."""
    start, end_of_text = 0, len(text)
    while start <= end_of_text:
        end = text.find("\n", start)
        if end < 0:
            end = end_of_text
        yield text[start : end if end - start <= MAX_LINE else start + MAX_LINE]
        start = end + 1


def normalise_component(raw: str) -> str | None:
    """`pkg/.Cls`, `pkg/pkg.Cls`, `{pkg/.Cls}` or `ComponentInfo{pkg/.Cls}` -> `pkg/pkg.Cls`."""
    s = raw.strip()
    m = _COMPONENT_INFO_RE.fullmatch(s)
    if m is None:
        s = s.strip("{}").strip()
        m = COMPONENT_RE.fullmatch(s)
    if m is None:
        return None
    pkg, cls = m.group(1), m.group(2)
    if cls.startswith("."):
        cls = pkg + cls
    return f"{pkg}/{cls}"


def package_of(component: str) -> str:
    """The package part of a flattened component name."""
    return component.split("/", 1)[0]


def split_colon_components(value: str | None) -> tuple[str, ...]:
    """Split a colon-separated secure setting of components; junk entries are dropped."""
    if value is None:
        return ()
    out: dict[str, None] = {}  # ordered, deduplicated in constant time
    for part in value.split(":"):
        comp = normalise_component(part)
        if comp is not None:
            out[comp] = None
    return tuple(out)


_UID_RE = re.compile(r"^(?:(\d+)|u(\d+)([asi])(\d+))$")


def parse_uid(text: str) -> int | None:
    """Android's printed uid (`10123`, `u0a123`, `u10s1000`, `u0i5`) as an integer."""
    m = _UID_RE.match(text.strip())
    if m is None:
        return None
    if m.group(1) is not None:
        return int(m.group(1))
    user, kind, num = int(m.group(2)), m.group(3), int(m.group(4))
    base = user * 100_000
    if kind == "a":
        return base + 10_000 + num
    if kind == "i":
        return base + 99_000 + num
    return base + num


def user_of_uid(uid: int) -> int:
    """The Android user id that owns a uid."""
    return uid // 100_000


_DUR_PART = re.compile(r"(\d+)(d|h|ms|m|s)")
_DUR_RE = re.compile(r"^[+-]?(?:\d+(?:d|h|ms|m|s))+$")
_DUR_FACTOR = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_duration(text: str) -> float | None:
    """`TimeUtils.formatDuration` text (`+1h2m3s4ms`, `-23s192ms`, `0`) as seconds, unsigned."""
    s = text.strip()
    if s in ("0", "+0", "-0"):
        return 0.0
    if not _DUR_RE.match(s):
        return None
    return sum(int(n) * _DUR_FACTOR[u] for n, u in _DUR_PART.findall(s))


_UNAVAILABLE = (
    re.compile(r"^Can't find service: (\S+)"),
    re.compile(r"^Permission Denial: (.*)"),
    re.compile(r"^/system/bin/sh: (\S+): (?:not found|inaccessible or not found)"),
    re.compile(r"^(?:sh|/system/bin/sh): .*: not found"),
)


def unavailable_reason(text: str) -> str | None:
    """Why a `dumpsys`/shell command gave nothing usable ("Can't find service", denial), or None."""
    head = text.lstrip()[:500]
    first = head.split("\n", 1)[0].strip()
    for rx in _UNAVAILABLE:
        if rx.match(first):
            return first[:200]
    return None


def indent_of(line: str) -> int:
    """Number of leading spaces (tabs count as one)."""
    return len(line) - len(line.lstrip(" \t"))
