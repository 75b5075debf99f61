"""The collectors: one small unit per artifact, in an explicit registry.

A collector names an artifact and its exact command (the table in `docs/architecture.md`;
the simulated phone, the allowlist and the parsers agree on these spellings). Per-user
collectors run once for each user id from `pm list users`, named `<name>_u<N>`. Collectors
are grouped into a few batches, each one shell session, so the number of round trips does
not depend on how many packages the phone has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stalkerscan.collect.manifest import Status

MiB = 1024 * 1024


@dataclass(frozen=True)
class Collector:
    """One artifact: its name, command template (`{user}` for per-user), batch and limits."""

    name: str
    command: str
    batch: str  # "identity", "main" or "package": which shell session it runs in
    description: str
    per_user: bool = False
    max_bytes: int = 32 * MiB
    ok_exit_codes: frozenset[int] = field(default_factory=lambda: frozenset({0}))
    masked: bool = False  # output is rewritten (masked) in memory before it touches the disk
    # A simpler command for older Androids, run (in one extra session for all users) only when
    # the first one was skipped or failed; it is saved under the same artifact name.
    fallback: str | None = None

    def fallback_for(self, user: int | None) -> str | None:
        """The fallback command line for one user, or None."""
        if self.fallback is None:
            return None
        return (
            self.fallback.format(user=int(user))
            if self.per_user and user is not None
            else self.fallback
        )

    def artifact_name(self, user: int | None) -> str:
        """The logical artifact name, `packages_u0` style for per-user collectors."""
        return f"{self.name}_u{user}" if self.per_user else self.name

    def command_for(self, user: int | None) -> str:
        """The exact command line for one user (per-user) or for the phone."""
        if self.per_user:
            if user is None or not 0 <= user <= 999_999:
                raise ValueError("a per-user collector needs a user id")
            return self.command.format(user=int(user))
        return self.command


_WHICH_OK = frozenset({0, 1})  # `which` exits 1 when the program is absent: that is the answer

REGISTRY: tuple[Collector, ...] = (
    # -- identity: small, first, tells who the phone is and who its users are --------------
    Collector("getprop", "getprop", "identity", "system properties (model, version, patch)"),
    Collector("selinux", "getenforce", "identity", "SELinux mode"),
    Collector("device_time", "date +%s", "identity", "the phone's clock"),
    Collector("su_path", "which su", "identity", "an `su` binary on PATH", ok_exit_codes=_WHICH_OK),
    Collector(
        "sha256sum_path",
        "which sha256sum",
        "identity",
        "whether the phone can hash APKs itself",
        ok_exit_codes=_WHICH_OK,
    ),
    Collector("users", "pm list users", "identity", "users and profiles"),
    # -- per user ------------------------------------------------------------------------------
    Collector(
        "packages",
        "pm list packages -f -i -U -u --user {user}",
        "main",
        "installed packages with path, installer and uid",
        per_user=True,
        # Android 7's pm answers "Error: Unknown option: -U" (uids come from dumpsys package).
        fallback="pm list packages -f -i -u --user {user}",
    ),
    Collector(
        "packages_disabled",
        "pm list packages -d --user {user}",
        "main",
        "disabled packages",
        per_user=True,
    ),
    Collector(
        "launcher",
        "cmd package query-activities --brief --user {user} "
        "-a android.intent.action.MAIN -c android.intent.category.LAUNCHER",
        "main",
        "apps with a launcher icon",
        per_user=True,
    ),
    Collector(
        "settings_secure",
        "settings --user {user} list secure",
        "main",
        "secure settings (accessibility, listeners, unknown sources)",
        per_user=True,
    ),
    Collector(
        "settings_system",
        "settings --user {user} list system",
        "main",
        "system settings",
        per_user=True,
    ),
    # -- whole phone -----------------------------------------------------------------------
    Collector("settings_global", "settings list global", "main", "global settings (Play Protect)"),
    Collector("device_policy", "dumpsys device_policy", "main", "device admins and owners"),
    Collector("accessibility", "dumpsys accessibility", "main", "accessibility services"),
    Collector("notification", "dumpsys notification", "main", "notification listeners"),
    Collector("appops", "dumpsys appops", "main", "app-ops (usage access, location, ...)"),
    Collector("input_method", "dumpsys input_method", "main", "keyboards"),
    Collector("role", "dumpsys role", "main", "default SMS, dialer and assistant apps"),
    Collector("deviceidle", "dumpsys deviceidle whitelist", "main", "battery exemptions"),
    Collector("connectivity", "dumpsys connectivity", "main", "VPNs"),
    Collector(
        "account",
        "dumpsys account",
        "main",
        "accounts by type (names masked before saving)",
        masked=True,
        max_bytes=16 * MiB,
    ),
    Collector("usagestats", "dumpsys usagestats", "main", "traces of removed packages"),
    Collector(
        "dumpsys_package",
        "dumpsys package",
        "package",
        "every package in detail (large, streamed)",
        max_bytes=512 * MiB,
    ),
)

BATCH_ORDER: tuple[str, ...] = ("identity", "main", "package")

# What a refused or missing command prints (toybox/mksh, servicemanager, cmd, binder).
_NOT_FOUND = re.compile(rb"(^|\n)[^\n]{0,200}(: not found|: inaccessible or not found)")
_NO_SERVICE = re.compile(rb"^\s*Can't find service: ")
_UNKNOWN = re.compile(
    rb"^\s*(Error: )?(Unknown command|Unknown option|Unknown verb|Invalid command)",
    re.IGNORECASE,
)
_DENIED = re.compile(
    rb"(SecurityException|Permission Denial|permission denied|does not have permission|"
    rb"requires android\.permission\.)",
    re.IGNORECASE,
)
_SMALL = 16 * 1024  # a refusal is a short message; a long dump merely mentioning it is not


def classify_result(
    collector: Collector, exit_code: int | None, head: bytes, size: int
) -> tuple[Status, str | None]:
    """ok / skipped / failed, with a reason, from the exit code and the start of the output."""
    if exit_code == 127 or (size < _SMALL and _NOT_FOUND.search(head) and exit_code != 0):
        return Status.SKIPPED, "command not available on this phone (exit 127: not found)"
    if _NO_SERVICE.match(head):
        return Status.SKIPPED, "service not available on this Android version (Can't find service)"
    if size < _SMALL and _UNKNOWN.match(head):
        first = head.split(b"\n", 1)[0][:120].decode("utf-8", "replace")
        return Status.SKIPPED, f"command not supported on this Android version ({first})"
    if size < _SMALL and _DENIED.search(head):
        return Status.SKIPPED, "refused by the phone (permission denied / SecurityException)"
    if exit_code is None:
        return Status.OK, None
    if exit_code not in collector.ok_exit_codes:
        return Status.FAILED, f"exit code {exit_code}"
    return Status.OK, None


def by_name(collectors: tuple[Collector, ...] = REGISTRY) -> dict[str, Collector]:
    """The registry as a dict by collector name."""
    return {c.name: c for c in collectors}
