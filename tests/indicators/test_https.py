"""HTTPS on loopback with a throwaway certificate: an untrusted certificate is refused, a trusted
one works (proves the download verifies certificates and host names)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from stalkerscan.errors import FeedError
from stalkerscan.indicators.fetch import Http, RawFilesFetcher
from stalkerscan.indicators.store import FeedStore
from stalkerscan.indicators.update import update_feed

from .conftest import GOOD, FeedServer


def _self_signed(tmp_path: Path, san_ip: str) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "stalkerscan test (fictional)")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(san_ip))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[FeedServer, Path]]:
    cert, key = _self_signed(tmp_path, "127.0.0.1")
    server = FeedServer()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.httpd.socket = ctx.wrap_socket(server.httpd.socket, server_side=True)
    server.serve_folder("/feed/", GOOD)
    try:
        yield server, cert
    finally:
        server.close()


def test_untrusted_certificate_is_refused(https_server, tmp_path: Path) -> None:
    server, _cert = https_server
    url = f"https://127.0.0.1:{server.port}/feed/"
    store = FeedStore(tmp_path / "store")
    with pytest.raises(FeedError, match="certificate could not be verified"):
        update_feed(store, RawFilesFetcher(url, http=Http(timeout=10)))
    assert store.active_id() is None


def test_trusted_certificate_works(https_server, tmp_path: Path) -> None:
    server, cert = https_server
    ctx = ssl.create_default_context(cafile=str(cert))
    url = f"https://127.0.0.1:{server.port}/feed/"
    result = update_feed(
        FeedStore(tmp_path / "store"), RawFilesFetcher(url, http=Http(context=ctx, timeout=10))
    )
    assert result.version.counts["families"] == 9


def test_certificate_for_another_host_is_refused(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path, "127.0.0.2")  # valid, trusted, but not for 127.0.0.1
    server = FeedServer()
    try:
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        sctx.load_cert_chain(cert, key)
        server.httpd.socket = sctx.wrap_socket(server.httpd.socket, server_side=True)
        server.serve_folder("/feed/", GOOD)
        ctx = ssl.create_default_context(cafile=str(cert))
        with pytest.raises(FeedError, match="could not be verified"):
            update_feed(
                FeedStore(tmp_path / "store"),
                RawFilesFetcher(
                    f"https://127.0.0.1:{server.port}/feed/", http=Http(context=ctx, timeout=10)
                ),
            )
    finally:
        server.close()
