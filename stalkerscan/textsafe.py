"""Make text that came from the phone harmless before it is shown.

Everything a phone says (labels, package names, paths, command output) may be crafted by a
stalkerware vendor. `for_terminal` removes control characters (ANSI escapes, NUL), bidi
overrides and zero-width characters, and escapes rich markup. HTML escaping is Jinja2's
autoescape; do not build HTML by hand.
"""

from __future__ import annotations

import re
import unicodedata

# C0/C1 controls except tab and newline; DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi embeddings/overrides/isolates, zero-width and other invisible format characters.
_INVISIBLE = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u206a-\u206f\ufeff\u00ad\u180e]"
)


def visible(text: str, *, keep_newlines: bool = False, max_len: int | None = None) -> str:
    """Return `text` with control, bidi and zero-width characters shown as `\\uXXXX`."""

    def esc(m: re.Match[str]) -> str:
        return f"\\u{ord(m.group(0)):04x}"

    if not keep_newlines:
        text = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", " ")
    out = _INVISIBLE.sub(esc, _CONTROL.sub(esc, text))
    # Remaining format characters (category Cf) are invisible too.
    out = "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) == "Cf" else c for c in out)
    if max_len is not None and len(out) > max_len:
        out = out[: max_len - 1] + "…"
    return out


def for_terminal(text: str, *, max_len: int | None = 200) -> str:
    """Device text made safe for a rich console: visible controls, escaped markup."""
    from rich.markup import escape

    return escape(visible(text, max_len=max_len))


def decode_device_bytes(data: bytes) -> str:
    """Decode phone output: UTF-16 with a BOM or UTF-8, invalid bytes replaced, never raising."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0:4:2] != b"\x00\x00":
        # UTF-16LE without a BOM (output saved by Windows tools).
        return data.decode("utf-16-le", errors="replace")
    return data.decode("utf-8", errors="replace")
