#!/usr/bin/env bash
# Set up (first time) and run the bot. Without TELEGRAM_BOT_TOKEN it runs the offline demo.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/hoidap ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e .
fi
exec .venv/bin/hoidap run "$@"
