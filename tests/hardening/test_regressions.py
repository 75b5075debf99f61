"""Crashes the fuzzers found, written out literally so they stay fixed (fuzz/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.errors import ApkError

BENIGN = Path(__file__).resolve().parents[2] / "stalkerscan/simulator/apks/benign.apk"


@pytest.mark.proves(
    "fuzzing",
    "APK whose signing block pair length is 0x80...: one byte (offset 4111 of the benign "
    "fixture) set to 0x80, found by tests/apk/test_apk_content_fuzz.py (fixed in 42da080)",
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
