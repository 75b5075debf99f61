"""What every parser shares: turning saved bytes into text, and counting lines it did not know."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict

from stalkerscan.textsafe import decode_device_bytes

# One set of passed field names per combination, shared by the instances `Frozen.lean` builds.
_FIELDS_SETS: dict[tuple[str, ...], set[str]] = {}


class Frozen(BaseModel):
    """Base of every evidence model: immutable, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def lean(cls, **values: Any) -> Self:
        """Build (validated) from `values`, keeping less per instance; same fields, dump, equality.

        Pydantic records the names a model was built with in a set per instance (216 bytes, 728
        from five names on); parsers build up to hundreds of thousands of models, so only the
        values that differ from the defaults are passed and the instances of one combination of
        names share one set. The set is never changed in place: the models are frozen and
        `model_copy` copies it first.
        """
        fields = cls.model_fields
        given = {
            k: v
            for k, v in values.items()
            if fields[k].is_required()
            or not (type(v) is type(fields[k].default) and v == fields[k].default)
        }
        model = cls(**given)
        names = tuple(given)
        shared = _FIELDS_SETS.get(names)
        if shared is None:
            shared = _FIELDS_SETS.setdefault(names, set(model.__pydantic_fields_set__))
        object.__setattr__(model, "__pydantic_fields_set__", shared)
        return model


class ParseIssues(Frozen):
    """Lines a parser saw but could not interpret (counted, a few kept as examples)."""

    unparsed_lines: int = 0
    examples: tuple[str, ...] = ()


class IssueCounter:
    """Mutable helper a parser uses while it runs; `.freeze()` gives the ParseIssues."""

    def __init__(self, max_examples: int = 5) -> None:
        self.count = 0
        self.examples: list[str] = []
        self.max_examples = max_examples

    def add(self, line: str) -> None:
        """Count one line the parser did not understand."""
        self.count += 1
        if len(self.examples) < self.max_examples:
            self.examples.append(line[:200])

    def freeze(self) -> ParseIssues:
        """The counted issues as a frozen model."""
        return ParseIssues(unparsed_lines=self.count, examples=tuple(self.examples))


class Budget:
    """How many entries a parser may still keep; remembers whether it had to refuse one.

    Hostile output can repeat plausible records up to the collector's byte cap; a budget keeps
    the parsed model bounded and the refusal is reported as `truncated` on the result.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.truncated = False

    def take(self, n: int = 1) -> bool:
        """Reserve `n` entries; False (and `truncated` set) when that would pass the limit."""
        if self.used + n > self.limit:
            self.truncated = True
            return False
        self.used += n
        return True

    def take_some(self, n: int) -> int:
        """Reserve up to `n` entries; how many may be kept (`truncated` set when fewer than n)."""
        k = min(n, self.room())
        self.used += k
        if k < n:
            self.truncated = True
        return k

    def room(self) -> int:
        """How many entries may still be kept."""
        return max(0, self.limit - self.used)


class Interner:
    """Keeps one copy of each repeated string (op names, modes, times) a parser stores."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        """The stored copy of `value`."""
        return self._seen.setdefault(value, value)


def to_text(data: bytes | str) -> str:
    """Decode saved output (UTF-8, or UTF-16 from Windows) and normalise line endings to \\n."""
    text = decode_device_bytes(data) if isinstance(data, bytes) else data
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
