"""Fixtures for the collection tests: fictional phones of any size, a fake transport, a key."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from stalkerscan.device.base import RemoteStat, ShellResult, StreamResult, Transport
from stalkerscan.errors import DisconnectedError
from stalkerscan.simulator.profile import Profile

STORE = "com.android.vending"
SIDELOAD = "com.google.android.packageinstaller"


def app_dir(i: int) -> str:
    """The fictional /data/app folder of user app number i (Android 11+ style names)."""
    return f"/data/app/~~cjR{i:04d}Qw==/org.example.app{i:04d}-c3Bs{i:04d}aXQ=="


def build_profile(
    n_packages: int = 40,
    n_user_apps: int = 8,
    *,
    users: tuple[int, ...] = (0,),
    sideloaded: tuple[int, ...] = (1,),
    hidden: tuple[int, ...] = (2,),
    with_splits: tuple[int, ...] = (3,),
    accessibility: tuple[int, ...] = (4,),
    extra_packages: tuple[tuple[str, str, str], ...] = (),
    faults: dict[str, Any] | None = None,
    commands: dict[str, Any] | None = None,
    max_payload: int = 1024 * 1024,
    binaries: list[str] | None = None,
) -> Profile:
    """A consistent fictional phone: pm lists, dumpsys package, launcher and APK files agree.

    `extra_packages` are (name, apk path, installer) lines added as they are (hostile paths).
    """
    n_system = max(n_packages - n_user_apps, 0)
    pm_lines: list[str] = []
    pkg_sections: list[str] = []
    launcher: list[str] = []
    files: dict[str, Any] = {}
    for s in range(n_system):
        name = f"com.example.system{s:04d}"
        path = f"/system/app/System{s:04d}/System{s:04d}.apk"
        pm_lines.append(f"package:{path}={name}  installer=null uid:{1000 + s}")
        pkg_sections.append(
            f"  Package [{name}] (a{s:06x}):\n    userId={1000 + s}\n"
            f"    codePath=/system/app/System{s:04d}\n    pkgFlags=[ SYSTEM HAS_CODE ]\n"
        )
        if s % 3 == 0:
            launcher.append(f"priority=0 preferredOrder=0 match=0x108000\n  {name}/.Main")
    for i in range(n_user_apps):
        name = f"org.example.app{i:04d}"
        folder = app_dir(i)
        installer = SIDELOAD if i in sideloaded else STORE
        pm_lines.append(f"package:{folder}/base.apk={name}  installer={installer} uid:{10100 + i}")
        splits = "[base, config.en]" if i in with_splits else "[base]"
        pkg_sections.append(
            f"  Package [{name}] (b{i:06x}):\n    userId={10100 + i}\n"
            f"    codePath={folder}\n    splits={splits}\n    pkgFlags=[ HAS_CODE ]\n"
            f"    installerPackageName={installer}\n"
        )
        files[f"{folder}/base.apk"] = {"text": f"PK fictional apk {i}\n"}
        if i in with_splits:
            files[f"{folder}/split_config.en.apk"] = {"text": f"PK fictional split {i}\n"}
        if i not in hidden:
            launcher.append(f"priority=0 preferredOrder=0 match=0x108000\n  {name}/.MainActivity")
    for name, path, installer in extra_packages:
        pm_lines.append(f"package:{path}={name}  installer={installer} uid:10999")
    secure = "\n".join(
        [
            "accessibility_enabled=1",
            "enabled_accessibility_services="
            + ":".join(f"org.example.app{i:04d}/org.example.Svc" for i in accessibility),
            "install_non_market_apps=1",
        ]
    )
    user_lines = "Users:\n" + "".join(
        f"\tUserInfo{{{u}:{'Owner' if u == 0 else 'Work profile'}:c13}} running\n" for u in users
    )
    cmds: dict[str, Any] = {
        "getenforce": {"text": "Enforcing\n"},
        "date +%s": {"text": "1763600000\n"},
        "pm list users": {"text": user_lines},
        "settings list global": {"text": "package_verifier_enable=1\nadb_enabled=1\n"},
        "dumpsys package": {"text": "Packages:\n" + "".join(pkg_sections) + "\nQueries:\n"},
        "dumpsys device_policy": {"text": "Current Device Policy Manager state:\n"},
        "dumpsys accessibility": {"text": "ACCESSIBILITY MANAGER (dumpsys accessibility)\n"},
        "dumpsys notification": {"text": "Current Notification Manager state:\n"},
        "dumpsys appops": {"text": "Current AppOps Service state:\n"},
        "dumpsys input_method": {"text": "Current Input Method Manager state:\n"},
        "dumpsys role": {"text": "Can't find service: role\n"},
        "dumpsys deviceidle whitelist": {"text": "system-excidle,com.android.shell,2000\n"},
        "dumpsys connectivity": {"text": "NetworkProviders for:\n"},
        "dumpsys account": {
            "text": "User UserInfo{0:Owner:c13}:\n  Accounts: 1\n"
            "    Account {name=alex.fictional@example.org, type=com.google}\n"
        },
        "dumpsys usagestats": {"text": "user=0\n"},
    }
    for u in users:
        cmds[f"pm list packages -f -i -U -u --user {u}"] = {"text": "\n".join(pm_lines) + "\n"}
        cmds[f"pm list packages -d --user {u}"] = {"text": ""}
        cmds[
            f"cmd package query-activities --brief --user {u} -a android.intent.action.MAIN "
            "-c android.intent.category.LAUNCHER"
        ] = {"text": "\n".join(launcher) + "\n"}
        cmds[f"settings --user {u} list secure"] = {"text": secure + "\n"}
        cmds[f"settings --user {u} list system"] = {"text": "screen_brightness=102\n"}
    cmds.update(commands or {})
    data: dict[str, Any] = {
        "schema": 1,
        "name": f"collect-test-{n_packages}",
        "serial": "SIM-COLLECT-TEST",
        "properties": {
            "ro.product.model": "Fictional 1",
            "ro.product.manufacturer": "Example",
            "ro.build.version.release": "14",
            "ro.build.version.sdk": "34",
        },
        "link": {"max_payload": max_payload},
        "commands": cmds,
        "files": files,
        "faults": faults or {},
    }
    if binaries is not None:
        data["binaries"] = binaries
    return Profile.from_dict(data)


class ProfileTransport(Transport):
    """A fake transport answering in-process from a profile with the simulator's shell.

    `drop_after_bytes` raises DisconnectedError once that many output bytes were delivered,
    as a pulled cable does.
    """

    def __init__(self, profile: Profile, drop_after_bytes: int | None = None) -> None:
        super().__init__("FAKE-SERIAL")
        self.profile = profile
        self.drop_after_bytes = drop_after_bytes
        self.delivered = 0
        self.commands: list[str] = []
        self.closed = False

    def _deliver(self, data: bytes, sink: BinaryIO) -> None:
        for k in range(0, len(data), 4096):
            piece = data[k : k + 4096]
            if self.drop_after_bytes is not None:
                room = self.drop_after_bytes - self.delivered
                if len(piece) > room:
                    sink.write(piece[: max(room, 0)])
                    self.delivered += max(room, 0)
                    raise DisconnectedError("The phone was disconnected (fake).")
            sink.write(piece)
            self.delivered += len(piece)

    def _shell(self, command: str, *, timeout: float, max_bytes: int | None) -> ShellResult:
        from stalkerscan.simulator.shell import run

        self.commands.append(command)
        out, err, code = run(self.profile, command)
        return ShellResult(stdout=out, stderr=err, exit_code=code)

    def _shell_to_file(
        self, command: str, sink: BinaryIO, *, timeout: float, max_bytes: int | None
    ) -> StreamResult:
        from stalkerscan.simulator.shell import run

        self.commands.append(command)
        out, err, code = run(self.profile, command)
        self._deliver(out, sink)
        return StreamResult(size=len(out), stderr=err, exit_code=code)

    def _pull(
        self, remote_path: str, sink: BinaryIO, *, timeout: float, max_bytes: int | None
    ) -> int:
        spec = self.profile.files[remote_path]
        data = b"".join(spec.content.chunks())
        self._deliver(data, sink)
        return len(data)

    def _stat(self, remote_path: str, *, timeout: float) -> RemoteStat | None:
        spec = self.profile.files.get(remote_path)
        if spec is None:
            return None
        return RemoteStat(mode=0o100644, size=spec.content.size, mtime=0)

    def close(self) -> None:
        self.closed = True


@pytest.fixture(scope="session", autouse=True)
def _host_key_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One throwaway host key for the whole session (never the user's own)."""
    old = os.environ.get("STALKERSCAN_DATA_DIR")
    os.environ["STALKERSCAN_DATA_DIR"] = str(tmp_path_factory.mktemp("stalkerscan-data"))
    yield
    if old is None:
        os.environ.pop("STALKERSCAN_DATA_DIR", None)
    else:
        os.environ["STALKERSCAN_DATA_DIR"] = old


def sha256(data: bytes) -> str:
    """Hex sha256."""
    return hashlib.sha256(data).hexdigest()


def file_mode(path: Path) -> int:
    """Permission bits of a path."""
    return path.stat().st_mode & 0o777
