"""`sha256sum PATH PATH ...` run on the phone (toybox from Android 8; busybox on rooted phones).

stdout holds `HEX  PATH` (two spaces; `HEX *PATH` in binary mode); errors go to stderr as
`sha256sum: PATH: Permission denied` (toybox) or `sha256sum: can't open 'PATH': No such file or
directory` (busybox) and may be interleaved with stdout when both were saved together (adb shell
protocol v1 merges them). A path holding a newline or backslash is printed by GNU-style tools with
a leading `\\` and escapes; such lines are unescaped. Any other line is counted, never fatal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import Field

from stalkerscan.evidence.common import Frozen, IssueCounter, ParseIssues
from stalkerscan.evidence.package import MAX_LINE, PARSER_STOPPED, iter_lines

MAX_FILES = 200_000

_HASH_RE = re.compile(r"^(\\?)([0-9a-fA-F]{64}) [ *](.+)$")
_TOYBOX_ERR_RE = re.compile(r"^(?:[\w./-]*sha256sum): (.+): ([^:]{1,200})$")
_BUSYBOX_ERR_RE = re.compile(r"^(?:[\w./-]*sha256sum): can't open '(.+)': ([^:]{1,200})$")
_MISSING_TOOL_RE = re.compile(r"(?:sha256sum: (?:inaccessible or )?not found|sha256sum: not found)")


class FileHash(Frozen):
    """The result for one path: a hash or the error the phone gave."""

    path: str
    sha256: str | None = None  # lower-case hex
    error: str | None = None  # e.g. "Permission denied", "No such file or directory"


class HashList(Frozen):
    """All results of one or more `sha256sum` runs, in the order printed."""

    files: tuple[FileHash, ...] = ()
    tool_missing: bool = False  # `sha256sum: not found`: nothing could be hashed
    issues: ParseIssues = Field(default_factory=ParseIssues)

    def get(self, path: str) -> FileHash | None:
        """The result for one path."""
        for f in self.files:
            if f.path == path:
                return f
        return None

    def as_dict(self) -> dict[str, str]:
        """path -> sha256 for the paths that were hashed."""
        return {f.path: f.sha256 for f in self.files if f.sha256 is not None}


def _unescape(path: str) -> str:
    # GNU coreutils: `\\` -> backslash, `\n` -> newline (only on lines that start with `\`).
    out = []
    i = 0
    while i < len(path):
        c = path[i]
        if c == "\\" and i + 1 < len(path):
            nxt = path[i + 1]
            out.append("\n" if nxt == "n" else "\r" if nxt == "r" else nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_sha256sum(source: str | bytes | Iterable[str]) -> HashList:
    """Parse `sha256sum` output, stdout and stderr mixed or not; never raises."""
    counter = IssueCounter()
    results: dict[str, FileHash] = {}
    tool_missing = False
    try:
        for raw in iter_lines(source):
            line = raw[:MAX_LINE]
            if not line.strip():
                continue
            entry: FileHash | None = None
            m = _HASH_RE.match(line)
            if m is not None:
                path = _unescape(m.group(3)) if m.group(1) else m.group(3)
                entry = FileHash(path=path, sha256=m.group(2).lower())
            else:
                stripped = line.strip()
                m = _BUSYBOX_ERR_RE.match(stripped) or _TOYBOX_ERR_RE.match(stripped)
                if m is not None:
                    entry = FileHash(path=m.group(1), error=m.group(2).strip())
                elif _MISSING_TOOL_RE.search(stripped):
                    tool_missing = True
                    continue
            if entry is None:
                counter.add(line)
                continue
            previous = results.get(entry.path)
            if previous is not None:
                if previous.sha256 is not None and entry.sha256 is not None:
                    if previous.sha256 != entry.sha256:
                        # The same file hashed twice with two answers: keep neither as truth.
                        results[entry.path] = FileHash(
                            path=entry.path, error="hashed twice with different results"
                        )
                    continue
                if previous.sha256 is not None:
                    continue  # a hash beats an error for the same path
            elif len(results) >= MAX_FILES:
                counter.add("(more files than the cap)")
                break
            results[entry.path] = entry
    except Exception as exc:  # last resort: keep what was parsed
        counter.add(f"{PARSER_STOPPED}: {type(exc).__name__}")
    return HashList(
        files=tuple(results.values()), tool_missing=tool_missing, issues=counter.freeze()
    )
