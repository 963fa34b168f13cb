#!/usr/bin/env bash
# Sets up atlas-health in ./.venv on a Debian machine. With --test, also what the test suite needs
# (test libraries and Debian's Chromium for the browser tests). Safe to run again: it only adds.
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=false
[ "${1:-}" = "--test" ] && want_tests=true

apt_packages=()
command -v python3 >/dev/null || apt_packages+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_packages+=(python3-venv)
if $want_tests; then
  # The tests start real servers: Chromium for what a person sees, an OpenSSH sshd, a JVM (the
  # tests compile a small Java program) and PostgreSQL.
  [ -x /usr/bin/chromium ] || apt_packages+=(chromium)
  [ -x /usr/sbin/sshd ] || apt_packages+=(openssh-server)
  command -v javac >/dev/null || apt_packages+=(default-jdk-headless)
  ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || apt_packages+=(postgresql)
  command -v systemd-analyze >/dev/null || apt_packages+=(systemd)  # verifies deploy/atlas-health.service
fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: needs these Debian packages, install them as root: ${apt_packages[*]}" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${apt_packages[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

python3 - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"setup: atlas-health needs Python 3.11 or newer; python3 is {sys.version.split()[0]}")
PY

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if $want_tests; then
  .venv/bin/python -m pip install -q -e ".[test]"
else
  .venv/bin/python -m pip install -q .
fi
echo "setup: ready ($(.venv/bin/atlas-health --version))" >&2
