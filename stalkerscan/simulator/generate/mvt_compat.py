"""Answers for MVT's `check-adb` on any loaded profile, derived from what the profile already says.

The benchmarks (issue 10) run `mvt-android check-adb` against the same simulated phone as
stalkerscan, so the phone must answer MVT's commands as a non-rooted phone would. The generator
renders MVT's per-package answers for specs with `mvt: true`; this module fills in whatever a
loaded profile does not answer yet, for every profile (huge, covert, ...), from the profile's
own outputs so nothing can disagree:

- `pm path PKG`: the base APK from `pm list packages -f` plus the split APKs beside it in `files:`;
- `dumpsys package PKG`: the package's own block of the full `dumpsys package`;
- `pm list packages -u -i -f` (and `-d`, `-s`, `-3`, `-f`, plain) for user 0;
- `cmd settings list NS`, `ps -A`, the full `dumpsys` (the profile's services, streamed),
  `dumpsys adb`, `dumpsys dbinfo`, `dumpsys batterystats --history/--daily`, `logcat -d/-L`,
  and the `find` listings of `/`, `/tmp/`, `/data/local/tmp/`, `/data/media/0` and `/sdcard/`.

The hash commands (md5sum, sha1sum, sha256sum, sha512sum) are answered by the simulated shell
from `files:`, charged at the profile's `hash_mb_s` like stalkerscan's `sha256sum`. Existing
answers are never replaced. No extra device-side run time is added to any answer (the full
`dumpsys` takes seconds on a real phone): where the model errs, it errs in MVT's favour.

    from stalkerscan.simulator.generate.mvt_compat import with_mvt_answers
    profile = with_mvt_answers(profile)     # a copy; the original is unchanged
"""

from __future__ import annotations

import posixpath
import random
import re
from collections.abc import Iterator
from dataclasses import replace

from stalkerscan.simulator.profile import (
    BytesContent,
    CommandOutput,
    Content,
    Profile,
    command_key,
)

# `dumpsys` services the full dump concatenates, when the profile answers them (AOSP order).
_FULL_DUMP_SERVICES = (
    "account", "accessibility", "appops", "connectivity", "device_policy", "deviceidle whitelist",
    "input_method", "notification", "package", "role", "usagestats",
)  # fmt: skip
_PRINTF = "'%T@ %m %s %u %g %p\\n'"
_ROOT_DIRS = (
    "acct", "apex", "bin", "bugreports", "cache", "config", "d", "data", "data_mirror",
    "debug_ramdisk", "dev", "etc", "linkerconfig", "metadata", "mnt", "odm", "odm_dlkm", "oem",
    "postinstall", "proc", "product", "sdcard", "second_stage_resources", "storage", "sys",
    "system", "system_dlkm", "system_ext", "vendor", "vendor_dlkm",
)  # fmt: skip
_SDCARD_FOLDERS = ("DCIM/Camera", "Pictures/Screenshots", "Download", "Music", "Movies")
SDCARD_FILES = 1500  # photos, downloads and app media a lived-in phone keeps on /sdcard
LOGCAT_BYTES = 1_000_000  # the readable log buffers of a non-rooted phone, roughly


class ChainContent(Content):
    """Several contents served one after the other (the full `dumpsys`), never held whole."""

    def __init__(self, parts: list[Content]) -> None:
        super().__init__()
        self.parts = parts
        self.size = sum(p.size for p in parts)

    def chunks(self) -> Iterator[bytes]:
        """See Content."""
        for part in self.parts:
            yield from part.chunks()


def _text(profile: Profile, line: str) -> str | None:
    """The stdout a profile gives for `line`, decoded (None when it does not answer it)."""
    answer = profile.commands.get(command_key(line))
    if answer is None or answer.stdout is None:
        return None
    return answer.stdout.read_all().decode("utf-8", errors="replace")


def _package_lines(profile: Profile) -> list[tuple[str, str, str]]:
    """(path, package, installer) for user 0, from the listing stalkerscan reads too."""
    text = _text(profile, "pm list packages -f -i -U -u --user 0")
    if text is None or not text.startswith("package:"):
        text = _text(profile, "pm list packages -f -i -u --user 0") or ""
    out = []
    for line in text.splitlines():
        if not line.startswith("package:"):
            continue
        head, _, rest = line[len("package:") :].partition("  ")
        path, sep, pkg = head.rpartition("=")
        if not sep:
            continue
        m = re.search(r"installer=(\S+)", rest)
        out.append((path, pkg, m.group(1) if m else "null"))
    return out


def _package_blocks(profile: Profile) -> dict[str, list[str]]:
    """Each package's block in the `Packages:` section of the full `dumpsys package`."""
    text = _text(profile, "dumpsys package") or ""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    in_packages = False
    for line in text.splitlines():
        if line == "Packages:":
            in_packages = True
            continue
        if not in_packages:
            continue
        if line and not line.startswith(" "):
            break  # the next top-level section
        m = re.match(r"  Package \[(.+)\] \(", line)
        if m:
            current = blocks.setdefault(m.group(1), [])
        if current is not None and line.strip():
            current.append(line)
    return blocks


def _apk_files(profile: Profile, base: str) -> list[str]:
    """The base APK and the split APKs in its folder, base first (what `pm path` prints)."""
    folder = posixpath.dirname(base)
    splits = sorted(
        p
        for p in profile.files
        if p != base and p.endswith(".apk") and posixpath.dirname(p) == folder
    )
    return [base, *splits]


def _out(text: str, exit_code: int = 0) -> CommandOutput:
    return CommandOutput(BytesContent(text.encode("utf-8")), b"", exit_code)


def _sdcard_listing(seed: int, printf: bool) -> str:
    rng = random.Random(seed)  # noqa: S311 - fictional file names, not secrets
    lines = []
    for i in range(SDCARD_FILES):
        folder = rng.choice(_SDCARD_FOLDERS)
        name = f"IMG_2026{rng.randint(101, 1130):04d}_{i:05d}.jpg"
        path = f"/sdcard/{folder}/{name}"
        if printf:
            when = 1_760_000_000 + rng.randint(0, 10_000_000)
            lines.append(f"{when}.0000000000 660 {rng.randint(20_000, 6_000_000)} u0_a171 "
                         f"media_rw {path}")  # fmt: skip
        else:
            lines.append(path)
    return "\n".join(lines) + "\n"


def _logcat(seed: int) -> Content:
    """About LOGCAT_BYTES of plausible log lines (generated once, deterministic)."""
    rng = random.Random(seed)  # noqa: S311 - filler, not secrets
    tags = ("ActivityManager", "WifiService", "BluetoothAdapter", "ConnectivityService",
            "PackageManager", "chatty", "GnssLocationProvider", "NotificationService")  # fmt: skip
    lines = ["--------- beginning of main"]
    size = 0
    while size < LOGCAT_BYTES:
        t = rng.randint(0, 86_399)
        line = (
            f"11-20 {t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}.{rng.randint(0, 999):03d} "
            f"{rng.randint(500, 9000):5d} {rng.randint(500, 9000):5d} I {rng.choice(tags)}: "
            f"event {rng.randint(0, 1 << 30):x} state={rng.randint(0, 9)}"
        )
        lines.append(line)
        size += len(line) + 1
    return BytesContent(("\n".join(lines) + "\n").encode())


def mvt_answers(profile: Profile) -> dict[str, CommandOutput]:
    """The answers MVT's check-adb needs, keyed like `Profile.commands`."""
    add: dict[str, CommandOutput] = {}
    packages = _package_lines(profile)
    blocks = _package_blocks(profile)
    present = [(path, pkg, inst) for path, pkg, inst in packages if path != "null"]

    def put(line: str, answer: CommandOutput) -> None:
        add[command_key(line)] = answer

    with_installer = "".join(f"package:{p}={n}  installer={i}\n" for p, n, i in packages)
    put("pm list packages -u -i -f", _out(with_installer))
    put("pm list packages -f", _out("".join(f"package:{p}={n}\n" for p, n, _ in present)))
    put("pm list packages", _out("".join(f"package:{n}\n" for _, n, _ in present)))
    system = [n for p, n, _ in present if not p.startswith("/data/")]
    third = [n for p, n, _ in present if p.startswith("/data/")]
    put("pm list packages -s", _out("".join(f"package:{n}\n" for n in system)))
    put("pm list packages -3", _out("".join(f"package:{n}\n" for n in third)))
    disabled = _text(profile, "pm list packages -d --user 0")
    if disabled is not None:
        put("pm list packages -d", _out(disabled))
    for path, pkg, _ in present:
        put(f"pm path {pkg}", _out("".join(f"package:{f}\n" for f in _apk_files(profile, path))))
        block = blocks.get(pkg, [])
        put(f"dumpsys package {pkg}", _out("\n".join(["Packages:", *block, ""]) + "\n"))

    for ns, ours in (("global", "settings list global"),
                     ("secure", "settings --user 0 list secure"),
                     ("system", "settings --user 0 list system")):  # fmt: skip
        answer = profile.commands.get(command_key(ours))
        if answer is not None:
            put(f"cmd settings list {ns}", answer)

    parts: list[Content] = []
    for service in _FULL_DUMP_SERVICES:
        answer = profile.commands.get(command_key(f"dumpsys {service}"))
        if answer is not None and answer.stdout is not None:
            name = service.split()[0]
            bar = "-" * 78
            head = f"{bar}\nDUMP OF SERVICE {name}:\n".encode()
            parts += [BytesContent(head), answer.stdout]
    put("dumpsys", CommandOutput(ChainContent(parts)))
    put("dumpsys adb", _out("{\n  debugging_manager={\n    connected_to_adb=true\n  }\n}\n"))
    put("dumpsys dbinfo", _out("Applications Graphics Acceleration Info:\n\n"))
    put("dumpsys batterystats --history", _out("Battery History (0% used, 0 used of 4096KB):\n"))
    put("dumpsys batterystats --daily", _out("Daily stats:\n  Current start time: 2026-11-20\n"))
    ps_lines = ["USER           PID  PPID     VSZ    RSS WCHAN            ADDR S NAME",
                "root             1     0 10876500  9020 do_epoll_wait       0 S init"]  # fmt: skip
    for k, (_, pkg, _) in enumerate(p for p in present if p[0].startswith("/data/")):
        ps_lines.append(f"u0_a{100 + k:<9} {2000 + 13 * k:>5}   612 15112236 98712 "
                        f"do_epoll_wait       0 S {pkg}")  # fmt: skip
    put("ps -A", _out("\n".join(ps_lines) + "\n"))
    seed = len(packages)
    put('logcat -d -b all "*:V"', CommandOutput(_logcat(seed)))
    put('logcat -L -b all "*:V"', _out("--------- beginning of main\n"))

    # toybox find (Android 10+ has -printf); a non-rooted shell reads /sdcard and
    # /data/local/tmp only. stderr goes to /dev/null in MVT's commands.
    root = "".join(
        f"1700000000.0000000000 755 4096 root root /{d}\n" for d in ("", *_ROOT_DIRS)
    ).replace(" //\n", " /\n")
    put(f"find '/' -maxdepth 1 -printf {_PRINTF}", _out(root))
    for printf in (True, False):
        suffix = f" -printf {_PRINTF}" if printf else ""
        put(f"find '/tmp/' -type f{suffix}", _out("", 1))
        put(f"find '/data/local/tmp/' -type f{suffix}", _out(""))
        put(f"find '/data/media/0' -type f{suffix}", _out("", 1))
        put(f"find '/sdcard/' -type f{suffix}", _out(_sdcard_listing(seed, printf)))
    return add


def with_mvt_answers(profile: Profile) -> Profile:
    """A copy of `profile` that also answers MVT's commands (existing answers are kept)."""
    commands = {**mvt_answers(profile), **profile.commands}
    return replace(profile, commands=commands)


__all__ = ["ChainContent", "mvt_answers", "with_mvt_answers"]
