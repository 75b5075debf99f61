"""The simulated adbd packet by packet: negotiation, flow control, services, bad clients, timing."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from adb_shell.adb_device import AdbDeviceTcp
from hypothesis import given, settings
from hypothesis import strategies as st
from sim_helpers import NOTES_APK, WEATHER_APK, RawClient, parse_sync_recv, parse_v2

from stalkerscan.simulator import protocol as p
from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.server import SimulatedPhone


def test_cnxn_negotiates_version_payload_and_banner(phone: SimulatedPhone) -> None:
    with RawClient(phone.port) as c:
        reply = c.connect(version=p.A_VERSION_SKIP_CHECKSUM, max_payload=4096)
        assert reply is not None and reply.name == "CNXN"
        assert (reply.arg0, reply.arg1) == (p.A_VERSION_SKIP_CHECKSUM, 4096)
        assert reply.data == (
            b"device::ro.product.name=panther;ro.product.model=Pixel 7;"
            b"ro.product.device=panther;features=shell_v2,cmd"
        )
    with RawClient(phone.port) as c:
        reply = c.connect(version=p.A_VERSION_MIN, max_payload=1 << 22)
        assert reply is not None and (reply.arg0, reply.arg1) == (p.A_VERSION_MIN, 1 << 20)


def test_zero_checksums_accepted_after_skip_checksum_negotiation(phone: SimulatedPhone) -> None:
    with RawClient(phone.port) as c:
        c.connect(version=p.A_VERSION_SKIP_CHECKSUM)
        c.send(p.A_OPEN, 1, 0, b"shell:echo ok\x00", checksum=False)
        okay = c.recv()
        assert okay is not None and okay.name == "OKAY"
        data, _, clean = c.read_stream(1, okay.arg0)
        assert (data, clean) == (b"ok\n", True)


def test_checksums_required_with_old_version(phone: SimulatedPhone) -> None:
    with RawClient(phone.port) as c:
        c.connect(version=p.A_VERSION_MIN)
        c.send(p.A_OPEN, 1, 0, b"shell:echo ok\x00", checksum=False)
        assert c.recv() is None  # bad checksum: connection closed


def test_flow_control_one_write_in_flight(minimal_profile: Profile) -> None:
    prof = Profile.from_dict(
        {"name": "flow", "commands": {"dumpsys package": {"generate": {"size": 40_000}}}}
    )
    with SimulatedPhone(prof) as phone, RawClient(phone.port) as c:
        c.connect(max_payload=4096)
        okay = c.open(5, "shell:dumpsys package")
        assert okay is not None and okay.name == "OKAY" and okay.arg1 == 5
        first = c.recv()
        assert first is not None and first.name == "WRTE" and len(first.data) == 4096
        assert c.silent_for(0.2)  # nothing more until we acknowledge
        c.send(p.A_OKAY, 5, okay.arg0)
        rest, sizes, clean = c.read_stream(5, okay.arg0)
        assert clean and len(first.data) + len(rest) == 40_000
        assert max(sizes) <= 4096


def test_host_writes_are_acknowledged_and_sync_works_raw(phone: SimulatedPhone) -> None:
    with RawClient(phone.port) as c:
        c.connect()
        okay = c.open(3, "sync:")
        assert okay is not None and okay.name == "OKAY"
        rid = okay.arg0
        c.sync_request(3, rid, b"STAT", NOTES_APK)
        ack = c.recv()
        assert ack is not None and (ack.name, ack.arg0, ack.arg1) == ("OKAY", rid, 3)
        stat = c.read_until(3, rid, lambda b: len(b) >= 16)
        assert stat is not None and p.SYNC_STAT.unpack(stat[:16]) == (
            b"STAT",
            0o100644,
            41,
            1_700_000_000,
        )
        c.sync_request(3, rid, b"RECV", "/data/no/such.apk")
        got = c.read_until(3, rid, lambda b: parse_sync_recv(b) is not None)
        assert got is not None and parse_sync_recv(got) == (
            b"",
            "open failed: No such file or directory",
        )


def test_shell_v2_frames_stdout_stderr_exit(phone: SimulatedPhone) -> None:
    with RawClient(phone.port) as c:
        c.connect()
        data, clean = c.shell(1, "shell,v2,TERM=xterm-256color,raw:echo out; nosuch; exit 7")
        assert clean
        assert parse_v2(data) == (
            b"out\n",
            b"/system/bin/sh: nosuch: inaccessible or not found\n",
            7,
        )
        log = phone.command_log.entries()[-1]
        assert (log.kind, log.service, log.command) == (
            "shell_v2",
            "shell,v2,TERM=xterm-256color,raw",
            "echo out; nosuch; exit 7",
        )


def test_exec_and_shell_v1_merge_streams(phone: SimulatedPhone) -> None:
    with RawClient(phone.port) as c:
        c.connect()
        assert c.shell(3, "shell: ") == (b"", True)  # blank, not interactive: ends at once
        assert c.shell(1, "exec:echo a; nosuch 2>&1; echo b") == (
            b"a\n/system/bin/sh: nosuch: inaccessible or not found\nb\n",
            True,
        )
        assert c.shell(2, "shell:settings list global") == (
            b"cmd: Failure calling service settings: Broken pipe (32)\n",
            True,
        )


def test_unknown_service_refused_with_close_and_stray_close_ignored(phone: SimulatedPhone) -> None:
    with RawClient(phone.port) as c:
        c.connect()
        refused = c.open(9, "reboot:")
        assert refused is not None and (refused.name, refused.arg0, refused.arg1) == ("CLSE", 0, 9)
        c.send(p.A_CLSE, 77, 12345)  # unknown stream: ignored
        c.send(p.A_OKAY, 77, 12345)
        assert c.shell(10, "shell:echo still here") == (b"still here\n", True)
    assert phone.command_log.entries()[0].kind == "refused"


def test_garbage_closes_that_connection_only(phone: SimulatedPhone) -> None:
    good = RawClient(phone.port)
    good.connect()
    with RawClient(phone.port) as bad:
        bad.sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert bad.recv() is None
    with RawClient(phone.port) as bad2:  # a valid CNXN, then a packet with a wrong magic
        bad2.connect()
        bad2.sock.sendall(p.encode(p.A_OPEN, 1, 0, b"shell:id\x00")[:20] + b"XXXX")
        assert bad2.recv() is None
    with RawClient(phone.port) as bad3:  # an absurd payload length
        bad3.sock.sendall(p.HEADER.pack(p.A_CNXN, 0, 0, 1 << 30, 0, p.A_CNXN ^ 0xFFFFFFFF))
        assert bad3.recv() is None
    assert good.shell(1, "shell:echo alive") == (b"alive\n", True)
    good.close()
    with RawClient(phone.port) as fresh:
        fresh.connect()
        assert fresh.shell(1, "shell:echo new") == (b"new\n", True)
    assert sum("protocol error" in text for _, _, text in phone.events) == 3


def test_open_before_connect_is_ignored(phone: SimulatedPhone) -> None:
    with RawClient(phone.port) as c:
        c.send(p.A_OPEN, 1, 0, b"shell:echo x\x00")
        assert c.silent_for(0.2)
        reply = c.connect()
        assert reply is not None and reply.name == "CNXN"


def test_concurrent_streams_on_one_connection(phone: SimulatedPhone) -> None:
    with RawClient(phone.port) as c:
        c.connect()
        for i in (1, 2):
            c.send(p.A_OPEN, i, 0, f"shell:echo s{i}".encode())
        outputs: dict[int, bytes] = {1: b"", 2: b""}
        closed: set[int] = set()
        opened: set[int] = set()
        while len(closed) < 2:
            msg = c.recv()
            assert msg is not None
            if msg.name == "OKAY":
                opened.add(msg.arg1)
            elif msg.name == "WRTE":
                outputs[msg.arg1] += msg.data
                c.send(p.A_OKAY, msg.arg1, msg.arg0)
            elif msg.name == "CLSE":
                closed.add(msg.arg1)
        assert outputs == {1: b"s1\n", 2: b"s2\n"} and opened == {1, 2}


def test_many_clients_in_parallel(phone: SimulatedPhone) -> None:
    results: list[str] = []

    def worker(i: int) -> None:
        dev = AdbDeviceTcp("127.0.0.1", phone.port, default_transport_timeout_s=5)
        dev.connect(rsa_keys=None, auth_timeout_s=1, read_timeout_s=5)
        results.append(dev.shell(f"echo {i}", read_timeout_s=5))
        dev.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results) == sorted(f"{i}\n" for i in range(8))
    assert phone.stats.snapshot()["connections"] == 8


def test_adb_shell_round_trips_are_fast(phone: SimulatedPhone) -> None:
    # Without TCP_NODELAY/TCP_QUICKACK each adb-shell command costs ~44 ms (Nagle + delayed ACK).
    dev = AdbDeviceTcp("127.0.0.1", phone.port, default_transport_timeout_s=5)
    dev.connect(rsa_keys=None, auth_timeout_s=1)
    start = time.perf_counter()
    for _ in range(100):
        dev.shell("echo x", read_timeout_s=5)
    elapsed = time.perf_counter() - start
    dev.close()
    assert elapsed < 2.0, f"100 commands took {elapsed:.2f} s"


def test_command_log_file_and_stats(minimal_profile: Profile, tmp_path: Path) -> None:
    log = tmp_path / "commands.jsonl"
    with SimulatedPhone(minimal_profile, log_path=log) as phone, RawClient(phone.port) as c:
        c.connect()
        c.shell(1, "shell:getenforce")
        okay = c.open(2, "sync:")
        assert okay is not None
        c.sync_request(2, okay.arg0, b"RECV", WEATHER_APK)
        got = c.read_until(2, okay.arg0, lambda b: parse_sync_recv(b) is not None)
        assert got is not None
        content, status = parse_sync_recv(got)  # type: ignore[misc]
        assert status == "DONE" and len(content) == 1 << 20
        stats = phone.stats.snapshot()
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    assert [(x["kind"], x["command"]) for x in lines] == [
        ("shell", "getenforce"),
        ("sync", ""),
        ("sync", f"RECV {WEATHER_APK}"),
    ]
    assert log.stat().st_mode & 0o777 == 0o600
    assert stats["shell_sessions"] == 1 and stats["sync_sessions"] == 1
    assert stats["bytes_out"] > 1 << 20 and stats["bytes_in"] > 0


def test_stop_releases_port_and_cuts_connections(minimal_profile: Profile) -> None:
    phone = SimulatedPhone(minimal_profile).start()
    c = RawClient(phone.port)
    c.connect()
    phone.stop()
    assert c.recv() is None
    c.close()
    phone.stop()  # twice is fine


# --- latency model ---------------------------------------------------------------------------


def _timed_shell(phone: SimulatedPhone, service: str) -> float:
    with RawClient(phone.port) as c:
        c.connect()
        start = time.perf_counter()
        c.shell(1, service)
        return time.perf_counter() - start


def test_latency_knobs_cost_what_they_say(minimal_profile: Profile) -> None:
    apk = "/data/app/~~big==/org.example.big-Qg==/base.apk"  # 20 MB, from conftest
    cases = [
        ({"shell_run_ms": 80}, "shell:echo x", 0.08),
        ({"stream_open_ms": 60}, "shell:echo x", 0.06),
        ({"write_ms": 20, "max_payload": 4096}, "shell:dumpsys role", 0.02),
        ({"bulk_mb_s": 10}, "exec:dumpsys package", 0.1),
        ({"hash_mb_s": 100}, f"shell:sha256sum {apk}", 0.2),
    ]
    for link, service, at_least in cases:
        with SimulatedPhone(minimal_profile.with_changes(link=link)) as phone:
            elapsed = _timed_shell(phone, service)
        assert elapsed >= at_least, (link, elapsed)


def test_bulk_rate_applies_to_sync_data(minimal_profile: Profile) -> None:
    slow = minimal_profile.with_changes(link={"bulk_mb_s": 10})
    with SimulatedPhone(slow) as phone, RawClient(phone.port) as c:
        c.connect()
        okay = c.open(1, "sync:")
        assert okay is not None
        start = time.perf_counter()
        c.sync_request(1, okay.arg0, b"RECV", WEATHER_APK)  # 1 MiB at 10 MB/s: >= 0.1 s
        got = c.read_until(1, okay.arg0, lambda b: parse_sync_recv(b) is not None)
        elapsed = time.perf_counter() - start
    assert got is not None and elapsed >= 0.1


def test_no_latency_means_no_sleeping(minimal_profile: Profile) -> None:
    with SimulatedPhone(minimal_profile) as phone, RawClient(phone.port) as c:
        c.connect()
        start = time.perf_counter()
        for i in range(50):
            c.shell(i + 1, "shell:echo x")
        elapsed = time.perf_counter() - start
    assert elapsed < 1.0, elapsed


# --- interactive `adb shell` (no command) ----------------------------------------------------


def _stdin(data: bytes) -> bytes:
    return bytes([0]) + len(data).to_bytes(4, "little") + data


def test_interactive_pty_shell_v2(phone: SimulatedPhone) -> None:
    with RawClient(phone.port) as c:
        c.connect()
        okay = c.open(1, "shell,v2,TERM=xterm-256color,pty:")
        assert okay is not None and okay.name == "OKAY"
        rid = okay.arg0

        def until(text: bytes) -> bytes:
            got = c.read_until(1, rid, lambda b: text in parse_v2_partial(b))
            assert got is not None
            return parse_v2_partial(got)

        assert until(b"panther:/ $ ") == b"panther:/ $ "
        # Typing: a typo, backspace, an arrow key (ignored), Enter.
        c.send(p.A_WRTE, 1, rid, _stdin(b"echo hi\x7fo\x1b[A\r"))
        assert until(b"ho\r\npanther:/ $ ") == b"echo hi\x08 \x08o\r\nho\r\npanther:/ $ "
        c.send(p.A_WRTE, 1, rid, _stdin(b"nosuch; exit 5\r"))
        rest = c.read_until(1, rid, lambda b: False)  # up to the phone's CLSE
        assert rest is not None
        screen, _, code = parse_v2(rest)
        assert code == 5
        assert screen == (
            b"nosuch; exit 5\r\n/system/bin/sh: nosuch: inaccessible or not found\r\n"
        )
    assert [e.command for e in phone.command_log.entries()] == ["", "echo ho", "nosuch; exit 5"]


def test_interactive_raw_runs_lines_until_stdin_closes(phone: SimulatedPhone) -> None:
    with RawClient(phone.port) as c:
        c.connect()
        okay = c.open(1, "shell,v2,raw:")
        assert okay is not None
        c.send(p.A_WRTE, 1, okay.arg0, _stdin(b"echo a\nnosuch\necho $?\nfalse"))
        c.send(p.A_WRTE, 1, okay.arg0, bytes([4, 0, 0, 0, 0]))  # close stdin
        data = c.read_until(1, okay.arg0, lambda b: False)
        assert data is not None
        assert parse_v2(data) == (
            b"a\n127\n",
            b"/system/bin/sh: nosuch: inaccessible or not found\n",
            1,
        )


def test_interactive_v1_shell_echoes_and_exits(phone: SimulatedPhone) -> None:
    with RawClient(phone.port) as c:
        c.connect()
        okay = c.open(1, "shell:")
        assert okay is not None
        c.send(p.A_WRTE, 1, okay.arg0, b"getprop ro.product.model\r\x04")
        data = c.read_until(1, okay.arg0, lambda b: False)
    assert data == b"panther:/ $ getprop ro.product.model\r\nPixel 7\r\npanther:/ $ "


def _complete_frames(data: bytes) -> bytes:
    """The longest prefix of whole shell v2 frames."""
    i = 0
    while i + 5 <= len(data):
        n = int.from_bytes(data[i + 1 : i + 5], "little")
        if i + 5 + n > len(data):
            break
        i += 5 + n
    return data[:i]


def parse_v2_partial(data: bytes) -> bytes:
    """The stdout of the whole v2 frames received so far."""
    return parse_v2(_complete_frames(data))[0]


@pytest.fixture(scope="module")
def shared_phone(minimal_profile: Profile) -> Iterator[SimulatedPhone]:
    with SimulatedPhone(minimal_profile) as phone:
        yield phone


@settings(max_examples=40, deadline=None)
@given(garbage=st.binary(min_size=1, max_size=300), after_cnxn=st.booleans())
def test_any_garbage_never_stops_the_phone(
    shared_phone: SimulatedPhone, garbage: bytes, after_cnxn: bool
) -> None:
    with RawClient(shared_phone.port) as bad:
        if after_cnxn:
            bad.connect()
        bad.sock.sendall(garbage)
    with RawClient(shared_phone.port) as good:
        good.connect()
        assert good.shell(1, "shell:echo alive") == (b"alive\n", True)
