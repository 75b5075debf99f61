"""Render a spec into a simulated-phone profile folder (`profile.yaml` + `outputs/` + `apks/`).

The folder is what `stalkerscan.simulator.profile.Profile.load` reads. Outputs are written as
UTF-8 (hostile specs smuggle invalid bytes through surrogate escapes); large outputs are
written in chunks so the 5,000-package and 200 MB variants never sit whole in memory.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from stalkerscan.simulator.generate import android
from stalkerscan.simulator.generate import render_packages as rp
from stalkerscan.simulator.generate import render_services as rs
from stalkerscan.simulator.generate.model import Phone, build_phone
from stalkerscan.simulator.generate.spec import ScenarioSpec

# The standard phone model of issue 10 (stated next to every benchmark figure). hash_mb_s: a
# mid-range phone's toybox sha256sum reads and hashes about 150 MB/s (flash + one core).
# Profiles with more commands + files than this are written as JSON (see ProfileWriter.write).
JSON_ABOVE_ENTRIES = 2_000

STANDARD_LINK = {
    "stream_open_ms": 1.0,
    "write_ms": 0.5,
    "shell_run_ms": 20.0,
    "bulk_mb_s": 35.0,
    "hash_mb_s": 150.0,
}
ZERO_LINK: dict[str, float] = {}

_DEFAULT_BINARIES = (
    "sh",
    "toybox",
    "ls",
    "cat",
    "echo",
    "grep",
    "find",
    "ps",
    "id",
    "date",
    "uname",
    "which",
    "getprop",
    "setprop",
    "getenforce",
    "sha1sum",
    "md5sum",
    "pm",
    "am",
    "cmd",
    "dumpsys",
    "settings",
    "ime",
    "logcat",
    "bu",
    "app_process",
    "wm",
    "content",
    "service",
)


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def write_lines(path: Path, lines: Iterable[str], batch: int = 4096) -> int:
    """Write lines (each followed by \\n) in batches; return the byte count."""
    n = 0
    buf: list[str] = []
    with path.open("wb") as f:
        for line in lines:
            buf.append(line)
            if len(buf) >= batch:
                data = _encode("\n".join(buf) + "\n")
                f.write(data)
                n += len(data)
                buf.clear()
        if buf:
            data = _encode("\n".join(buf) + "\n")
            f.write(data)
            n += len(data)
    return n


class ProfileWriter:
    """Collects outputs and files, then writes `profile.yaml`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "outputs").mkdir(parents=True, exist_ok=True)
        self.commands: dict[str, Any] = {}
        self.files: dict[str, Any] = {}
        self._n = 0

    def _name(self, command: str) -> str:
        self._n += 1
        slug = "".join(c if c.isalnum() else "_" for c in command)[:60].strip("_")
        return f"outputs/{self._n:04d}_{slug}.txt"

    def output(
        self, command: str, text: str | Iterable[str], *, exit: int = 0, stderr: str = ""
    ) -> str:
        """Answer `command` with `text` (a string, or lines to stream) on stdout."""
        rel = self._name(command)
        if isinstance(text, str):
            (self.root / rel).write_bytes(_encode(text))
        else:
            write_lines(self.root / rel, text)
        if exit == 0 and not stderr:
            self.commands[command] = rel
        else:
            self.commands[command] = {"stdout": rel, "exit": exit, "stderr": stderr}
        return rel

    def inline(self, command: str, text: str = "", *, exit: int = 0, stderr: str = "") -> None:
        """Answer `command` with a short inline text."""
        entry: dict[str, Any] = {"text": text, "exit": exit}
        if stderr:
            entry["stderr"] = stderr
        self.commands[command] = entry

    def write(self, header: dict[str, Any]) -> Path:
        """Write profile.yaml (header + commands + files)."""
        import yaml

        data = dict(header)
        data["commands"] = self.commands
        data["files"] = self.files
        if len(self.commands) + len(self.files) > JSON_ABOVE_ENTRIES:
            # JSON is YAML too, and loads ~100x faster than YAML's Python constructor (a
            # 5,000-package profile: seconds in YAML); small profiles stay readable YAML.
            text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        else:
            dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
            text = yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=1000)
        path = self.root / "profile.yaml"
        path.write_text(text, encoding="utf-8")
        return path


def missing_service(name: str) -> str:
    """What dumpsys prints on stderr for a service this phone does not have."""
    return f"Can't find service: {name}\n"


def render_phone(ph: Phone, root: Path) -> Path:
    """Write the profile folder of an already built phone; return profile.yaml's path."""
    spec = ph.spec
    w = ProfileWriter(root)
    ver = ph.android

    w.output("getprop", rs.getprop(ph))
    w.inline("getenforce", spec.device.selinux + "\n")
    w.inline("date +%s", f"{ph.now}\n")
    w.output("pm list users", rp.pm_list_users(ph))
    for u in ph.users:
        n = u.id
        cmd = f"pm list packages -f -i -U -u --user {n}"
        if android.pm_list_knows_uid(ver):
            w.output(cmd, rp.pm_list_packages(ph, n))
        else:
            # Android 7's pm has no -U: it prints the error on stdout and returns -1.
            w.output(cmd, rp.pm_list_unknown_option("-U"), exit=255)
        w.output(
            f"pm list packages -f -i -u --user {n}", rp.pm_list_packages(ph, n, with_uid=False)
        )
        w.output(f"pm list packages -d --user {n}", rp.pm_list_disabled(ph, n))
        w.output(
            f"cmd package query-activities --brief --user {n} -a android.intent.action.MAIN "
            "-c android.intent.category.LAUNCHER",
            rp.launcher_activities(ph, n),
        )
        w.output(f"settings --user {n} list secure", rs.settings_list(ph, "secure", n))
        w.output(f"settings --user {n} list system", rs.settings_list(ph, "system", n))
    w.output("settings list global", rs.settings_list(ph, "global", 0))
    w.output("dumpsys package", rp.dumpsys_package(ph))
    w.output("dumpsys device_policy", rs.device_policy(ph))
    w.output("dumpsys accessibility", rs.accessibility(ph))
    w.output("dumpsys notification", rs.notification(ph))
    w.output("dumpsys appops", rs.appops(ph))
    w.output("dumpsys input_method", rs.input_method(ph))
    if android.has_role_service(ver):
        w.output("dumpsys role", rs.role(ph))
    else:
        w.inline("dumpsys role", "", stderr=missing_service("role"))
    w.output("dumpsys deviceidle whitelist", rs.deviceidle_whitelist(ph))
    w.output("dumpsys connectivity", rs.connectivity(ph))
    w.output("dumpsys account", rs.account(ph))
    w.output("dumpsys usagestats", rs.usagestats(ph))
    if spec.mvt:
        _mvt_commands(ph, w)

    apk_dir = root / "apks"
    copied: dict[Path, str] = {}
    for p in ph.packages:
        if p.removed_at is not None:
            continue
        for f in p.apks:
            if f.source is not None:
                if f.source not in copied:
                    apk_dir.mkdir(exist_ok=True)
                    dest = apk_dir / f.source.name
                    shutil.copyfile(f.source, dest)
                    copied[f.source] = f"apks/{f.source.name}"
                w.files[f.path] = {"source": copied[f.source]}
            else:
                w.files[f.path] = {"generate": {"size": f.size, "seed": f.seed}}

    binaries = list(_DEFAULT_BINARIES)
    if ph.has_sha256sum:
        binaries += ["sha256sum", "sha512sum"]
    if ph.rooted:
        binaries.append("/system/xbin/su")
    link = spec.link
    if isinstance(link, str):
        link = STANDARD_LINK if link == "standard" else ZERO_LINK
    header: dict[str, Any] = {
        "schema": 1,
        "name": spec.name,
        # The short title: `simulate` prints it; the long text is ScenarioInfo.description.
        "description": spec.title or spec.description.strip(),
        "serial": ph.properties["ro.serialno"],
        "banner": {"features": ["shell_v2", "cmd"]},
        "properties": ph.properties,
        "binaries": binaries,
        "link": dict(link),
    }
    if spec.auth:
        header["auth"] = dict(spec.auth)
    return w.write(header)


def _mvt_commands(ph: Phone, w: ProfileWriter) -> None:
    """Per-package answers for the commands MVT's check-adb sends (issue 10 item 4).

    MVT lists packages with `pm list packages -u -i -f` (newer releases add `-U`), then per
    package runs `pm path`, one hash command per file (the simulated shell answers md5sum,
    sha1sum, sha256sum and sha512sum from `files:`) and `dumpsys package PKG`, then
    `pm list packages -d/-s/-3`. User 0 is what `pm` without `--user` shows.
    """
    w.output("pm list packages -u -i -f", rp.pm_list_packages(ph, 0, with_uid=False))
    w.output("pm list packages -U -u -i -f", rp.pm_list_packages(ph, 0))
    w.output("pm list packages -f", _names_only(ph, "f"))
    w.output("pm list packages", _names_only(ph, ""))
    w.output("pm list packages -d", rp.pm_list_disabled(ph, 0))
    w.output("pm list packages -s", _names_only(ph, "s"))
    w.output("pm list packages -3", _names_only(ph, "3"))
    for p in ph.packages:
        if p.removed_at is not None:
            continue
        w.inline(f"pm path {p.name}", rp.pm_path(p))
        w.output(f"dumpsys package {p.name}", rp.dumpsys_package_one(ph, p))
    w.output("ps -A", _ps(ph))
    # A non-rooted phone: no logcat history readable by shell beyond its own, no backup.
    w.inline('logcat -d -b all "*:I"', "--------- beginning of main\n")
    w.inline("bu backup -nocompress com.android.providers.telephony", "", exit=0)


def _names_only(ph: Phone, kind: str) -> str:
    """`pm list packages [-s|-3|-f]` for user 0 (installed packages only)."""
    out = []
    for p in ph.packages:
        if not p.installed_for(0):
            continue
        if (kind == "s" and not p.is_system) or (kind == "3" and p.is_system):
            continue
        out.append(f"package:{p.base_apk}={p.name}" if kind == "f" else f"package:{p.name}")
    return "\n".join(out) + ("\n" if out else "")


def _ps(ph: Phone) -> Iterator[str]:
    yield "USER           PID  PPID     VSZ    RSS WCHAN            ADDR S NAME"
    yield "root             1     0 10876500  9020 do_epoll_wait       0 S init"
    pid = 700
    for p in ph.packages:
        if p.partition == "data" and p.removed_at is None and p.installed_for(0):
            pid += 13
            user = f"u0_a{p.app_id - 10000}"
            yield f"{user:<14}{pid:>5}   612 15112236 98712 do_epoll_wait       0 S {p.name}"
    yield f"shell        {pid + 40:>5}  {pid + 39:>4}   10876 2964 0                   0 R ps"


def render_spec(spec: ScenarioSpec, root: Path, apk_dir: Path | None = None) -> Path:
    """Build the phone from `spec` and write its profile folder; return profile.yaml's path."""
    from stalkerscan.simulator.generate import hostile

    ph = build_phone(spec, apk_dir)
    path = render_phone(ph, root)
    if spec.mutations.hostile or spec.mutations.huge_dumpsys_mb or spec.mutations.long_line_mb:
        hostile.apply(ph, root)
    return path
