"""Each fault knob of the simulated phone, seen at the protocol level."""

from __future__ import annotations

import time

from sim_helpers import WEATHER_APK, RawClient, parse_sync_recv, parse_v2

from stalkerscan.simulator import protocol as p
from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.server import SimulatedPhone


def faulty(profile: Profile, **faults: object) -> SimulatedPhone:
    return SimulatedPhone(profile.with_changes(faults=faults))


def test_drop_after_commands_drops_once_at_the_next_command(minimal_profile: Profile) -> None:
    with faulty(minimal_profile, drop_after_commands=2) as phone:
        with RawClient(phone.port) as c:
            c.connect()
            assert c.shell(1, "shell:echo 1") == (b"1\n", True)
            assert c.shell(2, "exec:echo 2") == (b"2\n", True)
            c.send(p.A_OPEN, 3, 0, b"shell:echo 3\x00")
            assert c.recv() is None  # the third command: connection cut, no OKAY
        with RawClient(phone.port) as c:  # the phone is "plugged back in": serving again
            c.connect()
            assert c.shell(1, "shell:echo 4") == (b"4\n", True)
        assert phone.command_log.commands() == ["echo 1", "echo 2", "echo 3", "echo 4"]


def test_drop_on_command_matches_a_regex(minimal_profile: Profile) -> None:
    with faulty(minimal_profile, drop_on_command=r"^dumpsys ro") as phone:
        with RawClient(phone.port) as c:
            c.connect()
            assert c.shell(1, "shell:dumpsys usb") == (b"Can't find service: usb\n", True)
            c.send(p.A_OPEN, 2, 0, b"shell:dumpsys role\x00")
            assert c.recv() is None
        with RawClient(phone.port) as c:  # every time, not once
            c.connect()
            c.send(p.A_OPEN, 1, 0, b"exec:dumpsys role\x00")
            assert c.recv() is None


def test_drop_in_sync_after_bytes_cuts_a_pull(minimal_profile: Profile) -> None:
    with (
        faulty(minimal_profile, drop_in_sync_after_bytes=100_000) as phone,
        RawClient(phone.port) as c,
    ):
        c.connect()
        okay = c.open(1, "sync:")
        assert okay is not None
        c.sync_request(1, okay.arg0, b"RECV", WEATHER_APK)
        got = bytearray()
        while (msg := c.recv()) is not None:
            if msg.name == "WRTE":
                got += msg.data
                c.send(p.A_OKAY, 1, okay.arg0)
        assert parse_sync_recv(bytes(got)) is None  # no DONE ever came
        data_bytes = len(got) - 8 * (len(got) // (8 + 65536) + 1)
        assert 90_000 < data_bytes <= 100_000


def test_drop_in_shell_after_bytes_cuts_output(minimal_profile: Profile) -> None:
    with faulty(minimal_profile, drop_in_shell_after_bytes=10) as phone, RawClient(phone.port) as c:
        c.connect()
        okay = c.open(1, "shell:dumpsys role")
        assert okay is not None
        data, _, clean = c.read_stream(1, okay.arg0)
        assert (data, clean) == (b"Role Manag", False)


def test_hang_on_command_never_answers_but_others_work(minimal_profile: Profile) -> None:
    with faulty(minimal_profile, hang_on_command="getenforce") as phone, RawClient(phone.port) as c:
        c.connect()
        okay = c.open(1, "shell:getenforce")
        assert okay is not None and okay.name == "OKAY"  # accepted...
        assert c.silent_for(0.3)  # ...but never answered
        assert c.shell(2, "shell:echo other") == (b"other\n", True)
        c.send(p.A_CLSE, 1, okay.arg0)  # the host gives up: the phone closes its end
        msg = c.recv()
        assert msg is not None and (msg.name, msg.arg1) == ("CLSE", 1)


def test_never_answer_cnxn(minimal_profile: Profile) -> None:
    with faulty(minimal_profile, never_answer_cnxn=True) as phone, RawClient(phone.port) as c:
        c.send(p.A_CNXN, p.A_VERSION_MIN, p.MAX_PAYLOAD, b"host::\x00")
        assert c.silent_for(0.3)  # connected, not closed, silent


def test_slow_bytes_per_s_dribbles_output(minimal_profile: Profile) -> None:
    with faulty(minimal_profile, slow_bytes_per_s=400) as phone, RawClient(phone.port) as c:
        c.connect()
        okay = c.open(1, "shell:getprop ro.build.version.sdk; echo 0123456789012345678901234567")
        assert okay is not None
        start = time.perf_counter()
        data, sizes, clean = c.read_stream(1, okay.arg0)
        elapsed = time.perf_counter() - start
    assert clean and data == b"34\n0123456789012345678901234567\n"
    assert max(sizes) == 20 and len(sizes) >= 2  # 400 B/s in packets of 20 bytes
    assert elapsed >= 0.05


def test_sync_extra_bytes_sends_more_than_the_file(minimal_profile: Profile) -> None:
    with faulty(minimal_profile, sync_extra_bytes=1000) as phone, RawClient(phone.port) as c:
        c.connect()
        okay = c.open(1, "sync:")
        assert okay is not None
        c.sync_request(1, okay.arg0, b"RECV", WEATHER_APK)
        got = c.read_until(1, okay.arg0, lambda b: parse_sync_recv(b) is not None)
    assert got is not None
    content, status = parse_sync_recv(got)  # type: ignore[misc]
    assert status == "DONE" and len(content) == (1 << 20) + 1000
    assert content.endswith(b"\xee" * 1000)


def test_close_refused_services_false_opens_then_closes(minimal_profile: Profile) -> None:
    with faulty(minimal_profile, close_refused_services=False) as phone, RawClient(phone.port) as c:
        c.connect()
        okay = c.open(4, "framebuffer:")
        assert okay is not None and okay.name == "OKAY"
        close = c.recv()
        assert close is not None and (close.name, close.arg1) == ("CLSE", 4)


def test_refuse_auth_asks_for_a_key_even_when_auth_is_off(minimal_profile: Profile) -> None:
    # refuse_auth alone turns AUTH on: the phone asks for a key even if the profile does not.
    with faulty(minimal_profile, refuse_auth=True) as phone, RawClient(phone.port) as c:
        reply = c.connect()
        assert reply is not None and (reply.name, reply.arg0) == ("AUTH", p.AUTH_TOKEN)


def test_set_faults_on_a_running_phone(phone: SimulatedPhone) -> None:
    with RawClient(phone.port) as c:
        c.connect()
        assert (
            c.shell(1, "shell,v2,raw:echo ok")[0]
            == b"\x01\x03\x00\x00\x00ok\n\x03\x01\x00\x00\x00\x00"
        )
        phone.set_faults(drop_on_command="echo")
        c.send(p.A_OPEN, 2, 0, b"shell:echo gone\x00")
        assert c.recv() is None
    phone.set_faults()
    with RawClient(phone.port) as c:
        c.connect()
        assert parse_v2(c.shell(1, "shell,v2:echo back")[0]) == (b"back\n", b"", 0)


def test_sync_list_extra_names_injects_hostile_entries(minimal_profile: Profile) -> None:
    from adb_shell.adb_device import AdbDeviceTcp

    hostile = ["../../../etc/passwd", "a/b", "x\x1b[31m"]
    with faulty(minimal_profile, sync_list_extra_names=hostile) as phone:
        dev = AdbDeviceTcp("127.0.0.1", phone.port, default_transport_timeout_s=5)
        dev.connect(rsa_keys=None, auth_timeout_s=1)
        try:
            names = [bytes(f.filename).decode() for f in dev.list("/data/app")]
        finally:
            dev.close()
    assert names[-3:] == hostile and "~~Zm9vYmFy==" in names
