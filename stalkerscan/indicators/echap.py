"""The tolerant importer for the Echap feed format (ioc.yaml, watchware.yaml, samples.csv).

Tolerant: upstream quirks are handled (string values, unknown keys kept and warned about, the
misspelt `c2.ip`, CRLF, hash-only sample rows, inline comments); a bad entry or value is skipped
and reported with file, entry name and reason, and does not sink the feed.
Refusing: a file that is empty, binary, an HTML page, not YAML/CSV at all, too big, or built to
hurt (aliases, duplicate keys, deep nesting) raises `FeedError` naming the file (and the entry
when there is one); the caller keeps the previous feed version active.

`strict=True` (local indicators) refuses on any problem at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from stalkerscan.errors import FeedError
from stalkerscan.indicators.layout import (
    FEED_FILES,
    IOC_FILE,
    MAX_BYTES,
    MAX_YAML_BYTES,
    RULES_FILE,
    SAMPLES_FILE,
    WATCHWARE_FILE,
)
from stalkerscan.indicators.model import (
    FAMILY_TYPES,
    Family,
    FamilyRef,
    Feed,
    Problem,
    Sample,
)
from stalkerscan.indicators.normalize import (
    normalize_certificate,
    normalize_host,
    normalize_ip,
    normalize_package,
    normalize_sha256,
)
from stalkerscan.indicators.yamlsafe import YamlRefused, entry_name_near, load_feed_yaml

MAX_ENTRIES = 100_000  # families per file or sample rows: far above upstream, bounds the work

_LIST_FIELDS: dict[str, str] = {
    "names": "aliases",
    "packages": "packages",
    "certificates": "certificates",
    "websites": "websites",
    "distribution": "distribution",
}
# Upstream keys we keep but do not interpret; not worth a warning on every update.
_KNOWN_EXTRA = frozenset({"ios_bundles", "certificate_organizations", "certificate_cname_re"})
_NORMALISERS = {
    "packages": normalize_package,
    "certificates": normalize_certificate,
    "websites": normalize_host,
    "distribution": normalize_host,
    "c2_domains": normalize_host,
    "c2_ips": normalize_ip,
}
_HTML_STARTS = ("<!doctype", "<html", "<head", "<body", "<?xml", "<meta", "<title")


def decode_text(name: str, data: bytes, *, max_bytes: int | None = None) -> str:
    """Check that a downloaded file is plain UTF-8 text of sane size; return the text."""
    limit = max_bytes if max_bytes is not None else MAX_BYTES.get(name, MAX_YAML_BYTES)
    if len(data) > limit:
        raise FeedError(f"{name} is {len(data):,} bytes, over the limit of {limit:,} bytes.")
    if not data.strip():
        raise FeedError(f"{name} is empty.")
    if b"\x00" in data:
        raise FeedError(f"{name} is binary data, not a text file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FeedError(
            f"{name} is not UTF-8 text (invalid byte at offset {err.start:,})."
        ) from err
    head = text.lstrip()[:256].lower()
    if head.startswith(_HTML_STARTS) or "<html" in head:
        raise FeedError(
            f"{name} is a web page (HTML), not the feed file: the download probably hit an "
            "error or sign-in page."
        )
    return text


def _yaml(name: str, text: str) -> Any:
    try:
        return load_feed_yaml(text)
    except YamlRefused as err:
        where = f" at line {err.line}" if err.line else ""
        entry = entry_name_near(text, err.line)
        in_entry = f" (in the entry {entry!r})" if entry else ""
        raise FeedError(f"{name} {err.reason}{where}{in_entry}.") from err


class _Collector:
    """Problems met during one import."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def skip(self, file: str, entry: str, reason: str) -> None:
        self.items.append(Problem(file=file, entry=entry, reason=reason, severity="skipped"))

    def warn(self, file: str, entry: str, reason: str) -> None:
        self.items.append(Problem(file=file, entry=entry, reason=reason, severity="warning"))


def _text_values(value: Any, file: str, entry: str, key: str, problems: _Collector) -> list[str]:
    """A list of text values from a field that should be a list (a lone string is accepted)."""
    if value is None:
        return []
    if isinstance(value, str):
        problems.warn(file, entry, f"{key}: a single value where a list was expected (accepted)")
        return [value]
    if not isinstance(value, list):
        problems.skip(file, entry, f"{key}: expected a list, found a mapping (field skipped)")
        return []
    out: list[str] = []
    for i, item in enumerate(value, 1):
        if item is None:
            continue
        if isinstance(item, str):
            if item.strip():
                out.append(item.strip())
            continue
        kind = "a mapping" if isinstance(item, dict) else "a list"
        problems.skip(file, entry, f"{key}: item {i} is {kind}, not a text value")
    return out


def _normalised(
    values: list[str], field: str, key: str, file: str, entry: str, problems: _Collector
) -> tuple[str, ...]:
    norm = _NORMALISERS[field]
    out: dict[str, None] = {}
    for raw in values:
        try:
            out[norm(raw)] = None
        except ValueError as err:
            problems.skip(file, entry, f"{key}: {err}")
    return tuple(out)


def _family(
    raw: Any, index: int, file: str, default_type: str, problems: _Collector
) -> Family | None:
    label = f"entry {index}"
    if not isinstance(raw, dict):
        problems.skip(file, label, "is not a mapping with name:, type:, packages: ...")
        return None
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.skip(file, label, "has no name")
        return None
    label = name.strip()
    ftype = raw.get("type", default_type)
    if ftype is None:
        ftype = default_type
    if not isinstance(ftype, str) or ftype.strip().lower() not in FAMILY_TYPES:
        problems.skip(file, label, f"type must be stalkerware or watchware, not {ftype!r}")
        return None
    fields: dict[str, Any] = {"name": label, "type": ftype.strip().lower(), "origin": file}
    extra: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("name", "type"):
            continue
        if key in _LIST_FIELDS:
            target = _LIST_FIELDS[key]
            values = _text_values(value, file, label, key, problems)
            if target == "aliases":
                fields[target] = tuple(dict.fromkeys(values))
            else:
                fields[target] = _normalised(values, target, key, file, label, problems)
        elif key == "c2":
            fields.update(_c2(value, file, label, problems, extra))
        else:
            extra[str(key)] = value
            if key not in _KNOWN_EXTRA:
                problems.warn(file, label, f"unknown key {key!r} (kept, not used for matching)")
    fields["extra"] = extra
    try:
        return Family(**fields)
    except ValidationError as err:  # the normalisers ran already: this is a defensive net
        problems.skip(file, label, _first_error(err))
        return None


def _c2(
    value: Any, file: str, label: str, problems: _Collector, extra: dict[str, Any]
) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.skip(file, label, "c2: expected a mapping with domains: and ips:")
        return {}
    domains: list[str] = []
    ips: list[str] = []
    for key, sub in value.items():
        if key == "domains":
            domains += _text_values(sub, file, label, "c2.domains", problems)
        elif key in ("ips", "ip"):  # upstream has both spellings
            ips += _text_values(sub, file, label, f"c2.{key}", problems)
        else:
            extra[f"c2.{key}"] = sub
            problems.warn(file, label, f"unknown key 'c2.{key}' (kept, not used for matching)")
    return {
        "c2_domains": _normalised(domains, "c2_domains", "c2.domains", file, label, problems),
        "c2_ips": _normalised(ips, "c2_ips", "c2.ips", file, label, problems),
    }


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first.get("loc", ()))
    return f"{loc}: {first.get('msg', 'invalid')}"


def parse_families(
    name: str, data: bytes, default_type: str, problems: _Collector, *, allow_empty: bool
) -> list[Family]:
    """Families from one YAML file; raises FeedError when the file as a whole is unusable."""
    text = decode_text(name, data)
    doc = _yaml(name, text)
    if doc is None:
        raise FeedError(f"{name} holds no data (only comments or blank lines).")
    if not isinstance(doc, list):
        kind = "a mapping" if isinstance(doc, dict) else "a single value"
        raise FeedError(f"{name} must hold a list of families, but it holds {kind}.")
    if not doc and not allow_empty:
        raise FeedError(f"{name} holds an empty list of families.")
    if len(doc) > MAX_ENTRIES:
        raise FeedError(f"{name} holds {len(doc):,} entries, over the limit of {MAX_ENTRIES:,}.")
    out = [_family(raw, i, name, default_type, problems) for i, raw in enumerate(doc, 1)]
    return [f for f in out if f is not None]


def _merge_families(families: list[Family], problems: _Collector) -> list[Family]:
    """One family per (type, name): a repeated entry is merged into the first, with a warning."""
    merged: dict[str, Family] = {}
    for fam in families:
        first = merged.get(fam.key)
        if first is None:
            merged[fam.key] = fam
            continue
        problems.warn(
            fam.origin,
            fam.name,
            f"repeats the {fam.type} family from {first.origin} (entries merged)",
        )
        update: dict[str, Any] = {}
        for field in (
            "aliases",
            "packages",
            "certificates",
            "websites",
            "distribution",
            "c2_domains",
            "c2_ips",
        ):
            update[field] = tuple(dict.fromkeys((*getattr(first, field), *getattr(fam, field))))
        merged[fam.key] = first.model_copy(update=update)
    return list(merged.values())


def parse_samples(
    data: bytes, families: list[Family], problems: _Collector, name: str = SAMPLES_FILE
) -> list[Sample]:
    """Sample rows of samples.csv (SHA256,Package Name,Certificate,Version,App), CRLF or LF."""
    text = decode_text(name, data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as err:
        raise FeedError(f"{name} is not a CSV file ({err}).") from err
    columns = [h.strip().lower() for h in header]
    if not columns or columns[0] != "sha256":
        raise FeedError(
            f"{name} is not the expected CSV: its first line should start with 'SHA256', "
            f"found {header[:3]!r}."
        )

    def col(title: str, default: int) -> int:
        return columns.index(title) if title in columns else default

    ipkg, icert, iver, iapp = (
        col("package name", 1),
        col("certificate", 2),
        col("version", 3),
        col("app", 4),
    )
    by_name: dict[str, list[FamilyRef]] = {}
    by_fold: dict[str, list[FamilyRef]] = {}
    for fam in families:
        ref = FamilyRef(name=fam.name, type=fam.type)
        for alias in dict.fromkeys((fam.name, *fam.aliases)):
            by_name.setdefault(alias, []).append(ref)
            by_fold.setdefault(alias.casefold(), []).append(ref)
    samples: list[Sample] = []
    try:
        for row in reader:
            if len(samples) >= MAX_ENTRIES:
                raise FeedError(f"{name} has more than {MAX_ENTRIES:,} rows.")
            if not any(cell.strip() for cell in row):
                continue
            line = f"line {reader.line_num}"
            sample = _sample(row, line, name, (ipkg, icert, iver, iapp), by_name, by_fold, problems)
            if sample is not None:
                samples.append(sample)
    except csv.Error as err:
        raise FeedError(f"{name} is not valid CSV at line {reader.line_num} ({err}).") from err
    return samples


def _cell(row: list[str], i: int) -> str:
    return row[i].strip() if i < len(row) else ""


def _sample(
    row: list[str],
    line: str,
    name: str,
    idx: tuple[int, int, int, int],
    by_name: dict[str, list[FamilyRef]],
    by_fold: dict[str, list[FamilyRef]],
    problems: _Collector,
) -> Sample | None:
    ipkg, icert, iver, iapp = idx
    try:
        sha = normalize_sha256(row[0])
    except ValueError as err:
        problems.skip(name, line, str(err))
        return None
    app = _cell(row, iapp)
    if not app:
        problems.skip(name, line, f"sample {sha[:12]}… names no family (App column empty)")
        return None
    package: str | None = _cell(row, ipkg) or None
    if package is not None:
        try:
            package = normalize_package(package)
        except ValueError as err:
            problems.skip(name, line, f"package skipped, hash kept: {err}")
            package = None
    cert: str | None = _cell(row, icert) or None
    if cert is not None:
        try:
            cert = normalize_certificate(cert)
        except ValueError as err:
            problems.skip(name, line, f"certificate skipped, hash kept: {err}")
            cert = None
    refs = by_name.get(app) or by_fold.get(app.casefold())
    if not refs:
        problems.warn(
            name,
            line,
            f"family {app!r} is not in ioc.yaml or watchware.yaml; "
            "the sample is kept under that name as stalkerware",
        )
        refs = [FamilyRef(name=app[:200], type="stalkerware")]
    return Sample(
        sha256=sha,
        app=app[:200],
        families=tuple(refs),
        package=package,
        certificate=cert,
        version=_cell(row, iver)[:100] or None,
    )


def parse_echap(files: Mapping[str, bytes], *, feed_id: str = "echap") -> Feed:
    """Import a feed in the Echap layout from file contents; FeedError if a file is unusable."""
    missing = [f for f in FEED_FILES if f not in files]
    if missing:
        raise FeedError(f"The feed has no {', '.join(missing)}.")
    problems = _Collector()
    families = parse_families(IOC_FILE, files[IOC_FILE], "stalkerware", problems, allow_empty=False)
    families += parse_families(
        WATCHWARE_FILE, files[WATCHWARE_FILE], "watchware", problems, allow_empty=True
    )
    families = _merge_families(families, problems)
    if not families:
        raise FeedError(f"{IOC_FILE} holds no usable family (every entry was skipped).")
    samples = parse_samples(files[SAMPLES_FILE], families, problems)
    if RULES_FILE in files:
        decode_text(RULES_FILE, files[RULES_FILE])
    return Feed(
        feed_id=feed_id,
        families=tuple(families),
        samples=tuple(samples),
        problems=tuple(problems.items),
    )


def parse_family_files(files: Mapping[str, bytes], *, feed_id: str, strict: bool = True) -> Feed:
    """Families from several YAML files in the same format (local indicators); strict by default.

    Strict: any skipped entry or value, and any unknown key, refuses the whole set with every
    problem listed, because an organisation's own indicators should be exactly right.
    """
    problems = _Collector()
    families: list[Family] = []
    for name in sorted(files):
        families += parse_families(name, files[name], "stalkerware", problems, allow_empty=True)
    families = _merge_families(families, problems)
    if strict and problems.items:
        shown = "; ".join(str(p) for p in problems.items[:10])
        more = f" (and {len(problems.items) - 10} more)" if len(problems.items) > 10 else ""
        raise FeedError(
            f"Local indicators refused: {shown}{more}.",
            "Fix these entries; local indicators are checked strictly.",
        )
    return Feed(feed_id=feed_id, families=tuple(families), problems=tuple(problems.items))
