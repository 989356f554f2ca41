#!/usr/bin/env bash
# Set up vnplan_nlp on a fresh Debian/Ubuntu machine and run it on the bundled example:
# system packages the readers need, a virtualenv with the package and its extras, then the demo.
# Safe to run again. Set VNPLAN_SKIP_APT=1 to leave system packages alone.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="libreoffice-writer-nogui antiword tesseract-ocr tesseract-ocr-vie postgresql"

if [ "${VNPLAN_SKIP_APT:-0}" != "1" ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "setup: not root and no sudo: skipping system packages ($APT_PACKAGES)." >&2
      echo "setup: .doc files need LibreOffice or antiword; the archive's PostgreSQL tests need postgresql." >&2
      SUDO="skip"
    fi
  fi
  if [ "$SUDO" != "skip" ]; then
    missing=""
    for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
    if [ -n "$missing" ]; then
      echo "setup: installing system packages:$missing"
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi
  fi
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[all]"

echo
echo "== vnplan check on the bundled example draft, against the plan it implements =="
if .venv/bin/vnplan check --help >/dev/null 2>&1; then
  .venv/bin/vnplan check examples/ke-hoach-du-thao.txt --parent examples/ke-hoach-cap-tren.txt || true
else
  .venv/bin/vnplan parse examples/ke-hoach-du-thao.txt --format text
fi
