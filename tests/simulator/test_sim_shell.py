"""The simulated phone's shell, without sockets: operators, $?, redirections, builtins, hashes."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stalkerscan.device.allowlist import is_allowed
from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.shell import ShellRun, parse, run

PROFILE = Profile.from_dict(
    {
        "name": "shell-test",
        "properties": {"ro.product.model": "Pixel 7", "ro.build.version.sdk": 34},
        "binaries": [
            "sh",
            "sha256sum",
            "md5sum",
            "sha1sum",
            "sha512sum",
            "getprop",
            "/system/xbin/su",
        ],
        "commands": {
            "dumpsys role": {"text": "roles\n"},
            "dumpsys nope": {"text": "Can't find service: nope\n"},
            "pm list users": {"text": "Users:\n", "stderr": "warn\n", "exit": 0},
            "cmd fail": {"stderr": "bad\n", "exit": 4},
            "getprop": {"text": "[override]: [yes]\n"},
        },
        "files": {
            "/data/app/a/base.apk": {"text": "apk-a"},
            "/data/app/b/base.apk": {"text": "apk-b"},
            "/data/app/locked/base.apk": {"text": "x", "readable": False},
            "/data/app/a b/base.apk": {"text": "spaced"},
        },
    }
)
NF = "/system/bin/sh: {}: inaccessible or not found\n"


def sha(data: str) -> str:
    return hashlib.sha256(data.encode()).hexdigest()


@pytest.mark.parametrize(
    ("command", "stdout", "stderr", "code"),
    [
        ("echo hi", "hi\n", "", 0),
        ("echo -n hi", "hi", "", 0),
        ("echo a;echo b", "a\nb\n", "", 0),
        ("echo a ; echo b ;", "a\nb\n", "", 0),
        ("false; echo $?", "1\n", "", 0),
        ("false && echo no; echo $?", "1\n", "", 0),
        ("false || echo yes", "yes\n", "", 0),
        ("true && echo yes || echo no", "yes\n", "", 0),
        ("false && echo no || echo fallback", "fallback\n", "", 0),
        ("nosuch", "", NF.format("nosuch"), 127),
        ("nosuch; echo $?", "127\n", NF.format("nosuch"), 0),
        ("nosuch 2>/dev/null; echo status=$?", "status=127\n", "", 0),
        ("nosuch 2>&1", NF.format("nosuch"), "", 127),
        ("echo hi >/dev/null; echo $?", "0\n", "", 0),
        ("echo oops 1>&2", "", "oops\n", 0),
        ("cmd fail", "", "bad\n", 4),
        ("cmd fail 2>&1; echo $?", "bad\n4\n", "", 0),
        ("pm list users 2>/dev/null", "Users:\n", "", 0),
        ("pm   list    users 2>&1", "Users:\nwarn\n", "", 0),
        ("dumpsys role && dumpsys nope", "roles\nCan't find service: nope\n", "", 0),
        ("echo '$?' \"$?\" x$?y", "$? 0 x0y\n", "", 0),
        ('echo \'a  b\' "c\\"d"', 'a  b c"d\n', "", 0),
        ("echo hi; exit 3; echo never", "hi\n", "", 3),
        ("false; exit", "", "", 1),
        ("which su sh", "/system/xbin/su\n/system/bin/sh\n", "", 0),
        ("which dumpsys; echo $?", "1\n", "", 0),
        ("command -v sha256sum", "/system/bin/sha256sum\n", "", 0),
        ("command -v echo", "echo\n", "", 0),
        ("command -v nosuch || echo missing", "missing\n", "", 0),
        ("getprop ro.product.model", "Pixel 7\n", "", 0),
        ("getprop ro.unset", "\n", "", 0),
        ("getprop", "[override]: [yes]\n", "", 0),  # the profile's own answer wins
        ("echo $HOME.", ".\n", "", 0),
        ("echo a # comment", "a\n", "", 0),
        (
            "echo a | cat",
            "",
            "/system/bin/sh: syntax error: '|' is not supported by the simulated phone\n",
            2,
        ),
        ("echo 'unterminated", "", "/system/bin/sh: syntax error: unterminated quoted string\n", 2),
        ("&& echo", "", "/system/bin/sh: syntax error: unexpected '&&'\n", 2),
        (
            "echo x > /sdcard/f",
            "",
            "/system/bin/sh: can't create /sdcard/f: Read-only file system\n",
            1,
        ),
    ],
)
def test_shell_table(command: str, stdout: str, stderr: str, code: int) -> None:
    out, err, status = run(PROFILE, command)
    assert (out.decode(), err.decode(), status) == (stdout, stderr, code)


def test_hash_commands_give_real_digests_and_keep_going() -> None:
    out, err, code = run(
        PROFILE,
        "sha256sum /data/app/a/base.apk /missing.apk /data/app/locked/base.apk "
        "/data/app/b/base.apk /data/app",
    )
    assert out.decode() == (
        f"{sha('apk-a')}  /data/app/a/base.apk\n{sha('apk-b')}  /data/app/b/base.apk\n"
    )
    assert err.decode() == (
        "sha256sum: /missing.apk: No such file or directory\n"
        "sha256sum: /data/app/locked/base.apk: Permission denied\n"
        "sha256sum: /data/app: Is a directory\n"
    )
    assert code == 1


@pytest.mark.parametrize("algo", ["md5", "sha1", "sha256", "sha512"])
def test_every_hash_command(algo: str) -> None:
    out, _, code = run(PROFILE, f"{algo}sum /data/app/a/base.apk")
    assert out.decode() == f"{hashlib.new(algo, b'apk-a').hexdigest()}  /data/app/a/base.apk\n"
    assert code == 0


def test_quoted_paths_as_the_allowlist_sends_them() -> None:
    out, _, code = run(PROFILE, "sha256sum '/data/app/a b/base.apk' 2>/dev/null")
    assert (out.decode(), code) == (f"{sha('spaced')}  /data/app/a b/base.apk\n", 0)


def test_hash_cost_is_reported_per_byte() -> None:
    hashed: list[int] = []
    ShellRun(PROFILE, "sha256sum /data/app/a/base.apk /nope", on_hash=hashed.append).collect()
    assert hashed == [5]


def test_output_is_streamed_in_chunks() -> None:
    big = Profile.from_dict(
        {
            "name": "big",
            "commands": {"dumpsys package": {"generate": {"size": 1_000_000, "text": True}}},
        }
    )
    shell_run = ShellRun(big, "dumpsys package")
    sizes = [len(data) for fd, data in shell_run.chunks() if fd == 1]
    assert sum(sizes) == 1_000_000 and max(sizes) <= 64 * 1024
    assert shell_run.exit_code == 0


def test_collector_style_batch_with_markers_is_allowed_and_answered() -> None:
    batch = "pm list users; echo ::M1:$?; dumpsys role 2>&1; echo ::M2:$?; which su; echo ::M3:$?"
    assert is_allowed(batch)  # the simulator understands what the allowlist lets through
    out, _, _ = run(PROFILE, batch)
    assert out.decode() == "Users:\n::M1:0\nroles\n::M2:0\n/system/xbin/su\n::M3:0\n"


def test_parse_splits_connectors() -> None:
    parts = parse("a; b && c || d")
    assert [c for c, _ in parts] == [";", ";", "&&", "||"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab $?;&|<>'\"\\#()`2>1/-\n\tx")), max_size=40))
def test_any_command_line_gets_an_answer_never_an_exception(line: str) -> None:
    out, err, code = run(PROFILE, line)
    assert isinstance(out, bytes) and isinstance(err, bytes) and 0 <= code <= 255
