"""The feed's `rules.yar`: fetched with the feed over HTTP, stored with its version, compiled as a
separate, guarded rule set; a bad one (does not compile, imports an unavailable module, is
pathologically slow) refuses the update, names the file, and the last good version stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.errors import RuleError
from stalkerscan.indicators import active_rules_path
from stalkerscan.indicators.store import FeedStore
from stalkerscan.rules import check_feed_rules, compile_rules

from .conftest import GOOD, FeedServer, Route, run_cli

MARKER = b"..STALKERSCAN FICTIONAL MARKER.."
SLOW = (
    b'rule slow { strings: $a = "a" condition: '
    b"for all i in (1..#a) : ( for all k in (1..#a) : ( @a[i] >= 0 ) ) }\n"
)


def test_served_rules_are_stored_and_compiled_as_a_separate_guarded_set(
    feed_server: FeedServer, store_dir: Path
) -> None:
    base = feed_server.serve_folder("/feed/", GOOD)
    out = run_cli("indicators", "update", "--source", base, store_dir=store_dir)
    assert out.returncode == 0, out.stderr
    assert "/feed/rules.yar" in feed_server.requests
    info = FeedStore(store_dir).active()
    assert info is not None and info.has_rules
    rules = active_rules_path(store_dir)
    assert rules is not None and rules.read_bytes() == (GOOD / "rules.yar").read_bytes()
    assert rules.parent == info.path  # stored with its feed version
    project, feed = compile_rules(feed_rules=rules)
    try:
        assert (project.name, project.guarded) == ("project", False)
        assert (feed.name, feed.guarded) == ("feed", True)
        assert [f.path for f in feed.info.files] == [str(rules)]
        hits = feed.scan(MARKER).hits
        assert [(h.rule, h.rule_set) for h in hits] == [("Fictional_Training_Marker", "feed")]
        assert project.scan(MARKER).hits == ()
    finally:
        feed.close()


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (
            b'rule broken {\n strings: $a = "x"\n condition: $b\n}\n',
            "rules.yar(4): undefined string",
        ),
        (b'import "androguard"\nrule y { condition: true }\n', 'unknown module "androguard"'),
        (SLOW, "too slow"),
    ],
    ids=["syntax", "unavailable-module", "pathologically-slow"],
)
def test_bad_rules_file_keeps_the_last_good_version(
    feed_server: FeedServer, store_dir: Path, bad: bytes, reason: str
) -> None:
    good_base = feed_server.serve_folder("/good/", GOOD)
    assert (
        run_cli("indicators", "update", "--source", good_base, store_dir=store_dir).returncode == 0
    )
    before = FeedStore(store_dir).active_id()
    bad_base = feed_server.serve_folder("/bad/", GOOD)
    feed_server.routes["/bad/rules.yar"] = Route(bad)
    out = run_cli("indicators", "update", "--source", bad_base, store_dir=store_dir)
    assert out.returncode == 2, out.stdout + out.stderr
    message = " ".join(out.stderr.split())
    assert "rules.yar was refused" in message and reason in message
    assert f"version {before} stays active" in message
    assert FeedStore(store_dir).active_id() == before
    rules = active_rules_path(store_dir)
    assert rules is not None and rules.read_bytes() == (GOOD / "rules.yar").read_bytes()
    # The temporary copy's path never leaks into the message.
    assert "stalkerscan-rules-" not in message


def test_check_feed_rules_accepts_the_fictional_rules_and_any_ids() -> None:
    info = check_feed_rules((GOOD / "rules.yar").read_bytes())
    assert info.name == "feed" and info.rule_count == 1
    assert [f.path for f in info.files] == ["rules.yar"]


def test_check_feed_rules_refuses_includes() -> None:
    with pytest.raises(RuleError) as err:
        check_feed_rules(b'include "/etc/passwd"\n')
    assert "rules.yar" in err.value.message
