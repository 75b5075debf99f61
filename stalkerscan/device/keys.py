"""The host RSA key this computer shows a phone during ADB AUTH (adbkey / adbkey.pub).

The key lives in stalkerscan's own data directory (`STALKERSCAN_DATA_DIR`, else platformdirs'
user data dir), in a `hostkey/` folder with mode 0700 and files with mode 0600. It is created on
first use. `~/.android/adbkey` (the key of Google's adb) is used only when the caller asks for it:
reusing it means a phone that already trusts this computer's adb will not prompt again, but it
also mixes our connections with those of any other adb tool on the machine.

The public key's comment is a neutral `user@localhost`, not this computer's user and host name:
a phone that keeps the key (the user ticked "Always allow") then does not name the support
service that scanned it.
"""

from __future__ import annotations

import base64
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stalkerscan.errors import ConfigError

KEY_COMMENT = " user@localhost"
KEY_DIR_NAME = "hostkey"
KEY_FILE_NAME = "adbkey"


def data_dir() -> Path:
    """stalkerscan's per-user data directory (`STALKERSCAN_DATA_DIR` overrides platformdirs)."""
    override = os.environ.get("STALKERSCAN_DATA_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("stalkerscan", appauthor=False))


def default_key_path() -> Path:
    """Where stalkerscan keeps its own host key (private part; `.pub` beside it)."""
    return data_dir() / KEY_DIR_NAME / KEY_FILE_NAME


def android_key_path() -> Path:
    """Google adb's key, reused only on request (`ADB_VENDOR_KEYS` is not consulted)."""
    return Path.home() / ".android" / "adbkey"


@dataclass(frozen=True)
class HostKey:
    """A loaded host key; `Sign` and `GetPublicKey` are the signer interface adb-shell calls."""

    path: Path
    private_key: Any  # cryptography RSAPrivateKey (typed loosely: cryptography is imported lazily)
    public_key_line: str  # "base64(Android RSA struct) user@localhost"

    def Sign(self, data: bytes) -> bytes:
        """Sign an AUTH token: PKCS#1 v1.5 over the token as a pre-hashed SHA-1 digest."""
        # SHA-1 is not our choice: adbd verifies exactly this (RSA_verify with NID_sha1).
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, utils

        signature: bytes = self.private_key.sign(
            data,
            padding.PKCS1v15(),
            utils.Prehashed(hashes.SHA1()),  # noqa: S303
        )
        return signature

    def GetPublicKey(self) -> bytes:
        """The public key as adbd stores it in adb_keys (without the trailing NUL)."""
        return self.public_key_line.encode("ascii")

    def fingerprint(self) -> str:
        """MD5 of the key struct, colon-separated: what the phone's prompt shows."""
        import hashlib

        blob = base64.b64decode(self.public_key_line.split(" ", 1)[0])
        digest = hashlib.md5(blob, usedforsecurity=False).hexdigest().upper()
        return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def load_host_key(*, use_android_key: bool = False, path: Path | None = None) -> HostKey:
    """Load the host key, creating stalkerscan's own key (0600, folder 0700) on first use."""
    if use_android_key:
        key_path = path or android_key_path()
        if not key_path.is_file():
            raise ConfigError(
                f"No adb key found at {key_path}.",
                "Run `adb devices` once to create it, or leave out --use-adb-key to use "
                "stalkerscan's own key.",
            )
        return _load(key_path)
    key_path = path or default_key_path()
    if not key_path.exists():
        _create(key_path)
    _check_private(key_path)
    return _load(key_path)


def _create(key_path: Path) -> None:
    """Generate a 2048-bit key; the first of racing threads or processes wins, the others
    reuse its key (each writes its own uniquely named temporary file, then links it into
    place: a link never replaces an existing key, and readers never see a partial file)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from stalkerscan.fsutil import make_private_dir, publish_new

    make_private_dir(key_path.parent)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    publish_new(key_path, pem)


def _check_private(key_path: Path) -> None:
    """Tighten a key file or folder that became readable by others (our own files only)."""
    for p, want in ((key_path.parent, 0o700), (key_path, 0o600)):
        st = p.stat()
        if stat.S_IMODE(st.st_mode) & 0o077 and st.st_uid == os.getuid():
            os.chmod(p, want)


def _load(key_path: Path) -> HostKey:
    from cryptography.hazmat.primitives import serialization

    try:
        pem = key_path.read_bytes()
        # Our own key file (0600) or adb's: skipping OpenSSL's RSA consistency check saves
        # ~100 ms on every connect (issue 10); a malformed file is still refused here.
        private_key = serialization.load_pem_private_key(
            pem, password=None, unsafe_skip_rsa_key_validation=True
        )
    except (OSError, ValueError, TypeError) as err:
        raise ConfigError(
            f"The host key {key_path} cannot be read ({err}).",
            "Delete it (and its .pub) and run the command again to create a new one; the phone "
            "will then ask again to allow this computer.",
        ) from err
    if getattr(private_key, "key_size", None) != 2048:
        raise ConfigError(
            f"The host key {key_path} is not a 2048-bit RSA key, which is what phones accept.",
            "Delete it (and its .pub) and run the command again to create a new one.",
        )
    line = public_key_line(private_key)
    pub = key_path.with_name(key_path.name + ".pub")
    if pub.parent == default_key_path().parent or not pub.exists():
        _write_pub(pub, line)
    return HostKey(path=key_path, private_key=private_key, public_key_line=line)


def public_key_line(private_key: Any) -> str:
    """The adbkey.pub text for a private key: Android's RSA struct in base64, then the comment."""
    return base64.b64encode(android_pubkey_struct(private_key)).decode("ascii") + KEY_COMMENT


def android_pubkey_struct(private_key: Any) -> bytes:
    """Android's 524-byte RSAPublicKey struct (AOSP libcrypto_utils android_pubkey.cpp)."""
    numbers = private_key.public_key().public_numbers()
    n, e = numbers.n, numbers.e
    words = 64  # 2048-bit modulus in 32-bit words
    r32 = 1 << 32
    n0inv = (-pow(n % r32, -1, r32)) % r32
    rr = pow(2, 2 * 32 * words, n)
    return (
        words.to_bytes(4, "little")
        + n0inv.to_bytes(4, "little")
        + n.to_bytes(4 * words, "little")
        + rr.to_bytes(4 * words, "little")
        + e.to_bytes(4, "little")
    )


def _write_pub(pub: Path, line: str) -> None:
    if pub.exists() and pub.read_text("ascii", errors="replace") == line:
        return
    from stalkerscan.fsutil import atomic_write

    atomic_write(pub, line.encode("ascii"))
