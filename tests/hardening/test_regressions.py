"""Crashes the fuzzers found, written out literally so they stay fixed (fuzz/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.errors import ApkError

BENIGN = Path(__file__).resolve().parents[2] / "stalkerscan/simulator/apks/benign.apk"


@pytest.mark.xfail(
    strict=True,
    reason="evidence/apk.py _signing_block_pairs: a pair length >= 2**63 in the APK Signing Block "
    "makes buf.read(n) raise OverflowError, which escapes analyse_apk (a pulled hostile APK "
    "crashes `check`); fix: refuse n larger than what is left before reading (APK area)",
)
@pytest.mark.proves(
    "fuzzing",
    "APK whose signing block pair length is 0x80...: one byte (offset 4111 of the benign "
    "fixture) set to 0x80, found by tests/apk/test_apk_content_fuzz.py (KNOWN BUG: xfail)",
    "analyse_apk returns with the APK marked unparseable (or ApkError), never another exception",
)
def test_huge_signing_block_pair_length() -> None:
    from stalkerscan.evidence.apk import analyse_apk

    data = bytearray(BENIGN.read_bytes())
    data[4111] = 0x80
    try:
        info = analyse_apk(bytes(data))
    except ApkError:
        return
    assert info.unparseable is None or info.unparseable.strip()
