#!/usr/bin/env bash
# ovzoo vs the legacy Model Optimizer on the same synthetic octave-resnext-50-0.25 checkpoint.
#
# Builds (once) a separate venv with the last MO that reads MXNet: openvino-dev[mxnet]==2023.3.0,
# mxnet 1.9.1, numpy 1.23.5 (Python 3.11; from PyPI). It lives under build/ (git-ignored), never in .venv.
# Then benchmarks/legacy_mo_compare.py converts with both tools and prints conversion time, peak RSS,
# IR layer count, benchmark_app latency (-hint latency; -infer_precision f32 and the default) and
# parity of each IR against MXNet, side by side.
#
#   benchmarks/compare_legacy_mo.sh [--bench-seconds 10] [--bench-rounds 3] [--download-dir DIR]
# Environment: LEGACY_MO_VENV (default build/legacy-mo-venv), PYTHON311 (default python3.11).
set -euo pipefail
cd "$(dirname "$0")/.."

LEGACY_MO_VENV=${LEGACY_MO_VENV:-build/legacy-mo-venv}
PYTHON311=${PYTHON311:-python3.11}
STAMP="$LEGACY_MO_VENV/.ovzoo-legacy-mo-installed"

if [[ ! -f "$STAMP" ]]; then
    echo "building $LEGACY_MO_VENV (openvino-dev[mxnet]==2023.3.0, mxnet==1.9.1, numpy==1.23.5)..." >&2
    "$PYTHON311" -m venv "$LEGACY_MO_VENV"
    "$LEGACY_MO_VENV/bin/python" -m pip install --quiet --upgrade pip==24.3.1
    "$LEGACY_MO_VENV/bin/python" -m pip install --quiet "openvino-dev[mxnet]==2023.3.0" "mxnet==1.9.1" "numpy==1.23.5"
    touch "$STAMP"
fi
"$LEGACY_MO_VENV/bin/mo" --version

make --quiet setup
exec .venv/bin/python benchmarks/legacy_mo_compare.py --legacy-venv "$LEGACY_MO_VENV" "$@"
