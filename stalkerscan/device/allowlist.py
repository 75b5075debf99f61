"""The read-only allowlist: every command the tool sends to a phone passes `check_command`.

A command line is split into simple commands joined by `;`, `&&` or `||`. Each simple command
must match one entry below, word by word; the only redirections allowed are `2>/dev/null` and
`2>&1`. Pipes, backgrounding, other redirections, substitutions, globs, quotes around anything
but safe words, backslashes and newlines are refused; paths (hashes, pulls) must be absolute and
outside the pseudo-filesystems /dev, /proc, /sys, /d, /acct and /config. An entry is added
here only for a command that cannot change the phone whatever its arguments (for `dumpsys`,
only the services and arguments listed: some services act on arguments, e.g.
`dumpsys deviceidle whitelist +pkg` or `dumpsys battery set`).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator, Sequence

from stalkerscan.errors import CommandRefused

_SAFE_WORD = re.compile(r"^[A-Za-z0-9_.,:=@%+/-]+$")
_PACKAGE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
_USER_ID = re.compile(r"^(\d{1,6}|all|current)$")
_SETTING_KEY = re.compile(r"^[A-Za-z0-9_.:-]+$")
_ECHO_WORD = re.compile(r"^([A-Za-z0-9_.,:=@%+/-]|\$\?)+$")
# An absolute path on the phone: no `..` component, no shell metacharacters.
_REMOTE_PATH = re.compile(r"^/[A-Za-z0-9_.,=+@~/-]+$")
_ALLOWED_REDIRECTS = ("2>/dev/null", "2>&1")

# dumpsys services whose plain dump (no arguments) is read-only.
DUMPSYS_SERVICES = frozenset(
    {
        "package",
        "device_policy",
        "accessibility",
        "notification",
        "appops",
        "input_method",
        "role",
        "connectivity",
        "account",
        "usagestats",
        "user",
        "activity",
        "location",
        "settings",
        "window",
        "vpn_management",
        "webviewupdate",
        "telephony.registry",
        "wifi",
        "deviceidle",
        "battery",
        "batterystats",
        "dbinfo",
        "permissionmgr",
    }
)
# dumpsys services with the exact argument lists allowed (read-only sub-dumps).
DUMPSYS_ARGS: dict[str, tuple[tuple[str, ...], ...]] = {
    "deviceidle": (("whitelist",),),
    "activity": (("services",), ("providers",), ("broadcasts",), ("recents",)),
    "appops": (("--history",),),
}
PM_LIST_FLAGS = frozenset({"-f", "-i", "-U", "-u", "-d", "-e", "-s", "-3", "-a", "-g", "-l"})
PM_LIST_FLAGS_LONG = frozenset({"--show-versioncode", "--apex-only", "--uid"})
HASH_COMMANDS = frozenset({"sha256sum", "sha1sum", "md5sum", "sha512sum"})
SETTINGS_NAMESPACES = frozenset({"global", "secure", "system"})
QUERY_VERBS = frozenset({"query-activities", "query-services", "query-receivers"})


def check_remote_path(path: str) -> None:
    """Refuse a phone path that is not absolute, contains `..` or shell metacharacters."""
    if not is_safe_remote_path(path):
        raise CommandRefused(f"Refused an unsafe path on the phone: {path!r}.")


# Pseudo-filesystems where merely opening a file can act (opening /dev/watchdog without its
# magic close reboots many phones; /d is Android's link to debugfs). APK paths come from the
# phone's own `pm` output, so a path there is untrusted: reading under these roots is refused.
PSEUDO_FS_ROOTS = frozenset({"dev", "proc", "sys", "d", "acct", "config"})


def is_safe_remote_path(path: str) -> bool:
    """True for an absolute phone path without `..`, empty components or metacharacters,
    outside the pseudo-filesystems (/dev, /proc, /sys, ...)."""
    if len(path) > 4096 or not _REMOTE_PATH.match(path):
        return False
    parts = path.split("/")[1:]
    if parts and parts[0] in PSEUDO_FS_ROOTS:
        return False
    return all(p not in ("", ".", "..") for p in parts)


def check_command(command: str) -> None:
    """Raise CommandRefused unless every simple command in `command` is read-only."""
    if "\n" in command or "\r" in command or "\x00" in command:
        raise CommandRefused("Refused a command with a line break or NUL byte.")
    if "\\" in command:
        # shlex removes backslash escapes before the words are checked (`getprop \a` would be
        # checked as `getprop a`), so the word check cannot see them: refuse them outright.
        raise CommandRefused("Refused a command with a backslash.")
    if not command.strip():
        raise CommandRefused("Refused an empty command.")
    for simple in split_simple_commands(command):
        words = [w for w in simple if w not in _ALLOWED_REDIRECTS]
        if not words:
            raise CommandRefused(f"Refused an empty command in {command[:200]!r}.")
        if not _simple_is_allowed(words):
            raise CommandRefused(
                f"Refused a command that is not on the read-only allowlist: "
                f"{' '.join(words)[:200]!r}."
            )


def is_allowed(command: str) -> bool:
    """True when `check_command` accepts `command`."""
    try:
        check_command(command)
    except CommandRefused:
        return False
    return True


def split_simple_commands(command: str) -> Iterator[list[str]]:
    """Split on `;`, `&&`, `||` into word lists; refuse any other shell syntax."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|<>()")
    lexer.whitespace_split = True
    lexer.commenters = ""
    current: list[str] = []
    try:
        tokens = list(lexer)
    except ValueError as err:  # unbalanced quotes
        raise CommandRefused(f"Refused a malformed command: {err}.") from err
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in (";", "&&", "||"):
            if not current:
                raise CommandRefused("Refused a command with an empty part.")
            yield current
            current = []
        elif tok == "2" and i + 2 < len(tokens) and tokens[i + 1] in (">", ">&"):
            target = tokens[i + 2]
            redirect = "2>/dev/null" if tokens[i + 1] == ">" else "2>&1"
            if (tokens[i + 1] == ">" and target != "/dev/null") or (
                tokens[i + 1] == ">&" and target != "1"
            ):
                raise CommandRefused(f"Refused a redirection to {target!r}.")
            current.append(redirect)
            i += 2
        elif any(c in tok for c in ";&|<>()`$*?[]{}\\'\"") and not _ECHO_WORD.match(tok):
            raise CommandRefused(f"Refused shell syntax {tok[:50]!r}.")
        else:
            current.append(tok)
        i += 1
    if current:
        yield current
    elif tokens:
        raise CommandRefused("Refused a command that ends with an operator.")


def _all(words: Sequence[str], pattern: re.Pattern[str]) -> bool:
    return all(pattern.match(w) for w in words)


def _user_opt(words: list[str]) -> list[str] | None:
    """Strip one `--user N`; None when malformed."""
    out: list[str] = []
    i = 0
    while i < len(words):
        if words[i] == "--user":
            if i + 1 >= len(words) or not _USER_ID.match(words[i + 1]):
                return None
            i += 2
            continue
        out.append(words[i])
        i += 1
    return out


def _pm(args: list[str]) -> bool:
    rest = _user_opt(args)
    if rest is None or not rest:
        return False
    if rest[0] == "list" and len(rest) >= 2 and rest[1] in ("users", "features", "libraries"):
        return len(rest) == 2
    if rest[0] == "list" and len(rest) >= 2 and rest[1] in ("packages", "permissions"):
        for w in rest[2:]:
            if w.startswith("-"):
                flags = [w] if w.startswith("--") else [f"-{c}" for c in w[1:]]
                if not all(f in PM_LIST_FLAGS or f in PM_LIST_FLAGS_LONG for f in flags):
                    return False
            elif not _PACKAGE.match(w):  # a name filter
                return False
        return True
    if rest[0] == "path" and len(rest) == 2:
        return bool(_PACKAGE.match(rest[1]))
    return False


def _dumpsys(args: list[str]) -> bool:
    if not args:
        return False
    service, extra = args[0], args[1:]
    if service not in DUMPSYS_SERVICES:
        return False
    if not extra:
        return True
    if service == "package" and len(extra) == 1:
        return bool(_PACKAGE.match(extra[0]))
    return tuple(extra) in DUMPSYS_ARGS.get(service, ())


def _settings(args: list[str]) -> bool:
    rest = _user_opt(args)
    if rest is None or len(rest) < 2 or rest[1] not in SETTINGS_NAMESPACES:
        return False
    if rest[0] == "list":
        return len(rest) == 2
    if rest[0] == "get":
        return len(rest) == 3 and bool(_SETTING_KEY.match(rest[2]))
    return False


def _cmd(args: list[str]) -> bool:
    if len(args) >= 2 and args[0] == "package" and args[1] in QUERY_VERBS:
        rest = _user_opt(args[2:])
        if rest is None:
            return False
        i = 0
        while i < len(rest):
            if rest[i] in ("-a", "-c", "-n") and i + 1 < len(rest):
                if not _SAFE_WORD.match(rest[i + 1]):
                    return False
                i += 2
            elif rest[i] in ("--brief", "--components"):
                i += 1
            else:
                return False
        return True
    if len(args) >= 2 and args[0] == "package" and args[1] == "list":
        return _pm(["list", *args[2:]])
    if args[:2] == ["role", "get-role-holders"] and len(args) in (3, 5):
        return _user_opt(args[2:]) is not None and _SAFE_WORD.match(args[-1]) is not None
    return False


def _hash(args: list[str]) -> bool:
    return bool(args) and all(is_safe_remote_path(a) for a in args)


def _which(args: list[str]) -> bool:
    return len(args) == 1 and bool(re.match(r"^[A-Za-z0-9_.-]+$", args[0]))


_CHECKS: dict[str, Callable[[list[str]], bool]] = {
    "getprop": lambda a: len(a) <= 1 and _all(a, _SETTING_KEY),
    "getenforce": lambda a: not a,
    "date": lambda a: a in ([], ["+%s"]),
    "uname": lambda a: a in ([], ["-a"], ["-r"]),
    "id": lambda a: not a,
    "echo": lambda a: _all(a, _ECHO_WORD),
    "which": _which,
    "pm": _pm,
    "dumpsys": _dumpsys,
    "settings": _settings,
    "cmd": _cmd,
    "ime": lambda a: set(a) <= {"list", "-a", "-s"} and a[:1] == ["list"],
    **{name: _hash for name in HASH_COMMANDS},
}


def _simple_is_allowed(words: list[str]) -> bool:
    if words[0] == "command" and len(words) == 3 and words[1] == "-v":
        return _which(words[2:])
    check = _CHECKS.get(words[0])
    return check is not None and check(words[1:])
