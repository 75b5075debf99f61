"""Property tests: whatever bytes a feed file holds, the importer either returns a valid feed or
raises FeedError (never another exception), and normalisers only raise ValueError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stalkerscan.errors import FeedError
from stalkerscan.indicators.echap import parse_echap
from stalkerscan.indicators.normalize import (
    normalize_certificate,
    normalize_host,
    normalize_ip,
    normalize_package,
    normalize_sha256,
)

from .conftest import GOOD, feed_files

BASE = feed_files(GOOD)
YAMLISH = st.text(
    alphabet=st.sampled_from(list("- :#&*![]{}'\"\n\t |>name:packagesc2domainsips0123abc.\\%@`")),
    max_size=300,
)


def _parse(name: str, data: bytes) -> None:
    try:
        feed = parse_echap({**BASE, name: data})
    except FeedError as err:
        assert err.message
        return
    for fam in feed.families:
        assert fam.name and fam.type in ("stalkerware", "watchware")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_as_ioc(data: bytes) -> None:
    _parse("ioc.yaml", data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_yaml_like_text_as_ioc(text: str) -> None:
    _parse("ioc.yaml", text.encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list('SHA256,"\r\n0123456789abcdefXYZ.')), max_size=300))
def test_csv_like_text_as_samples(text: str) -> None:
    _parse("samples.csv", text.encode())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_normalisers_raise_only_value_error(text: str) -> None:
    for norm in (
        normalize_certificate,
        normalize_host,
        normalize_ip,
        normalize_package,
        normalize_sha256,
    ):
        try:
            out = norm(text)
        except ValueError:
            continue
        assert isinstance(out, str) and out
