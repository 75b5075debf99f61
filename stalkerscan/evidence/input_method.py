"""`dumpsys input_method` -> installed and enabled keyboards and the one in use.

A keyboard sees everything typed. Formats (InputMethodManagerService.dump):

- every version: ``  InputMethod #0:`` blocks whose first line is ``    mId=pkg/.Cls ...``
  (the installed input methods);
- the keyboard in use: ``  mCurMethodId=pkg/.Cls`` (Android 7-13), ``mCurId=`` on some builds,
  ``mSelectedMethodId=`` (Android 14+);
- enabled keyboards: ``    mEnabledInputMethodsStrCache=id;subtype:id2`` in the ``mSettings:``
  block (InputMethodSettings.dumpLocked), with ``    mCurrentUserId=0`` naming the user.
  Android 15+ prints one block per user (``  mSettings:`` repeated, each with its user id).

Secure settings: `enabled_input_methods` (``id;subtypeHash;subtypeHash:id2``) and
`default_input_method` (one id).
"""

from __future__ import annotations

import re

from stalkerscan.evidence._dumpsys import iter_lines_of, normalise_component, unavailable_reason
from stalkerscan.evidence.common import Budget, Frozen, IssueCounter, ParseIssues, to_text

# A real phone has a handful of keyboards and 1-4 users (Android allows a few dozen).
MAX_INPUT_METHODS = 2_000  # installed input method ids kept
MAX_USER_STATES = 256  # "mEnabledInputMethodsStrCache" blocks kept
MAX_ENABLED = 2_000  # enabled ids kept over every user


class ImeUserState(Frozen):
    """Enabled keyboards of one user, when the dump printed them."""

    user: int | None = None
    enabled: tuple[str, ...] = ()


class InputMethodDump(Frozen):
    """Parsed `dumpsys input_method`."""

    installed: tuple[str, ...] = ()  # every input method id (flattened component)
    current: str | None = None  # the keyboard in use
    per_user: tuple[ImeUserState, ...] = ()
    unavailable: str | None = None
    issues: ParseIssues = ParseIssues()
    truncated: bool = False  # a MAX_* cap was reached: ids or user blocks past it not kept

    def enabled(self) -> tuple[str, ...]:
        """Enabled keyboards over all users (deduplicated, in order)."""
        out: list[str] = []
        for u in self.per_user:
            for i in u.enabled:
                if i not in out:
                    out.append(i)
        return tuple(out)


def parse_enabled_input_methods(value: str | None) -> tuple[str, ...]:
    """Secure setting `enabled_input_methods` (`id;subtype:id2`) -> ids, subtypes dropped."""
    if value is None:
        return ()
    out: dict[str, None] = {}  # ordered, deduplicated in constant time
    for part in value.split(":"):
        comp = normalise_component(part.split(";", 1)[0])
        if comp is not None:
            out[comp] = None
    return tuple(out)


def parse_default_input_method(value: str | None) -> str | None:
    """Secure setting `default_input_method` -> the flattened id, or None."""
    if value is None:
        return None
    return normalise_component(value.split(";", 1)[0])


_ID = re.compile(r"^\s*mId=(\S+)")
_CURRENT = re.compile(r"^\s*(?:mCurMethodId|mCurId|mSelectedMethodId)=(\S*)")
_USER = re.compile(r"^\s*(?:mCurrentUserId|mUserId|userId)=(\d+)")
_ENABLED = re.compile(r"^\s*mEnabledInputMethodsStrCache=(.*)$")


def parse_input_method(data: bytes | str) -> InputMethodDump:
    """Parse `dumpsys input_method` (never raises); past the MAX_* caps it is `truncated`."""
    text = to_text(data)
    unavailable = unavailable_reason(text)
    if unavailable is not None:
        return InputMethodDump(unavailable=unavailable)
    issues = IssueCounter()
    installed: dict[str, None] = {}  # ordered, deduplicated in constant time
    current: str | None = None
    users: list[ImeUserState] = []
    user: int | None = None
    ids, states, enabled = Budget(MAX_INPUT_METHODS), Budget(MAX_USER_STATES), Budget(MAX_ENABLED)
    for line in iter_lines_of(text):
        m = _ID.match(line)
        if m:
            comp = normalise_component(m.group(1))
            if comp is None:
                issues.add(line)
            elif comp not in installed and ids.take():
                installed[comp] = None
            continue
        m = _CURRENT.match(line)
        if m:
            if current is None and m.group(1) not in ("", "null"):
                current = normalise_component(m.group(1))
                if current is None:
                    issues.add(line)
            continue
        m = _USER.match(line)
        if m:
            user = int(m.group(1))
            continue
        m = _ENABLED.match(line)
        if m:
            if states.take():
                found = parse_enabled_input_methods(m.group(1))
                users.append(
                    ImeUserState(user=user, enabled=found[: enabled.take_some(len(found))])
                )
            continue
        # The rest (bound clients, window tokens, history of switches) is not needed.
    return InputMethodDump(
        installed=tuple(installed),
        current=current,
        per_user=tuple(users),
        issues=issues.freeze(),
        truncated=ids.truncated or states.truncated or enabled.truncated,
    )
