#!/usr/bin/env bash
# Installs what building, running and testing minasidor needs, from Debian 12 packages.
# Idempotent: does nothing when every package is already installed.
# Usage: packaging/deps.sh [build|test]   (test includes build)
set -euo pipefail

build_pkgs=(
    meson ninja-build pkg-config gcc python3 tzdata gettext
    libjansson-dev libsodium-dev libsqlite3-dev libcurl4-gnutls-dev libmicrohttpd-dev libgnutls28-dev zlib1g-dev libqrencode-dev
    libsdl2-dev libsdl2-ttf-dev fonts-noto-core
)
test_pkgs=(
    clang libclang-rt-14-dev clang-format sqlite3
    xvfb xauth xdotool x11-utils
)

want=("${build_pkgs[@]}")
if [ "${1:-build}" = test ]; then
    want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then
        sudo=(sudo)
    else
        echo "deps: missing packages (${missing[*]}) and not root; run this as root" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
