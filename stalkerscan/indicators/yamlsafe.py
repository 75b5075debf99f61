"""A YAML loader for untrusted feed files: safe types only, every scalar a string, no aliases,
no duplicate keys, bounded nesting.

Why each rule:
- aliases (`*a`) are how "billion laughs" bombs expand a small file into a huge tree; feeds never
  need them, so any alias is refused (anchors alone are harmless and allowed);
- a duplicate key means two values for one field and silently keeping the last one hides data
  (or tampering), so it is refused with its line;
- implicit typing is off: `0123` would become the integer 83 under YAML 1.1 and a certificate
  digest made only of digits would become a number, so every plain scalar stays a string
  (empty values and `~`/`null` stay None).
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node

MAX_DEPTH = 20


class YamlRefused(ValueError):
    """The YAML text was refused; `line` is 1-based when known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


class _FeedLoader(yaml.SafeLoader):
    """SafeLoader with string-only scalars, no aliases, no duplicate keys, bounded depth."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Refuse aliases and too deep nesting while the node tree is built."""
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlRefused(
                f"uses a YAML alias (*{event.anchor}); feeds must not use anchors and aliases",
                event.start_mark.line + 1,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                raise YamlRefused(
                    f"is nested more than {MAX_DEPTH} levels deep", event.start_mark.line + 1
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping, refusing a key that appears twice."""
        if isinstance(node, MappingNode):
            seen: set[Any] = set()
            for key_node, _value_node in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:
                    continue  # unhashable key: the base class reports it
                if duplicate:
                    raise YamlRefused(f"has the key {key!r} twice", key_node.start_mark.line + 1)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Keep only the null resolver: every other plain scalar is a string.
_FeedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_FeedLoader.yaml_implicit_resolvers = {
    k: v for k, v in _FeedLoader.yaml_implicit_resolvers.items() if v
}


def load_feed_yaml(text: str) -> Any:
    """Parse feed YAML text with the rules above; raises `YamlRefused` with a reason and line."""
    loader: _FeedLoader | None = None
    try:
        # The reader checks the characters as soon as the loader is built: inside the try.
        loader = _FeedLoader(text)
        return loader.get_single_data()
    except YamlRefused:
        raise
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = " ".join(str(p) for p in (err.context, err.problem) if p) or "is not valid YAML"
        raise YamlRefused(f"is not valid YAML ({reason})", line) from err
    except yaml.YAMLError as err:
        raise YamlRefused(f"is not valid YAML ({err})") from err
    except RecursionError as err:
        raise YamlRefused("is nested too deeply to read") from err
    finally:
        if loader is not None:
            loader.dispose()


_NAME_LINE = re.compile(r"^\s*-?\s*name\s*:\s*(.+?)\s*$")


def entry_name_near(text: str, line: int | None) -> str | None:
    """The `name:` of the list entry that contains 1-based `line`, found by looking upwards."""
    if line is None:
        return None
    lines = text.splitlines()
    for i in range(min(line, len(lines)) - 1, -1, -1):
        m = _NAME_LINE.match(lines[i])
        if m:
            return m.group(1).strip("'\"")
    return None
