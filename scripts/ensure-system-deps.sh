#!/usr/bin/env bash
# Install the Debian packages the test suite needs when they are missing:
# PostgreSQL (pg_virtualenv starts a throwaway cluster), Chromium (browser tests) and a CJK font
# (without it Chromium draws Chinese as boxes in the screenshots the browser tests keep).
set -euo pipefail
need=()
documents_only=0  # --documents: only what the annual reports' PDF needs (make run)
if [ "${1:-}" = "--documents" ]; then documents_only=1; fi
if [ $documents_only = 0 ] && { ! command -v pg_virtualenv >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; }; then
  need+=(postgresql postgresql-common)
fi
if [ $documents_only = 0 ] && [ "${JIXIAO_SKIP_BROWSER:-0}" != "1" ] && [ ! -x /usr/bin/chromium ]; then
  need+=(chromium)
fi
# Pango draws the annual reports' PDF (WeasyPrint), and the CJK font is what it draws Chinese with
if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; then
  need+=(libpango-1.0-0 libpangoft2-1.0-0)
fi
if [ ! -d /usr/share/fonts/opentype/noto ] && ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  need+=(fonts-noto-cjk)
fi
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "installing Debian packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
