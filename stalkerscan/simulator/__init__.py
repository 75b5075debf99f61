"""The simulated phone: an adbd speaking the real ADB protocol over TCP, answering from a profile.

`SimulatedPhone` (server.py) and `Profile` (profile.py) are the entry points; both are also
reachable here, imported on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Profile", "SimulatedPhone"]


def __getattr__(name: str) -> Any:
    if name == "SimulatedPhone":
        from stalkerscan.simulator.server import SimulatedPhone

        return SimulatedPhone
    if name == "Profile":
        from stalkerscan.simulator.profile import Profile

        return Profile
    raise AttributeError(name)
