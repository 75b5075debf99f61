"""Loading and validating device profiles; content generation; errors that name file and key."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest
from sim_helpers import MINIMAL, NOTES_APK

from stalkerscan.errors import ProfileError
from stalkerscan.simulator.profile import GeneratedContent, Profile, command_key

GOOD = """\
schema: 1
name: t
properties: {ro.product.model: "Test"}
"""


def write_profile(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "prof"
    folder.mkdir(exist_ok=True)
    (folder / "profile.yaml").write_text(textwrap.dedent(body), encoding="utf-8")
    return folder


def test_minimal_fixture_loads() -> None:
    prof = Profile.load(MINIMAL)
    assert prof.name == "minimal"
    assert prof.properties["ro.build.version.sdk"] == "34"  # YAML numbers become text
    assert prof.banner().startswith(b"device::ro.product.name=panther;ro.product.model=Pixel 7;")
    assert prof.banner().endswith(b";features=shell_v2,cmd")
    assert prof.lookup_command(["pm", "list", "users"]) is not None
    assert prof.stat(NOTES_APK) == (0o100644, 41, 1_700_000_000)
    assert prof.stat("/data/app")[0] == 0o040755  # type: ignore[index]
    assert prof.stat("/nope") is None


@pytest.mark.parametrize(
    ("body", "key", "says"),
    [
        (GOOD + "link: {bulk_mb_s: fast}\n", "link.bulk_mb_s", "must be a number"),
        (GOOD + "colour: red\n", "colour", "unknown key"),
        (GOOD + "link: {max_payload: 12}\n", "link.max_payload", "greater than or equal to 256"),
        (
            GOOD + 'commands: {"dumpsys role": {text: "x", exit: zero}}\n',
            "commands['dumpsys role'].exit",
            "must be a whole number",
        ),
        (GOOD + "schema: 2\n".replace("schema", "description"), "description", "must be text"),
        ("schema: 2\nname: t\n", "schema", "unsupported schema 2"),
        ("schema: 1\n", "name", "required key is missing"),
        (GOOD + "banner: {features: [shell_v2, stat_v2]}\n", "banner.features", "stat_v2"),
        (GOOD + 'faults: {drop_on_command: "("}\n', "faults.drop_on_command", "regular expression"),
        (GOOD + "auth: {known_keys: [garbage]}\n", "auth.known_keys", "adbkey.pub"),
        (GOOD + 'files: {"/a": {text: "x", generate: {size: 1}}}\n', "files['/a']", "exactly one"),
        (GOOD + 'files: {"data/x": {text: "x"}}\n', "files", "must be absolute"),
        (GOOD + "files: {/x: {generate: {size: -1}}}\n", "files['/x'].generate.size", "0"),
        (GOOD + "auth: {required: maybe}\n", "auth.required", "must be true or false"),
    ],
)
def test_malformed_profile_names_file_and_key(
    tmp_path: Path, body: str, key: str, says: str
) -> None:
    folder = write_profile(tmp_path, body)
    with pytest.raises(ProfileError) as info:
        Profile.load(folder)
    msg = str(info.value)
    assert msg.startswith(f"{folder / 'profile.yaml'}: "), msg
    assert f"{key}" in msg and says in msg, msg


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("../outside.txt", "leads outside the profile folder"),
        ("/etc/hostname", "must be a path relative to the profile folder"),
        ("missing.txt", "does not exist"),
        ("escape", "leads outside the profile folder"),  # a symlink pointing out
    ],
)
def test_sources_must_stay_inside_the_folder(tmp_path: Path, source: str, says: str) -> None:
    (tmp_path / "outside.txt").write_text("secret")
    folder = write_profile(tmp_path, GOOD + f'commands: {{"getenforce": "{source}"}}\n')
    (folder / "escape").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(ProfileError) as info:
        Profile.load(folder)
    assert "commands['getenforce'].stdout" in str(info.value)
    assert says in str(info.value)


def test_yaml_errors_and_wrong_top_level(tmp_path: Path) -> None:
    folder = write_profile(tmp_path, "schema: 1\nname: [unclosed\n")
    with pytest.raises(ProfileError, match="not valid YAML"):
        Profile.load(folder)
    folder = write_profile(tmp_path, "- a list\n")
    with pytest.raises(ProfileError, match="top level must be a mapping"):
        Profile.load(folder / "profile.yaml")
    with pytest.raises(ProfileError, match="no such profile file"):
        Profile.load(tmp_path / "nowhere")


def test_yaml_tags_are_refused(tmp_path: Path) -> None:
    folder = write_profile(tmp_path, GOOD + "description: !!python/object/apply:os.system [id]\n")
    with pytest.raises(ProfileError, match="not valid YAML"):
        Profile.load(folder)


def test_profile_in_memory() -> None:
    prof = Profile.from_dict(
        {
            "name": "mem",
            "commands": {"dumpsys  role": {"text": b"raw\xffbytes", "exit": 3}},
            "files": {"/sdcard/a.txt": {"text": "hello\n"}},
            "binaries": ["sh", "/system/xbin/su"],
        }
    )
    out = prof.lookup_command(["dumpsys", "role"])
    assert out is not None and out.stdout is not None
    assert (out.stdout.read_all(), out.exit_code) == (b"raw\xffbytes", 3)
    assert prof.binaries == {"sh": "/system/bin/sh", "su": "/system/xbin/su"}
    assert prof.listdir("/sdcard") == [
        (".", 0o040755, 4096, 1_700_000_000),
        ("..", 0o040755, 4096, 1_700_000_000),
        ("a.txt", 0o100644, 6, 1_700_000_000),
    ]
    with pytest.raises(ProfileError, match=r"<memory>: files\['/x'\].source: a file needs"):
        Profile.from_dict({"name": "m", "files": {"/x": {"source": "a.apk"}}})


def test_with_changes_validates() -> None:
    prof = Profile.from_dict({"name": "m"})
    slow = prof.with_changes(link={"bulk_mb_s": 35}, faults={"drop_after_commands": 2})
    assert (slow.link.bulk_mb_s, slow.faults.drop_after_commands) == (35, 2)
    assert prof.link.bulk_mb_s == 0  # the original is unchanged
    with pytest.raises(ProfileError, match=r"\(faults\): no_such_fault: unknown key"):
        prof.with_changes(faults={"no_such_fault": True})


def test_generated_content_is_deterministic_and_streamed() -> None:
    a = GeneratedContent(300_000, seed=7)
    chunks = list(a.chunks())
    assert max(len(c) for c in chunks) <= 64 * 1024 and sum(map(len, chunks)) == 300_000
    assert b"".join(chunks) == GeneratedContent(300_000, seed=7).read_all()
    assert GeneratedContent(300_000, seed=8).read_all() != b"".join(chunks)
    assert a.digest("sha256") == hashlib.sha256(b"".join(chunks)).hexdigest()
    text = GeneratedContent(10_000, seed=1, text=True).read_all()
    assert set(text) <= set(b"abcdefghijklmnopqrstuvwxyz0123456789 \n")


def test_huge_generated_file_costs_nothing_until_read() -> None:
    prof = Profile.from_dict(
        {"name": "big", "files": {"/data/app/x/base.apk": {"generate": {"size": 1 << 40}}}}
    )
    assert prof.stat("/data/app/x/base.apk") == (0o100644, 1 << 40, 1_700_000_000)
    first = next(prof.files["/data/app/x/base.apk"].content.chunks())
    assert len(first) == 64 * 1024


def test_command_key_collapses_whitespace_and_quotes() -> None:
    assert command_key("  pm   list\tusers ") == "pm list users"
    assert command_key("sha256sum '/data/app/a b/base.apk'") == "sha256sum /data/app/a b/base.apk"


def test_profile_written_as_json_loads_with_the_same_checks(tmp_path: Path) -> None:
    folder = write_profile(tmp_path, '{"schema": 1, "name": "j", "link": {"bulk_mb_s": 35}}')
    assert Profile.load(folder).link.bulk_mb_s == 35
    folder = write_profile(tmp_path, '{"schema": 1, "name": "j", "link": {"bulk_mb_s": "x"}}')
    with pytest.raises(ProfileError, match=r"link\.bulk_mb_s: must be a number"):
        Profile.load(folder)
    folder = write_profile(tmp_path, "{schema: 1, name: flow-style-yaml}")  # not JSON: YAML
    assert Profile.load(folder).name == "flow-style-yaml"


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (GOOD + "name: again\n", "name"),
        (
            GOOD + 'commands:\n  "getenforce": {text: "a"}\n  "getenforce": {text: "b"}\n',
            "getenforce",
        ),
        ('{"schema": 1, "name": "j", "commands": {"x": "a.txt", "x": "b.txt"}}', "x"),
    ],
)
def test_a_key_given_twice_is_an_error_naming_file_and_key(
    tmp_path: Path, body: str, key: str
) -> None:
    """A hand-assembled profile must not answer a command from the wrong file silently."""
    folder = write_profile(tmp_path, body)
    with pytest.raises(ProfileError) as info:
        Profile.load(folder)
    msg = str(info.value)
    assert msg.startswith(f"{folder / 'profile.yaml'}: "), msg
    assert f"the key {key!r} is given twice" in msg, msg


def test_large_generated_profiles_are_written_as_json(tmp_path: Path) -> None:
    """Thousands of entries load in milliseconds as JSON; small profiles stay readable YAML."""
    from stalkerscan.simulator.generate.writer import JSON_ABOVE_ENTRIES, ProfileWriter

    header = {"schema": 1, "name": "w"}
    for count, is_json in ((3, False), (JSON_ABOVE_ENTRIES + 1, True)):
        folder = tmp_path / str(count)
        writer = ProfileWriter(folder)
        for k in range(count):
            writer.inline(f"getprop p{k}", f"v{k}\n")
        text = writer.write(header).read_text(encoding="utf-8")
        assert text.startswith("{") is is_json
        prof = Profile.load(folder)
        assert len(prof.commands) == count
        out = prof.commands[command_key(f"getprop p{count - 1}")].stdout
        assert out is not None and out.read_all() == f"v{count - 1}\n".encode()
