#!/usr/bin/env bash
# Installs what building, running and testing minasidor needs, from Debian 12 packages.
# Idempotent: does nothing when every package is already installed.
# Usage: packaging/deps.sh [build|package|test]   (package includes build; test includes both)
set -euo pipefail

build_pkgs=(
    meson ninja-build pkg-config gcc python3 tzdata gettext
    libjansson-dev libsodium-dev libsqlite3-dev libpq-dev libcurl4-gnutls-dev libmicrohttpd-dev libgnutls28-dev zlib1g-dev libqrencode-dev
    libsdl2-dev libsdl2-ttf-dev libfribidi-dev fonts-noto-core libespeak-ng-dev
)
# Building the Debian packages (packaging/build-debs.sh) and checking them.
package_pkgs=(debhelper dpkg-dev lintian)
test_pkgs=(
    clang libclang-rt-14-dev clang-format sqlite3
    # The -pg suites: a throwaway PostgreSQL cluster (initdb, pg_ctl) and the tests' look into it.
    postgresql python3-psycopg2
    xvfb xauth xdotool x11-utils x11-apps
    # The packaging suite: a clean Debian 12 root (debootstrap; cage and grim are installed
    # inside it from the archive), booting it (systemd-nspawn), systemd-analyze (systemd).
    debootstrap systemd-container systemd
    # tests/bench/fleet_bench.py signs its simulated kiosks' requests with Ed25519.
    python3-cryptography
)

want=("${build_pkgs[@]}")
if [ "${1:-build}" = package ] || [ "${1:-build}" = test ]; then
    want+=("${package_pkgs[@]}")
fi
if [ "${1:-build}" = test ]; then
    want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
# The identity suite's interoperability test runs a BankID client written by others, the npm
# package "bankid" (version pinned by tests/integration/bankid-js/package-lock.json), installed
# into build/bankid-js. Without Node.js or the npm registry that one test is skipped and says why.
interop_js() {
    local root dir
    root=$(cd "$(dirname "$0")/.." && pwd)
    dir=$root/build/bankid-js
    [ -f "$dir/node_modules/bankid/package.json" ] &&
        cmp -s "$dir/package-lock.json" "$root/tests/integration/bankid-js/package-lock.json" &&
        return 0
    command -v npm >/dev/null || { echo "deps: npm is missing; the BankID interop test will be skipped" >&2; return 0; }
    mkdir -p "$dir"
    cp "$root/tests/integration/bankid-js/package.json" "$root/tests/integration/bankid-js/package-lock.json" "$dir/"
    (cd "$dir" && timeout 300 npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1) ||
        echo "deps: npm ci failed (registry unreachable?); the BankID interop test will be skipped" >&2
}

if [ ${#missing[@]} -eq 0 ]; then
    [ "${1:-build}" = test ] && interop_js
    exit 0
fi

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
[ "${1:-build}" = test ] && interop_js
exit 0
