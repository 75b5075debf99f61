"""ADB AUTH with the host key: a new key accepted, then known by signature; a refusal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from devsupport import quick

from stalkerscan.cli import main
from stalkerscan.device.connect import ConnectOptions, open_transport
from stalkerscan.device.keys import load_host_key
from stalkerscan.errors import ExitCode, UnauthorizedError
from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.server import SimulatedPhone


@pytest.fixture
def auth_phone(profile: Profile) -> Iterator[SimulatedPhone]:
    with SimulatedPhone(profile.with_changes(auth={"required": True}), port=0) as p:
        yield p


def _auth_events(phone: SimulatedPhone) -> list[str]:
    return [text for _, _, text in phone.events if text.startswith("auth:")]


def test_new_key_is_offered_then_known_by_signature(auth_phone: SimulatedPhone) -> None:
    prompts: list[int] = []
    opts = quick()
    opts.on_auth_prompt = lambda: prompts.append(1)
    with open_transport(auth_phone.serial_tcp, opts=opts) as t:
        assert t.shell("getenforce", timeout=5).exit_code == 0
    assert prompts == [1]  # the phone had to show its prompt once
    assert "auth: new key accepted" in _auth_events(auth_phone)

    with open_transport(auth_phone.serial_tcp, opts=opts) as t:
        assert t.shell("getenforce", timeout=5).exit_code == 0
    assert prompts == [1]  # no second prompt: the phone knew the key
    assert _auth_events(auth_phone)[-1] == "auth: known key accepted by signature"


def test_a_key_the_phone_already_lists_needs_no_prompt(profile: Profile) -> None:
    key = load_host_key()
    known = profile.with_changes(auth={"required": True, "known_keys": [key.public_key_line]})
    prompts: list[int] = []
    opts = quick()
    opts.on_auth_prompt = lambda: prompts.append(1)
    with SimulatedPhone(known, port=0) as phone, open_transport(phone.serial_tcp, opts=opts) as t:
        assert t.shell("getenforce", timeout=5).stdout == b"Enforcing\n"
        assert _auth_events(phone) == ["auth: known key accepted by signature"]
    assert prompts == []


def test_refused_auth_is_unauthorized_with_the_prompt_advice(phone: SimulatedPhone) -> None:
    phone.set_faults(refuse_auth=True)
    prompts: list[int] = []
    opts = ConnectOptions(timeout=3, auth_timeout=0.5, idle_timeout=3)
    opts.on_auth_prompt = lambda: prompts.append(1)
    with pytest.raises(UnauthorizedError) as exc:
        open_transport(phone.serial_tcp, opts=opts)
    assert prompts == [1]
    assert exc.value.exit_code == ExitCode.DEVICE
    assert "not allowed this computer" in exc.value.message
    assert exc.value.hint is not None
    assert "Allow USB debugging?" in exc.value.hint
    assert "Always allow from this computer" in exc.value.hint
    assert "trace" in exc.value.hint


def test_refused_auth_exits_3_through_the_cli(
    phone: SimulatedPhone, capsys: pytest.CaptureFixture[str]
) -> None:
    phone.set_faults(refuse_auth=True)
    with pytest.raises(SystemExit) as exit_info:
        main(["devices", "--serial", phone.serial_tcp, "--auth-timeout", "1"])
    assert exit_info.value.code == ExitCode.DEVICE == 3
    err = " ".join(capsys.readouterr().err.split())  # rich wraps at 80 columns
    assert "has not allowed this computer" in err
    assert "Allow USB debugging?" in err
