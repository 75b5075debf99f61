"""The compiled indicator index the matchers use, cached on disk as plain JSON.

A feed is compiled once into maps from a normalised value (package, certificate digest, APK
sha256, host, IP) to attribution numbers, plus a table of attributions (family, type, feed,
version, field). The compiled form is cached under the store's `cache/` folder, keyed by the
sha256 of every feed file, so a scan loads it without parsing YAML (well under 100 ms, see
`benchmarks/bench_index.py`). Nothing here imports PyYAML or pydantic unless a cache is missing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from stalkerscan.errors import FeedError
from stalkerscan.indicators.normalize import (
    is_ip_literal,
    normalize_certificate,
    normalize_host,
    normalize_ip,
    normalize_sha256,
)
from stalkerscan.indicators.publickeys import PUBLIC_CERTIFICATES, SHARED_PARENTS

if TYPE_CHECKING:
    from stalkerscan.indicators.model import Feed

INDEX_FORMAT = 1
_KINDS = ("packages", "certificates", "samples", "hosts", "ips")
FeedKind = Literal["echap", "local"]
MatchHow = Literal["exact", "subdomain", "casefold"]


@dataclass(frozen=True, slots=True)
class Attribution:
    """One claim that a value belongs to a family.

    `field` says where the feed lists it (`packages`, `certificates`, `samples.csv`,
    `c2.domains`, `c2.ips`, `websites`, `distribution`); `value` is the value as listed;
    `match` is how the looked-up value met it (`exact`; `subdomain` for a host under a listed
    C2 host; `casefold` for a package that differs only in case).
    """

    family: str
    family_type: str  # "stalkerware" or "watchware"
    feed: str  # feed id: "echap", "demo", "local"
    feed_version: str
    field: str
    value: str
    match: MatchHow = "exact"


@dataclass(frozen=True)
class FeedProvenance:
    """What a report says about a feed it used."""

    feed_id: str
    kind: str
    version: str
    source: str
    commit: str | None
    downloaded_at: str | None
    files: dict[str, str]  # file name -> sha256
    counts: dict[str, int]
    rules_path: str | None = None  # the feed's rules.yar, when it has one

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class FeedSource:
    """An installed feed to load: where its files are and what it is.

    `kind` "echap" means the Echap layout (ioc.yaml, watchware.yaml, samples.csv); "local" a
    folder of family YAML files, checked strictly. `files` maps file name -> expected sha256
    (from the store's manifest); when given, a file changed on disk is refused.
    """

    feed_id: str
    kind: FeedKind
    path: Path
    version: str
    source: str
    commit: str | None = None
    downloaded_at: str | None = None
    files: Mapping[str, str] | None = None
    rules_path: Path | None = None


@dataclass
class _Part:
    provenance: FeedProvenance
    attributions: list[list[str]]
    packages: dict[str, list[int]]
    packages_fold: dict[str, list[str]]
    certificates: dict[str, list[int]]
    samples: dict[str, list[int]]
    hosts: dict[str, list[int]]
    ips: dict[str, list[int]]

    def make(self, ids: Iterable[int], value: str, match: MatchHow = "exact") -> list[Attribution]:
        out = []
        for i in ids:
            fam, ftype, fld = self.attributions[i]
            out.append(
                Attribution(
                    fam, ftype, self.provenance.feed_id, self.provenance.version, fld, value, match
                )
            )
        return out


@dataclass
class IndicatorIndex:
    """Every loaded feed, searchable by value. Lookups return [] when nothing matches.

    `missing` lists feeds that could not be loaded and why (e.g. no feed installed yet): a
    report must say so rather than read an empty index as "clean".
    """

    parts: list[_Part] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def provenance(self) -> tuple[FeedProvenance, ...]:
        """The feeds this index was built from (id, source, commit, file sha256s, counts)."""
        return tuple(p.provenance for p in self.parts)

    @property
    def is_empty(self) -> bool:
        """True when no feed at all is loaded."""
        return not self.parts

    def entries(self, kind: str) -> Iterator[tuple[str, list[Attribution]]]:
        """Every listed value of one kind with its attributions, feed by feed (for tests and
        reports). `kind`: packages, certificates, samples, hosts or ips."""
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {', '.join(_KINDS)}")
        for p in self.parts:
            table: dict[str, list[int]] = getattr(p, kind)
            for value, ids in table.items():
                yield value, p.make(ids, value)

    def by_package(self, name: str) -> list[Attribution]:
        """Families listing this exact package name (case-sensitive, as Android is)."""
        name = name.strip()
        return [a for p in self.parts for a in p.make(p.packages.get(name, ()), name)]

    def by_package_casefold(self, name: str) -> list[Attribution]:
        """Families listing a package that differs from `name` only in case (a weaker hint)."""
        name = name.strip()
        out: list[Attribution] = []
        for p in self.parts:
            for listed in p.packages_fold.get(name.casefold(), ()):
                if listed != name:
                    out += p.make(p.packages[listed], listed, "casefold")
        return out

    def by_certificate(self, digest: str, *, include_public: bool = False) -> list[Attribution]:
        """Families listing this signing-certificate SHA-1 or SHA-256 (any case, `:` allowed).

        A public certificate (the AOSP test key...) returns [] unless `include_public`: it never
        counts as a match on its own. See `public_certificate()`.
        """
        try:
            norm = normalize_certificate(digest)
        except ValueError:
            return []
        if norm in PUBLIC_CERTIFICATES and not include_public:
            return []
        return [a for p in self.parts for a in p.make(p.certificates.get(norm, ()), norm)]

    @staticmethod
    def public_certificate(digest: str) -> str | None:
        """Why this certificate never counts alone (a public key), or None."""
        try:
            return PUBLIC_CERTIFICATES.get(normalize_certificate(digest))
        except ValueError:
            return None

    def by_sample_hash(self, sha256: str) -> list[Attribution]:
        """Families with a known APK of this SHA-256."""
        try:
            norm = normalize_sha256(sha256)
        except ValueError:
            return []
        return [a for p in self.parts for a in p.make(p.samples.get(norm, ()), norm)]

    def by_host(self, hostname: str) -> list[Attribution]:
        """Families listing this host, or a parent of it (never a subdomain of it).

        Listed `x.firebaseio.com` matches `x.firebaseio.com` and `a.x.firebaseio.com`, never
        `firebaseio.com`; a listed shared parent (SHARED_PARENTS) matches only exactly.
        """
        try:
            host = normalize_host(hostname)
        except ValueError:
            return []
        if is_ip_literal(host):
            return self.by_ip(host)
        out: list[Attribution] = []
        labels = host.split(".")
        for p in self.parts:
            out += p.make(p.hosts.get(host, ()), host)
            for i in range(1, len(labels) - 1):
                parent = ".".join(labels[i:])
                if parent in SHARED_PARENTS:
                    continue
                out += p.make(p.hosts.get(parent, ()), parent, "subdomain")
        return out

    def by_ip(self, ip: str) -> list[Attribution]:
        """Families listing this IP address (C2 IPs, and IPs written where a host was expected)."""
        try:
            norm = normalize_ip(ip)
        except ValueError:
            return []
        return [
            a
            for p in self.parts
            for a in p.make((*p.ips.get(norm, ()), *p.hosts.get(norm, ())), norm)
        ]


# --- compiling -------------------------------------------------------------------------------


def compile_feed(feed: Feed, provenance: FeedProvenance) -> dict[str, Any]:
    """The JSON-ready compiled form of a parsed feed."""
    table: dict[tuple[str, str, str], int] = {}

    def aid(family: str, ftype: str, fld: str) -> int:
        return table.setdefault((family, ftype, fld), len(table))

    maps: dict[str, dict[str, list[int]]] = {
        k: {} for k in ("packages", "certificates", "samples", "hosts", "ips")
    }

    def put(kind: str, value: str, ident: int) -> None:
        ids = maps[kind].setdefault(value, [])
        if ident not in ids:
            ids.append(ident)

    for fam in feed.families:
        for pkg in fam.packages:
            put("packages", pkg, aid(fam.name, fam.type, "packages"))
        for cert in fam.certificates:
            put("certificates", cert, aid(fam.name, fam.type, "certificates"))
        for fld, hosts in (
            ("c2.domains", fam.c2_domains),
            ("websites", fam.websites),
            ("distribution", fam.distribution),
        ):
            for host in hosts:
                put("hosts", host, aid(fam.name, fam.type, fld))
        for ip in fam.c2_ips:
            put("ips", ip, aid(fam.name, fam.type, "c2.ips"))
    for sample in feed.samples:
        for ref in sample.families:
            ident = aid(ref.name, ref.type, "samples.csv")
            put("samples", sample.sha256, ident)
            if sample.package:
                put("packages", sample.package, ident)
            if sample.certificate:
                put("certificates", sample.certificate, ident)
    fold: dict[str, list[str]] = {}
    for pkg in maps["packages"]:
        fold.setdefault(pkg.casefold(), []).append(pkg)
    return {
        "format": INDEX_FORMAT,
        "provenance": provenance.as_dict(),
        "attributions": [list(k) for k in table],
        "packages_fold": fold,
        **maps,
    }


def _part_from_json(doc: Mapping[str, Any]) -> _Part:
    return _Part(
        provenance=FeedProvenance(**doc["provenance"]),
        attributions=doc["attributions"],
        packages=doc["packages"],
        packages_fold=doc["packages_fold"],
        certificates=doc["certificates"],
        samples=doc["samples"],
        hosts=doc["hosts"],
        ips=doc["ips"],
    )


# --- loading ---------------------------------------------------------------------------------


def _source_files(src: FeedSource) -> dict[str, bytes]:
    from stalkerscan.indicators.layout import FEED_FILES

    if src.kind == "echap":
        names: Sequence[str] = FEED_FILES
    else:
        names = sorted(
            p.name
            for p in src.path.iterdir()
            if p.is_file() and p.suffix in (".yaml", ".yml") and not p.name.startswith(".")
        )
    out: dict[str, bytes] = {}
    for name in names:
        try:
            out[name] = (src.path / name).read_bytes()
        except OSError as err:
            raise FeedError(f"Cannot read {src.path / name}: {err.strerror}.") from err
    return out


def _cache_key(src: FeedSource, digests: Mapping[str, str]) -> str:
    h = hashlib.sha256()
    h.update(f"{INDEX_FORMAT}\0{src.feed_id}\0{src.kind}\0{src.version}\0".encode())
    h.update(f"{src.source}\0{src.commit}\0{src.downloaded_at}\0{src.rules_path}\0".encode())
    for name in sorted(digests):
        h.update(f"{name}\0{digests[name]}\0".encode())
    return h.hexdigest()


def load_part(src: FeedSource, cache_dir: Path | None) -> _Part:
    """Load one feed: from the cache when its files are unchanged, else parse and cache it."""
    files = _source_files(src)
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    if src.files is not None:
        for name, expected in src.files.items():
            if name in files and digests[name] != expected:
                raise FeedError(
                    f"The {src.feed_id} feed file {src.path / name} changed on disk since it was "
                    "installed (sha256 mismatch).",
                    "Run `stalkerscan indicators update` or `stalkerscan indicators rollback`.",
                )
    key = _cache_key(src, digests)
    cache_file = cache_dir / f"index-{key}.json" if cache_dir is not None else None
    if cache_file is not None:
        try:
            doc = json.loads(cache_file.read_bytes())
            if doc.get("format") == INDEX_FORMAT:
                return _part_from_json(doc)
        except (OSError, ValueError, KeyError, TypeError):
            pass  # no cache yet, or a damaged one: rebuild below
    doc = compile_source(src, files, digests)
    if cache_file is not None:
        _write_cache(cache_file, doc)
    return _part_from_json(doc)


def compile_source(
    src: FeedSource, files: Mapping[str, bytes], digests: Mapping[str, str]
) -> dict[str, Any]:
    """Parse a feed's files and compile them (the slow path, without a cache)."""
    from stalkerscan.indicators.echap import parse_echap, parse_family_files

    if src.kind == "echap":
        feed = parse_echap(files, feed_id=src.feed_id)
    else:
        feed = parse_family_files(files, feed_id=src.feed_id, strict=True)
    prov = FeedProvenance(
        feed_id=src.feed_id,
        kind=src.kind,
        version=src.version,
        source=src.source,
        commit=src.commit,
        downloaded_at=src.downloaded_at,
        files=dict(digests),
        counts=feed.counts().as_dict(),
        rules_path=str(src.rules_path) if src.rules_path else None,
    )
    return compile_feed(feed, prov)


def _write_cache(path: Path, doc: Mapping[str, Any]) -> None:
    from stalkerscan.fsutil import atomic_write, make_private_dir

    try:
        make_private_dir(path.parent, strict=False)
        atomic_write(path, json.dumps(doc, separators=(",", ":")).encode())
    except OSError:
        pass  # a read-only store still works, only slower


def load_index(feeds: Sequence[FeedSource], *, cache_dir: Path | None = None) -> IndicatorIndex:
    """An index over the given feeds (e.g. demo + active Echap + local), in that order."""
    return IndicatorIndex(parts=[load_part(src, cache_dir) for src in feeds])
