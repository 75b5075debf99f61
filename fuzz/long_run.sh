#!/bin/sh
# The long hardening run (issue 9): not part of CI's time budget. See fuzz/README.md.
# Usage: fuzz/long_run.sh [EXAMPLES]   (default 400 examples per property)
set -eu
cd "$(dirname "$0")/.."
export HYPOTHESIS_PROFILE=long
if [ "${1:-}" != "" ]; then
    export STALKERSCAN_FUZZ_EXAMPLES="$1"
fi
# 1. Property tests with many examples: every parser on hostile bytes, and the read-only
#    property over scenarios x collectors x flags x faults x resume.
python -m pytest -q -p no:cacheprovider --timeout 3600 \
    tests/hardening/test_parser_fuzz.py tests/hardening/test_readonly_property.py
# 2. The slow proofs: a 200 MB `dumpsys package`, 10,000 packages (collect and scan).
python -m pytest -q -p no:cacheprovider --timeout 3600 -m slow tests/hardening
# 3. The table with every row, slow ones included.
python scripts/reliability_table.py --run --long
