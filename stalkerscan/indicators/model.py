"""The strict indicator model: families, samples, the problems an import met, and the counts.

The importer (`echap.py`) is tolerant and turns messy upstream data into these models; the
models themselves accept only normalised, valid values (a validator failing here is a bug in the
importer or a local file to refuse, never something to guess around).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from stalkerscan.indicators.normalize import (
    normalize_certificate,
    normalize_host,
    normalize_ip,
    normalize_package,
    normalize_sha256,
)

FamilyType = Literal["stalkerware", "watchware"]
FAMILY_TYPES: tuple[str, ...] = ("stalkerware", "watchware")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Family(_Frozen):
    """One stalkerware or watchware family (an entry of ioc.yaml / watchware.yaml)."""

    name: str
    type: FamilyType
    origin: str  # the file it came from, e.g. "ioc.yaml"
    aliases: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()
    websites: tuple[str, ...] = ()
    distribution: tuple[str, ...] = ()
    c2_domains: tuple[str, ...] = ()
    c2_ips: tuple[str, ...] = ()
    # Keys we do not interpret (e.g. `certificate_cname_re`, `ios_bundles`), kept as found.
    extra: dict[str, Any] = {}

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if not v or len(v) > 200:
            raise ValueError("family name must be 1 to 200 characters")
        return v

    @field_validator("packages")
    @classmethod
    def _packages(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalize_package(p) for p in v)

    @field_validator("certificates")
    @classmethod
    def _certificates(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalize_certificate(c) for c in v)

    @field_validator("websites", "distribution", "c2_domains")
    @classmethod
    def _hosts(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalize_host(h) for h in v)

    @field_validator("c2_ips")
    @classmethod
    def _ips(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalize_ip(i) for i in v)

    @property
    def key(self) -> str:
        """`type:name`, unique within a feed (WiseMo exists as stalkerware and as watchware)."""
        return f"{self.type}:{self.name}"


class FamilyRef(_Frozen):
    """A family a sample belongs to."""

    name: str
    type: FamilyType


class Sample(_Frozen):
    """One row of samples.csv: an APK hash, with its package and certificate when known."""

    sha256: str
    app: str
    families: tuple[FamilyRef, ...]
    package: str | None = None
    certificate: str | None = None
    version: str | None = None

    @field_validator("sha256")
    @classmethod
    def _sha(cls, v: str) -> str:
        return normalize_sha256(v)

    @field_validator("package")
    @classmethod
    def _pkg(cls, v: str | None) -> str | None:
        return None if v is None else normalize_package(v)

    @field_validator("certificate")
    @classmethod
    def _cert(cls, v: str | None) -> str | None:
        return None if v is None else normalize_certificate(v)


class Problem(_Frozen):
    """Something the importer skipped or noticed: file, entry, reason."""

    file: str
    entry: str
    reason: str
    severity: Literal["skipped", "warning"] = "skipped"

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.reason}"


@dataclass(frozen=True)
class FeedCounts:
    """Unique values in a feed (the same definitions as the Echap snapshot's SOURCE.md)."""

    families: int
    stalkerware_families: int
    watchware_families: int
    packages: int  # from the YAML files
    packages_with_samples: int
    certificates: int  # from the YAML files
    certificates_with_samples: int
    sample_hashes: int
    domains: int  # C2 domains
    hostnames: int  # C2 domains, websites and distribution hosts
    ips: int

    def status_json(self) -> dict[str, int]:
        """The six counts `indicators status --json` prints, with exactly these keys."""
        return {
            "families": self.families,
            "packages": self.packages,
            "certificates": self.certificates,
            "sample_hashes": self.sample_hashes,
            "domains": self.domains,
            "ips": self.ips,
        }

    def as_dict(self) -> dict[str, int]:
        """Every count, for manifests and `--json` listings."""
        return dict(self.__dict__)


class Feed(_Frozen):
    """A parsed, validated feed: its families and samples, and what the import skipped."""

    feed_id: str
    families: tuple[Family, ...]
    samples: tuple[Sample, ...] = ()
    problems: tuple[Problem, ...] = ()

    def counts(self) -> FeedCounts:
        """Unique counts of every indicator kind."""
        packages = {p for f in self.families for p in f.packages}
        certs = {c for f in self.families for c in f.certificates}
        domains = {d for f in self.families for d in f.c2_domains}
        hosts = domains | {h for f in self.families for h in (*f.websites, *f.distribution)}
        return FeedCounts(
            families=len(self.families),
            stalkerware_families=sum(1 for f in self.families if f.type == "stalkerware"),
            watchware_families=sum(1 for f in self.families if f.type == "watchware"),
            packages=len(packages),
            packages_with_samples=len(packages | {s.package for s in self.samples if s.package}),
            certificates=len(certs),
            certificates_with_samples=len(
                certs | {s.certificate for s in self.samples if s.certificate}
            ),
            sample_hashes=len({s.sha256 for s in self.samples}),
            domains=len(domains),
            hostnames=len(hosts),
            ips=len({i for f in self.families for i in f.c2_ips}),
        )

    def indicator_sets(self) -> dict[str, set[str]]:
        """Every matchable value by category (what `indicators diff` compares)."""
        return {
            "families": {f"{f.name} ({f.type})" for f in self.families},
            "packages": {p for f in self.families for p in f.packages}
            | {s.package for s in self.samples if s.package},
            "certificates": {c for f in self.families for c in f.certificates}
            | {s.certificate for s in self.samples if s.certificate},
            "sample_hashes": {s.sha256 for s in self.samples},
            "domains": {d for f in self.families for d in f.c2_domains},
            "websites": {h for f in self.families for h in (*f.websites, *f.distribution)},
            "ips": {i for f in self.families for i in f.c2_ips},
        }
