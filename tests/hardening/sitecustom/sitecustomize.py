"""Loaded by every CLI subprocess of the hardening tests (PYTHONPATH): a network tripwire and a
peak-memory record.

- `socket.socket.connect`/`connect_ex`/`sendto` and `socket.create_connection` refuse any
  address that is not loopback (or a UNIX socket) and append the attempt to
  `$HARDEN_NET_LOG`, so a test sees the attempt even if the code swallowed the error.
- At exit, the peak resident memory (KiB) of the process and of its children is written to
  `$HARDEN_RSS_FILE`. The process's own peak is `VmHWM` from /proc/self/status: Linux carries
  `ru_maxrss` across fork and exec, so a CLI started by a test process holding a large profile
  in memory would report the test's size, not its own (measured: 815 MB reported for a scan
  whose own peak was 277 MB). `ru_maxrss` is the fallback where /proc is missing.
"""

from __future__ import annotations

import atexit
import ipaddress
import os
import resource
import socket

_NET_LOG = os.environ.get("HARDEN_NET_LOG")
_RSS_FILE = os.environ.get("HARDEN_RSS_FILE")


def _is_loopback(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    if not isinstance(address, tuple) or not address:
        return False
    host = address[0]
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name other than localhost: would need DNS, i.e. the network


def _record(what: str, address: object) -> None:
    if _NET_LOG:
        with open(_NET_LOG, "a", encoding="utf-8") as f:
            f.write(f"{what} {address!r}\n")


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_sendto = socket.socket.sendto
_real_getaddrinfo = socket.getaddrinfo


def _connect(self: socket.socket, address: object) -> None:
    if self.family != getattr(socket, "AF_UNIX", None) and not _is_loopback(address):
        _record("connect", address)
        raise PermissionError(f"hardening test: network access refused ({address!r})")
    _real_connect(self, address)  # type: ignore[arg-type]


def _connect_ex(self: socket.socket, address: object) -> int:
    if self.family != getattr(socket, "AF_UNIX", None) and not _is_loopback(address):
        _record("connect_ex", address)
        return 13  # EACCES
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def _sendto(self: socket.socket, data: bytes, *args: object) -> int:
    address = args[-1]
    if not _is_loopback(address):
        _record("sendto", address)
        raise PermissionError(f"hardening test: network access refused ({address!r})")
    return _real_sendto(self, data, *args)  # type: ignore[arg-type]


def _getaddrinfo(host: object, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
    if host is not None and not _is_loopback((host,)):
        _record("getaddrinfo", host)
        raise socket.gaierror(f"hardening test: name resolution refused ({host!r})")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


socket.socket.connect = _connect  # type: ignore[method-assign]
socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
socket.socket.sendto = _sendto  # type: ignore[method-assign,assignment]
socket.getaddrinfo = _getaddrinfo


def _write_rss() -> None:
    if _RSS_FILE:
        with open(_RSS_FILE, "w", encoding="utf-8") as f:
            # The largest of this process and its (waited-for) children, e.g. the YARA worker.
            own = _own_peak_kib()
            children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            f.write(str(max(own, children)))


def _own_peak_kib() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


atexit.register(_write_rss)
