"""The host RSA key: where it lives, its permissions, its format, and adb's key only on request."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from stalkerscan.device.keys import (
    KEY_COMMENT,
    default_key_path,
    load_host_key,
)
from stalkerscan.errors import ConfigError


@pytest.fixture
def fresh_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("STALKERSCAN_DATA_DIR", str(data))
    return data


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_created_on_first_use_private_and_reused(fresh_data_dir: Path) -> None:
    old_umask = os.umask(0o022)  # a permissive umask must not leak into the key's mode
    try:
        key = load_host_key()
    finally:
        os.umask(old_umask)
    path = default_key_path()
    assert path.parent.parent == fresh_data_dir
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    pub = path.with_name("adbkey.pub")
    assert mode(pub) == 0o600
    assert pub.read_text() == key.public_key_line
    again = load_host_key()
    assert again.public_key_line == key.public_key_line  # the same key, not a new one


def test_loosened_permissions_are_tightened(fresh_data_dir: Path) -> None:
    load_host_key()
    path = default_key_path()
    os.chmod(path, 0o644)
    os.chmod(path.parent, 0o755)
    load_host_key()
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


def test_public_key_is_androids_format_with_a_neutral_comment(fresh_data_dir: Path) -> None:
    from adb_shell.auth.keygen import encode_pubkey

    key = load_host_key()
    blob, comment = key.public_key_line.split(" ", 1)
    # adb-shell's own encoder agrees byte for byte on the 524-byte struct.
    import base64

    assert base64.b64decode(blob) == encode_pubkey(str(default_key_path()))
    assert len(base64.b64decode(blob)) == 524
    assert " " + comment == KEY_COMMENT  # not this computer's user and host name


def test_signature_verifies_as_adbd_checks_it(fresh_data_dir: Path) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, utils

    key = load_host_key()
    token = os.urandom(20)
    key.private_key.public_key().verify(
        key.Sign(token),
        token,
        padding.PKCS1v15(),
        utils.Prehashed(hashes.SHA1()),
    )
    assert len(key.fingerprint().split(":")) == 16


def test_adbs_key_is_never_used_by_default(
    fresh_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adb_shell.auth.keygen import keygen

    home = tmp_path / "home"
    (home / ".android").mkdir(parents=True)
    keygen(str(home / ".android" / "adbkey"))
    monkeypatch.setenv("HOME", str(home))
    ours = load_host_key()
    adbs = load_host_key(use_android_key=True)
    assert adbs.path == home / ".android" / "adbkey"
    assert ours.public_key_line != adbs.public_key_line
    assert ours.path == default_key_path()


def test_asking_for_a_missing_adb_key_is_a_clear_error(
    fresh_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "empty-home"))
    with pytest.raises(ConfigError, match="No adb key found"):
        load_host_key(use_android_key=True)


def test_a_corrupt_key_says_how_to_recover(fresh_data_dir: Path) -> None:
    load_host_key()
    default_key_path().write_text("not a key")
    with pytest.raises(ConfigError, match="cannot be read") as exc:
        load_host_key()
    assert "Delete it" in (exc.value.hint or "")


def test_first_use_from_many_threads_at_once_gives_one_key(fresh_data_dir: Path) -> None:
    """Parallel collections create the key together: no collision, every thread gets the same
    key, and no temporary file is left behind."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    n = 8
    start = threading.Barrier(n)

    def first_use() -> str:
        start.wait(timeout=30)  # all threads reach the creation at the same moment
        return load_host_key().public_key_line

    with ThreadPoolExecutor(max_workers=n) as pool:
        lines = list(pool.map(lambda _: first_use(), range(n)))
    assert len(lines) == n and len(set(lines)) == 1
    path = default_key_path()
    assert load_host_key().public_key_line == lines[0]
    assert sorted(p.name for p in path.parent.iterdir()) == ["adbkey", "adbkey.pub"]
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
