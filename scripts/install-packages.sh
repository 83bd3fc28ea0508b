#!/bin/sh
# Installs the named Debian packages that are missing (apt-get, with sudo when not root).
# On macOS it prints the Homebrew line instead. Exits non-zero when a package cannot be installed.
set -eu
missing=""
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing="$missing $p"
    fi
  done
  [ -z "$missing" ] && exit 0
  echo "installing:$missing"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
      echo "missing Debian packages:$missing; run as root, or install them: apt-get install$missing" >&2
      exit 1
    }
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
elif [ "$(uname)" = "Darwin" ]; then
  echo "On macOS: brew install curl libarchive webp jpeg-turbo sqlite openssl libpq pkg-config exiftool"
else
  echo "no apt-get here; install the equivalents of: $*" >&2
  exit 1
fi
