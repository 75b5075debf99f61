"""RSA AUTH as a phone does it, driven by adb-shell's signer: known key, new key, refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from adb_shell.adb_device import AdbDeviceTcp
from adb_shell.auth.keygen import keygen
from adb_shell.auth.sign_pythonrsa import PythonRSASigner
from adb_shell.exceptions import TcpTimeoutException
from sim_helpers import RawClient

from stalkerscan.simulator import protocol as p
from stalkerscan.simulator.adbkey import encode_public_key, parse_public_key
from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.server import SimulatedPhone


@pytest.fixture(scope="module")
def host_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[PythonRSASigner, str]:
    """A host key pair as adb-shell makes it, and its adbkey.pub line."""
    path = tmp_path_factory.mktemp("keys") / "adbkey"
    keygen(str(path))
    pub = Path(f"{path}.pub").read_text()
    return PythonRSASigner(pub, path.read_text()), pub.strip()


@pytest.fixture(scope="module")
def other_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[PythonRSASigner, str]:
    path = tmp_path_factory.mktemp("keys2") / "adbkey"
    keygen(str(path))
    pub = Path(f"{path}.pub").read_text()
    return PythonRSASigner(pub, path.read_text()), pub.strip()


def connect(phone: SimulatedPhone, signer: PythonRSASigner, auth_timeout: float = 2.0) -> str:
    dev = AdbDeviceTcp("127.0.0.1", phone.port, default_transport_timeout_s=5)
    try:
        dev.connect(rsa_keys=[signer], auth_timeout_s=auth_timeout, read_timeout_s=5)
        return str(dev.shell("echo authed", read_timeout_s=5))
    finally:
        dev.close()


def test_known_key_accepted_by_signature(
    minimal_profile: Profile, host_key: tuple[PythonRSASigner, str]
) -> None:
    signer, pub = host_key
    auth = {"required": True, "accept_new_keys": False, "known_keys": [pub]}
    with SimulatedPhone(minimal_profile.with_changes(auth=auth)) as phone:
        assert connect(phone, signer) == "authed\n"
        events = [text for _, _, text in phone.events]
    assert events == ["auth: known key accepted by signature"]


def test_new_key_accepted_then_remembered(
    minimal_profile: Profile, host_key: tuple[PythonRSASigner, str]
) -> None:
    signer, _ = host_key
    auth = {"required": True, "accept_new_keys": True}
    with SimulatedPhone(minimal_profile.with_changes(auth=auth)) as phone:
        assert connect(phone, signer) == "authed\n"
        assert connect(phone, signer) == "authed\n"  # "Always allow": now known by signature
        events = [text for _, _, text in phone.events]
    assert events == [
        "auth: signature refused, new token sent",
        "auth: new key accepted",
        "auth: known key accepted by signature",
    ]


def test_new_key_refused_never_answers(
    minimal_profile: Profile,
    host_key: tuple[PythonRSASigner, str],
    other_key: tuple[PythonRSASigner, str],
) -> None:
    signer, _ = host_key
    auth = {"required": True, "accept_new_keys": False, "known_keys": [other_key[1]]}
    with SimulatedPhone(minimal_profile.with_changes(auth=auth)) as phone:
        with pytest.raises(TcpTimeoutException):
            connect(phone, signer, auth_timeout=0.3)
        assert "auth: new key refused" in [text for _, _, text in phone.events]
        assert phone.command_log.commands() == []


def test_refuse_auth_refuses_even_a_known_key(
    minimal_profile: Profile, host_key: tuple[PythonRSASigner, str]
) -> None:
    signer, pub = host_key
    prof = minimal_profile.with_changes(
        auth={"required": True, "known_keys": [pub]}, faults={"refuse_auth": True}
    )
    with SimulatedPhone(prof) as phone:
        with pytest.raises(TcpTimeoutException):
            connect(phone, signer, auth_timeout=0.3)
        events = [text for _, _, text in phone.events]
    assert events == ["auth: signature refused, new token sent", "auth: new key refused"]


def test_token_is_20_random_bytes_and_bad_signature_gets_a_new_one(
    minimal_profile: Profile,
) -> None:
    prof = minimal_profile.with_changes(auth={"required": True})
    with SimulatedPhone(prof) as phone, RawClient(phone.port) as c:
        first = c.connect()
        assert first is not None and (first.name, first.arg0) == ("AUTH", p.AUTH_TOKEN)
        assert len(first.data) == 20
        c.send(p.A_AUTH, p.AUTH_SIGNATURE, 0, b"\x00" * 256)
        second = c.recv()
        assert second is not None and second.arg0 == p.AUTH_TOKEN
        assert second.data != first.data
        c.send(p.A_OPEN, 1, 0, b"shell:echo x\x00")  # not authorised: ignored
        assert c.silent_for(0.2)
        c.send(p.A_AUTH, p.AUTH_RSAPUBLICKEY, 0, b"not a key\x00")
        assert c.silent_for(0.2)


def test_adbkey_struct_round_trip(host_key: tuple[PythonRSASigner, str]) -> None:
    key = parse_public_key(host_key[1])
    assert key.exponent == 65537 and key.modulus.bit_length() == 2048
    again = parse_public_key(encode_public_key(key.modulus, key.exponent, "me@host"))
    assert (again.modulus, again.exponent, again.comment) == (key.modulus, 65537, "me@host")
    # The struct's n0inv and R^2 fields are what adb itself writes.
    assert encode_public_key(key.modulus).split()[0] == host_key[1].split()[0]
