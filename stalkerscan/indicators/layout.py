"""File names and size caps of a feed in the Echap layout (no heavy imports: the index loader
and the store use these at scan time)."""

from __future__ import annotations

# The Echap feed is CC BY 4.0: every place that shows the feed credits it.
ECHAP_CREDIT = (
    "Stalkerware indicators by Echap (https://echap.eu.org) and contributors, "
    "https://github.com/AssoEchap/stalkerware-indicators, licensed CC BY 4.0."
)

IOC_FILE = "ioc.yaml"
WATCHWARE_FILE = "watchware.yaml"
SAMPLES_FILE = "samples.csv"
RULES_FILE = "rules.yar"
FEED_FILES: tuple[str, ...] = (IOC_FILE, WATCHWARE_FILE, SAMPLES_FILE)
OPTIONAL_FILES: tuple[str, ...] = (RULES_FILE,)

# Upstream sizes (2026): ioc.yaml 95 kB, samples.csv 360 kB. The caps leave ample room for growth
# while keeping a hostile or broken download from filling memory.
MAX_YAML_BYTES = 16 * 1024 * 1024
MAX_CSV_BYTES = 64 * 1024 * 1024
MAX_RULES_BYTES = 8 * 1024 * 1024
MAX_BYTES: dict[str, int] = {
    IOC_FILE: MAX_YAML_BYTES,
    WATCHWARE_FILE: MAX_YAML_BYTES,
    SAMPLES_FILE: MAX_CSV_BYTES,
    RULES_FILE: MAX_RULES_BYTES,
}
