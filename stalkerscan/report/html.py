"""The HTML report: one self-contained file (inline CSS, no script, no external request).

Jinja2 with autoescape; device data passes the `dev` filter (`textsafe.visible`: control, bidi
and zero-width characters shown as `\\uXXXX`) and is then autoescaped. A Content-Security-Policy
meta forbids every load, so even a bug could not make the page fetch anything.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING

from stalkerscan.textsafe import visible

if TYPE_CHECKING:
    from jinja2 import Template

    from stalkerscan.report.view import ReportView

MAX_DATA_CHARS = 2000


def _dev(value: object) -> str:
    return visible(str(value), max_len=MAX_DATA_CHARS)


@functools.lru_cache(maxsize=1)
def _template() -> tuple[Template, str]:
    from jinja2 import DictLoader, Environment, StrictUndefined

    folder = resources.files("stalkerscan.report") / "templates"
    env = Environment(
        loader=DictLoader({"report.html": (folder / "report.html.j2").read_text("utf-8")}),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["dev"] = _dev
    css = (folder / "report.css").read_text("utf-8")
    return env.get_template("report.html"), css


def render_html(view: ReportView) -> str:
    """The HTML report of a view."""
    template, css = _template()
    from markupsafe import Markup

    # The stylesheet is our own packaged file: trusted, inserted as is.
    return template.render(v=view, css=Markup(css))  # noqa: S704
