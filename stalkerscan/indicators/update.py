"""Updating the feed: fetch, validate, compare with the active version, guard, install, switch.

The previous version stays active unless every step succeeds: a file that cannot be used (a
`rules.yar` that does not compile or is pathologically slow included), a drop of more than
DROP_LIMIT of any kind of indicator (unless `force`), or any error while writing raises
FeedError before the active pointer moves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stalkerscan.errors import FeedError
from stalkerscan.indicators.echap import parse_echap
from stalkerscan.indicators.fetch import Fetcher
from stalkerscan.indicators.index import load_part
from stalkerscan.indicators.layout import FEED_FILES, RULES_FILE
from stalkerscan.indicators.model import Feed, Problem
from stalkerscan.indicators.store import FeedStore, VersionInfo

DROP_LIMIT = 0.20  # refuse losing more than this share of any kind of indicator
SHRINK_FACTOR = 10  # refuse a feed file that became this many times smaller
_SHRINK_MIN_BYTES = 1024  # tiny files (test feeds) are too small to judge by size
DIFF_CATEGORIES = (
    "families",
    "packages",
    "certificates",
    "sample_hashes",
    "domains",
    "websites",
    "ips",
)


@dataclass
class FeedDiff:
    """What changed between two feeds, per category (sorted values)."""

    added: dict[str, list[str]]
    removed: dict[str, list[str]]
    before: dict[str, int]
    after: dict[str, int]

    @property
    def is_empty(self) -> bool:
        """True when nothing was added or removed."""
        return not any(self.added.values()) and not any(self.removed.values())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            c: {
                "added": self.added[c],
                "removed": self.removed[c],
                "before": self.before[c],
                "after": self.after[c],
            }
            for c in DIFF_CATEGORIES
        }


def diff_feeds(old: Feed | None, new: Feed) -> FeedDiff:
    """Added and removed values by category (packages and certificates include samples.csv)."""
    before = old.indicator_sets() if old is not None else {c: set() for c in DIFF_CATEGORIES}
    after = new.indicator_sets()
    return FeedDiff(
        added={c: sorted(after[c] - before[c]) for c in DIFF_CATEGORIES},
        removed={c: sorted(before[c] - after[c]) for c in DIFF_CATEGORIES},
        before={c: len(before[c]) for c in DIFF_CATEGORIES},
        after={c: len(after[c]) for c in DIFF_CATEGORIES},
    )


def guard_reasons(
    old_files: dict[str, bytes], new_files: dict[str, bytes], diff: FeedDiff
) -> list[str]:
    """Why the new feed looks broken compared with the active one (empty list: it looks fine)."""
    reasons = []
    for name in FEED_FILES:
        old_size, new_size = len(old_files.get(name, b"")), len(new_files.get(name, b""))
        if old_size >= _SHRINK_MIN_BYTES and new_size * SHRINK_FACTOR <= old_size:
            reasons.append(
                f"{name} shrank from {old_size:,} to {new_size:,} bytes "
                f"({old_size / max(new_size, 1):.0f}x smaller)"
            )
    # A net drop, not churn: upstream renames and merges entries all the time, but a feed that
    # lost a fifth of its indicators at once is more likely cut short than curated.
    for cat in DIFF_CATEGORIES:
        was, now = diff.before[cat], diff.after[cat]
        if was and (was - now) / was > DROP_LIMIT:
            reasons.append(
                f"{cat.replace('_', ' ')}: {was:,} before, {now:,} now "
                f"({(was - now) / was:.0%} fewer; {len(diff.removed[cat]):,} removed)"
            )
    return reasons


@dataclass
class UpdateResult:
    """What an update did."""

    version: VersionInfo
    previous: VersionInfo | None
    diff: FeedDiff
    problems: list[Problem]
    notes: list[str] = field(default_factory=list)
    changed: bool = True


def _problem_dicts(problems: tuple[Problem, ...]) -> list[dict[str, str]]:
    return [p.model_dump() for p in problems]


def _check_rules(text: bytes) -> None:
    """Refuse the version when its rules.yar does not compile or is pathologically slow, so the
    last good rule file (with its version) stays active; YARA is only imported here."""
    from stalkerscan.errors import RuleError
    from stalkerscan.rules import check_feed_rules

    try:
        check_feed_rules(text, name=RULES_FILE)
    except RuleError as err:
        raise FeedError(
            f"The feed's {RULES_FILE} was refused: {err.message}",
            "Tell the feed's maintainers; the indicators of this version were not installed "
            "either, so the active indicators and rules stay from one version.",
        ) from err


def update_feed(store: FeedStore, fetcher: Fetcher, *, force: bool = False) -> UpdateResult:
    """Fetch a feed, validate it, and make it active if it passes; FeedError otherwise."""
    fetched = fetcher.fetch()
    new_feed = parse_echap(fetched.files)
    with store.locked():
        store.clean_staging()
        previous = store.active()
        old_files: dict[str, bytes] = {}
        old_feed: Feed | None = None
        notes = list(fetched.notes)
        if previous is not None:
            try:
                old_files = store.read_files(previous)
                old_feed = parse_echap(old_files)
            except (FeedError, OSError) as err:
                notes.append(
                    f"The active version {previous.id} could not be read ({err}); it is "
                    "replaced without comparison."
                )
        diff = diff_feeds(old_feed, new_feed)
        if previous is not None and old_files == fetched.files:
            store.mark_checked(previous.id)
            return UpdateResult(
                previous, previous, diff, list(new_feed.problems), notes, changed=False
            )
        if old_feed is not None:
            reasons = guard_reasons(old_files, fetched.files, diff)
            if reasons and not force:
                raise FeedError(
                    "The new feed was refused because it is much smaller than the active one: "
                    + "; ".join(reasons)
                    + ".",
                    "If upstream really removed these indicators, run the update again with "
                    "--force.",
                )
        if RULES_FILE in fetched.files:
            _check_rules(fetched.files[RULES_FILE])
        info = store.install(
            fetched.files,
            source=fetched.source,
            ref=fetched.ref,
            commit=fetched.commit,
            counts=new_feed.counts().as_dict(),
            problems=_problem_dicts(new_feed.problems),
        )
        # Compile and cache the index before switching, so the first scan is fast and a feed
        # that cannot be compiled never becomes active.
        load_part(info.feed_source(), store.cache_dir)
        store.activate(info.id)
        if info.age_days > 1 / 24:  # an identical, older version was reused
            store.mark_checked(info.id)
    return UpdateResult(info, previous, diff, list(new_feed.problems), notes)
