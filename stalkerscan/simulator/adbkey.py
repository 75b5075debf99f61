"""ADB host public keys (`adbkey.pub`) and AUTH signature checks, as the phone does them.

An `adbkey.pub` line is `base64(struct) user@host`; the struct is Android's 524-byte
`RSAPublicKey`: u32 word count (64), u32 n0inv, u32[64] modulus (little-endian words),
u32[64] R^2 mod n, u32 exponent. The same text (plus a NUL) is the payload of AUTH RSAPUBLICKEY.
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass

KEY_WORDS = 64
KEY_STRUCT_SIZE = 4 + 4 + 4 * KEY_WORDS * 2 + 4  # 524


class KeyFormatError(ValueError):
    """Bytes that are not an Android ADB public key."""


@dataclass(frozen=True)
class AdbPublicKey:
    """An RSA-2048 public key of an ADB host."""

    modulus: int
    exponent: int
    comment: str = ""

    def verify(self, token: bytes, signature: bytes) -> bool:
        """True when `signature` is PKCS#1 v1.5 over `token` taken as a SHA-1 digest."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

        if len(token) != 20:  # Prehashed SHA-1 needs exactly a digest's length
            return False
        key = rsa.RSAPublicNumbers(self.exponent, self.modulus).public_key()
        try:
            # adb signs the 20-byte token as if it were a SHA-1 digest (RSA_sign(NID_sha1)).
            key.verify(signature, token, padding.PKCS1v15(), utils.Prehashed(hashes.SHA1()))  # noqa: S303
        except (InvalidSignature, ValueError):
            return False
        return True


def parse_public_key(text: str | bytes) -> AdbPublicKey:
    """Parse an `adbkey.pub` line (or an AUTH RSAPUBLICKEY payload); raise KeyFormatError."""
    if isinstance(text, bytes):
        text = text.rstrip(b"\x00").decode("ascii", errors="replace")
    parts = text.strip().split(None, 1)
    if not parts:
        raise KeyFormatError("empty key")
    try:
        raw = base64.b64decode(parts[0], validate=True)
    except (binascii.Error, ValueError) as err:
        raise KeyFormatError(f"not base64: {err}") from None
    if len(raw) != KEY_STRUCT_SIZE:
        raise KeyFormatError(f"key struct is {len(raw)} bytes, expected {KEY_STRUCT_SIZE}")
    words = struct.unpack_from("<I", raw, 0)[0]
    if words != KEY_WORDS:
        raise KeyFormatError(f"key has {words} words, expected {KEY_WORDS}")
    modulus = int.from_bytes(raw[8 : 8 + 4 * KEY_WORDS], "little")
    exponent = struct.unpack_from("<I", raw, KEY_STRUCT_SIZE - 4)[0]
    if modulus < 3 or exponent < 3:
        raise KeyFormatError("key has an impossible modulus or exponent")
    return AdbPublicKey(modulus, exponent, parts[1] if len(parts) > 1 else "")


def encode_public_key(modulus: int, exponent: int = 65537, comment: str = "") -> str:
    """An `adbkey.pub` line for an RSA-2048 key (tests use it to build known keys)."""
    bits = KEY_WORDS * 32
    r32 = 1 << 32
    n0inv = (-pow(modulus, -1, r32)) % r32
    rr = pow(2, 2 * bits, modulus)
    raw = (
        struct.pack("<II", KEY_WORDS, n0inv)
        + modulus.to_bytes(4 * KEY_WORDS, "little")
        + rr.to_bytes(4 * KEY_WORDS, "little")
        + struct.pack("<I", exponent)
    )
    line = base64.b64encode(raw).decode("ascii")
    return f"{line} {comment}" if comment else line
