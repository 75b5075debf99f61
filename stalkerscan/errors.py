"""Exit codes and the exception families of every stage.

Library code raises these; only the CLI layer (`stalkerscan.cli` and `stalkerscan.commands`)
turns them into a message and an exit code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The process exit codes, in one place (README "Exit codes" lists the same)."""

    NOTHING_FOUND = 0
    FINDINGS = 1
    USAGE = 2  # usage, configuration or feed error
    DEVICE = 3  # device or connection error
    INCOMPLETE = 4  # scan incomplete, partial results kept
    INTERRUPTED = 130


class StalkerscanError(Exception):
    """Base of every error the CLI knows how to explain.

    `message` says what happened; `hint` says what to do next.
    """

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} {self.hint}"


# --- usage, configuration, feeds, rules (exit 2) ---------------------------------------------


class UsageError(StalkerscanError):
    """The command line or a configuration file is wrong."""


class ConfigError(StalkerscanError):
    """A configuration file (or device profile) is malformed."""


class ProfileError(ConfigError):
    """A simulated-phone profile is malformed; the message names the file and key."""


class FeedError(StalkerscanError):
    """An indicator feed could not be imported, validated, stored or loaded."""


class RuleError(StalkerscanError):
    """A YARA rule set does not compile or its meta is incomplete."""


class CommandRefused(StalkerscanError):
    """A command did not pass the read-only allowlist and was never sent to the phone."""


# --- device and connection (exit 3) ----------------------------------------------------------


class DeviceError(StalkerscanError):
    """Talking to the phone failed."""

    exit_code = ExitCode.DEVICE


class NoDeviceError(DeviceError):
    """No phone is attached (or none is reachable at the given serial)."""


class MultipleDevicesError(DeviceError):
    """Several phones are attached and no `--serial` chose one."""

    def __init__(self, serials: list[str]) -> None:
        names = ", ".join(serials)
        super().__init__(
            f"Several phones are connected: {names}.",
            "Choose one with --serial SERIAL (for example --serial " + serials[0] + ").",
        )
        self.serials = serials


class UnauthorizedError(DeviceError):
    """The phone has not accepted this computer's key."""


class DeviceBusyError(DeviceError):
    """Another program (usually an adb server) holds the USB device."""


class DeviceOfflineError(DeviceError):
    """The phone is listed but offline."""


class DeviceTimeoutError(DeviceError):
    """The phone did not answer in time."""


class DisconnectedError(DeviceError):
    """The connection dropped in the middle of a command."""


class DevicePermissionError(DeviceError):
    """This computer's user may not open the phone's USB device (missing udev rule)."""


class DeviceProtocolError(DeviceError):
    """The phone sent data that breaks the ADB protocol (oversized, out of order, too long)."""


class RemoteFileError(DeviceError):
    """One file on the phone could not be read (missing, unreadable, too big); the link is fine."""


# --- acquisition and analysis ----------------------------------------------------------------


class AcquisitionError(StalkerscanError):
    """An acquisition folder is missing, unreadable or not an acquisition."""


class ApkError(StalkerscanError):
    """An APK could not be read safely (corrupt, hostile or over a limit); the message says why."""


class ScanIncomplete(StalkerscanError):
    """The scan stopped early; partial results were kept."""

    exit_code = ExitCode.INCOMPLETE


class ReportError(StalkerscanError):
    """A report file could not be written (disk full, no permission); nothing half-written stays."""
