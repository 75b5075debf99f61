"""Build hook: ship the top-level `rules/` folder inside the package as `stalkerscan/data/rules`.

The project's YARA rules live at the top level of the repository (the brief fixes the layout);
a non-editable install must still carry them, so `build_py` copies them into the wheel.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithRules(build_py):
    """build_py that also copies rules/*.yar (and its README) into stalkerscan/data/rules."""

    def run(self) -> None:
        super().run()
        source = Path(__file__).resolve().parent / "rules"
        target = Path(self.build_lib) / "stalkerscan" / "data" / "rules"
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(source.glob("*.yar")) + sorted(source.glob("README*")):
            shutil.copy2(path, target / path.name)


setup(cmdclass={"build_py": BuildWithRules})
