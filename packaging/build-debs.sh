#!/usr/bin/env bash
# Builds the Debian 12 packages `minasidor` and `casestore` from the meson install into OUTDIR,
# and checks them with lintian.
#
#   bash packaging/build-debs.sh OUTDIR                 # this working tree, version from meson
#   bash packaging/build-debs.sh OUTDIR --commit REV --version V
#                                                       # an older commit with this recipe
#
# The recipe (packaging/debian, the units, the kiosk's files) always comes from this tree, so
# that the upgrade test can build the previous release with it. The version is meson's; the top
# entry of packaging/debian/changelog must name it (it says what changed). --version gives an
# older commit its own (lower) version, with a changelog entry that says so.
# Installs what it needs (packaging/deps.sh package). The work tree is build/debs-work/.
set -euo pipefail

usage() {
    echo "usage: bash packaging/build-debs.sh OUTDIR [--commit REV --version VERSION]" >&2
    exit 2
}
[ $# -ge 1 ] || usage
out=$1
shift
commit= version=
while [ $# -gt 0 ]; do
    case $1 in
    --commit) commit=${2:?}; shift 2 ;;
    --version) version=${2:?}; shift 2 ;;
    *) usage ;;
    esac
done
[ -z "$commit" ] || [ -n "$version" ] || { echo "build-debs: --commit needs --version" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/packaging/deps.sh" package
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$root/build/debs-work/${commit:-tree}
rm -rf "$work"
stage=$work/minasidor
mkdir -p "$stage"
if [ -n "$commit" ]; then
    git -C "$root" archive --format=tar "$commit" | tar -x -C "$stage"
else
    # What git would commit from this tree (tracked and new files, not what .gitignore hides).
    (cd "$root" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$stage")
fi
# This tree's recipe, over whatever packaging/ the source had.
rm -rf "$stage/packaging" "$stage/debian"
cp -r "$root/packaging" "$stage/packaging"
cp -r "$root/packaging/debian" "$stage/debian"

meson_version=$(cd "$stage" && meson introspect --projectinfo meson.build |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
top=$(dpkg-parsechangelog -l "$stage/debian/changelog" -S Version)
if [ -z "$version" ]; then
    version=$meson_version
    if [ "$top" != "$version" ]; then
        echo "build-debs: meson's version is $version but packaging/debian/changelog's top entry" \
            "is $top: add an entry for $version that says what changed" >&2
        exit 1
    fi
elif [ "$top" != "$version" ]; then
    {
        echo "minasidor ($version) bookworm; urgency=medium"
        echo
        echo "  * Built from commit $(git -C "$root" rev-parse --short "${commit:-HEAD}") (meson version"
        echo "    $meson_version) with the packaging of a later version."
        echo
        echo " -- $(dpkg-parsechangelog -l "$stage/debian/changelog" -S Maintainer)  $(date -R)"
        echo
        cat "$stage/debian/changelog"
    } > "$stage/debian/changelog.new"
    mv "$stage/debian/changelog.new" "$stage/debian/changelog"
fi

echo "build-debs: building minasidor and casestore $version${commit:+ from $commit}" >&2
(
    cd "$stage"
    DEB_BUILD_OPTIONS="noddebs parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
        dpkg-buildpackage -b -us -uc --no-sign > "$work/build.log" 2>&1
) || {
    tail -40 "$work/build.log" >&2
    echo "build-debs: dpkg-buildpackage failed; the whole log is $work/build.log" >&2
    exit 1
}
arch=$(dpkg --print-architecture)
for p in minasidor casestore; do
    cp "$work/${p}_${version}_$arch.deb" "$out/"
    echo "$out/${p}_${version}_$arch.deb"
done
if command -v lintian > /dev/null; then
    lintian --info --display-info "$out/minasidor_${version}_$arch.deb" \
        "$out/casestore_${version}_$arch.deb" >&2 || true
fi
