#!/bin/sh
# `make dist`: the release binary with the Swift runtime linked in (it runs where no Swift is installed), its man
# pages and shell completions, packed with the templates, the docs and the systemd units into
#   dist/mapillary-archiver_VERSION_ARCH.deb              Depends: computed by dpkg-shlibdeps from the binary
#   dist/mapillary-archiver-VERSION-linux-MACHINE.tar.gz  the same files under one prefix, for other systems
# `scripts/dist.sh man` and `scripts/dist.sh completions` make only dist/man or dist/completions (from the debug
# build). VERSION is what `mapillary-archiver --version` prints (Sources/Essentials/Version.swift).
set -eu
cd "$(dirname "$0")/.."
umask 022
SWIFT=${SWIFT:-swift}
OUT=dist
# File dates in the packages: the last commit's (reproducible), else now.
EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH="$EPOCH"

die() { echo "dist: $*" >&2; exit 1; }

# The statically linked release binary, without the build folder's rpath; fails if it would load the Swift runtime.
release_binary() {
    flags="-c release --static-swift-stdlib --disable-local-rpath"
    $SWIFT build $flags --product mapillary-archiver >&2
    bin="$($SWIFT build $flags --show-bin-path)/mapillary-archiver"
    swift_libs=$(readelf -d "$bin" | grep -E 'NEEDED.*(swift|Foundation|dispatch|BlocksRuntime)|RPATH|RUNPATH' || true)
    [ -z "$swift_libs" ] || die "$bin links Swift's shared runtime or has an rpath (${swift_libs})"
    echo "$bin"
}

debug_binary() {
    $SWIFT build --product mapillary-archiver >&2
    echo "$($SWIFT build --show-bin-path)/mapillary-archiver"
}

# Man pages from the ArgumentParser definitions, by swift-argument-parser's generate-manual plugin:
# mapillary-archiver.1 with every command in full, and one page per command (mapillary-archiver.download.1, …).
# The plugin builds and reads the debug binary (the pages do not depend on the build configuration).
man_pages() {
    bin=$1
    # The generator drops every non-ASCII character: a help text with one would lose it in the man page.
    if "$bin" --experimental-dump-help | LC_ALL=C grep -n -o -P '.{0,30}[^\x00-\x7F].{0,10}' >&2; then
        die "the help texts above have non-ASCII characters, which the man page generator drops; write them in ASCII"
    fi
    date=$(date -u -d "@$EPOCH" +%Y-%m-%d)
    rm -rf "$OUT/man" && mkdir -p "$OUT/man"
    for pages in single multi; do
        flag=""; [ $pages = multi ] && flag=--multi-page
        log=$($SWIFT package plugin generate-manual --configuration debug --date "$date" $flag 2>&1) \
            || { echo "$log" >&2; die "the generate-manual plugin failed"; }
        folder=$(echo "$log" | sed -n "s|^Generated manual in 'file://\(.*\)'$|\1|p" | tail -1)
        [ -d "$folder" ] || { echo "$log" >&2; die "the generate-manual plugin did not say where it wrote the pages"; }
        if [ $pages = single ]; then
            cp "$folder/mapillary-archiver.1" "$OUT/man/"
            rm -f "$folder"/mapillary-archiver.*.1    # pages of an earlier run, of commands that may be gone
        else
            for page in "$folder"/mapillary-archiver.*.1; do cp "$page" "$OUT/man/"; done
        fi
    done
    echo "man pages: $(ls "$OUT/man" | tr '\n' ' ')" >&2
}

completions() {
    bin=$1
    rm -rf "$OUT/completions" && mkdir -p "$OUT/completions"
    "$bin" --generate-completion-script bash > "$OUT/completions/mapillary-archiver.bash"
    "$bin" --generate-completion-script zsh > "$OUT/completions/_mapillary-archiver"
    "$bin" --generate-completion-script fish > "$OUT/completions/mapillary-archiver.fish"
    echo "completions: $(ls "$OUT/completions" | tr '\n' ' ')" >&2
}

# Installs the files of both packages under PREFIX ($1); $2 is zsh's folder under share/zsh.
install_files() {
    prefix=$1
    install -D -m 0755 "$OUT/build/mapillary-archiver" "$prefix/bin/mapillary-archiver"
    mkdir -p "$prefix/share/mapillary-archiver"
    cp -R templates "$prefix/share/mapillary-archiver/templates"
    mkdir -p "$prefix/share/man/man1"
    for page in "$OUT"/man/*.1; do gzip -9n -c "$page" > "$prefix/share/man/man1/${page##*/}.gz"; done
    install -D -m 0644 "$OUT/completions/mapillary-archiver.bash" "$prefix/share/bash-completion/completions/mapillary-archiver"
    install -D -m 0644 "$OUT/completions/_mapillary-archiver" "$prefix/share/zsh/$2/_mapillary-archiver"
    install -D -m 0644 "$OUT/completions/mapillary-archiver.fish" "$prefix/share/fish/vendor_completions.d/mapillary-archiver.fish"
    doc="$prefix/share/doc/mapillary-archiver"
    install -D -m 0644 README.md "$doc/README.md"
    mkdir -p "$doc/docs" && install -m 0644 docs/*.md "$doc/docs/"
    sed "s|@HOMEPAGE@|$homepage|" distribution/debian/copyright > "$doc/copyright"
}

# Debian's sysadmin files: the units (installed, not enabled), their settings, the secrets' templates (root only).
install_system_files() {
    root=$1
    mkdir -p "$root/usr/lib/systemd/system" "$root/etc/default" "$root/etc/mapillary-archiver"
    install -m 0644 distribution/systemd/* "$root/usr/lib/systemd/system/"
    install -m 0644 distribution/etc/default/mapillary-archiver "$root/etc/default/"
    install -m 0644 distribution/etc/mapillary-archiver/users.txt "$root/etc/mapillary-archiver/"
    install -m 0600 distribution/etc/mapillary-archiver/ia.ini distribution/etc/mapillary-archiver/mapillary-token \
        distribution/etc/mapillary-archiver/pgpass \
        "$root/etc/mapillary-archiver/"
}

# Normalised modes and dates, so that two builds of the same commit pack the same way.
normalise() {
    find "$1" -type d -exec chmod 0755 {} +
    find "$1" \( -path '*/templates/*' -o -path '*/examples/*' \) -type f -exec chmod 0644 {} +
    find "$1" -exec touch -h -d "@$EPOCH" {} +
}

# The Debian package's Depends, from the libraries the binary links (dpkg-shlibdeps reads it like debhelper does).
debian_depends() {
    work="$PWD/$OUT/build/shlibdeps"
    mkdir -p "$work/debian"
    printf 'Source: mapillary-archiver\n\nPackage: mapillary-archiver\nArchitecture: any\n' > "$work/debian/control"
    line=$(cd "$work" && dpkg-shlibdeps -O -e"$OLDPWD/$1" 2>"$work/messages") \
        || { cat "$work/messages" >&2; die "dpkg-shlibdeps could not find a Debian package for every library of $1"; }
    depends=${line#shlibs:Depends=}
    [ -n "$depends" ] && [ "$depends" != "$line" ] || die "dpkg-shlibdeps printed no Depends ($line)"
    echo "$depends"
}

deb_package() {
    arch=$(dpkg --print-architecture)
    root="$OUT/build/deb"
    rm -rf "$root"
    install_files "$root/usr" vendor-completions
    install_system_files "$root"
    normalise "$root"
    mkdir -p "$root/DEBIAN"
    depends=$(debian_depends "$root/usr/bin/mapillary-archiver")
    (cd "$root" && find usr -type f -exec md5sum {} + | sort -k 2) > "$root/DEBIAN/md5sums"
    (cd "$root" && find etc -type f | sort | sed 's|^|/|') > "$root/DEBIAN/conffiles"
    install -m 0755 distribution/debian/postinst distribution/debian/postrm "$root/DEBIAN/"
    size=$(du -sk --exclude=DEBIAN "$root" | cut -f 1)
    sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@INSTALLED_SIZE@|$size|" \
        -e "s|@DEPENDS@|$depends|" -e "s|@HOMEPAGE@|$homepage|" distribution/debian/control.in > "$root/DEBIAN/control"
    deb="$OUT/mapillary-archiver_${version}_${arch}.deb"
    dpkg-deb --root-owner-group --build "$root" "$deb" >&2
    grep "^Depends:" "$root/DEBIAN/control" >&2
}

tar_package() {
    name="mapillary-archiver-$version-linux-$(uname -m)"
    rm -rf "$OUT/build/tar" && mkdir -p "$OUT/build/tar"
    prefix="$OUT/build/tar/$name"
    install_files "$prefix" site-functions
    # The systemd units and their settings as examples (they name /usr/bin/mapillary-archiver).
    mkdir -p "$prefix/share/doc/mapillary-archiver/examples"
    cp -R distribution/systemd distribution/etc "$prefix/share/doc/mapillary-archiver/examples/"
    {
        echo "mapillary-archiver $version needs these shared libraries (readelf -d bin/mapillary-archiver):"
        readelf -d "$OUT/build/mapillary-archiver" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/  \1/p'
        echo "On Debian $(. /etc/os-release && echo "$VERSION_CODENAME") they come from: $depends"
    } > "$prefix/share/doc/mapillary-archiver/shared-libraries.txt"
    normalise "$prefix"
    tar -C "$OUT/build/tar" --sort=name --owner=0 --group=0 --numeric-owner -cf - "$name" | gzip -9n > "$OUT/$name.tar.gz"
}

case "${1:-all}" in
    man) man_pages "$(debug_binary)" ;;
    completions) completions "$(debug_binary)" ;;
    all)
        command -v dpkg-shlibdeps >/dev/null || die "dpkg-shlibdeps is missing: install dpkg-dev (make dist does)"
        bin=$(release_binary)
        version=$("$bin" --version)
        homepage=$(sed -n 's/.*static let homepage = "\(.*\)".*/\1/p' Sources/Essentials/Version.swift)
        [ -n "$version" ] && [ -n "$homepage" ] || die "no version or homepage (Sources/Essentials/Version.swift)"
        rm -rf "$OUT/build" && mkdir -p "$OUT/build"
        rm -f "$OUT"/mapillary-archiver_*.deb "$OUT"/mapillary-archiver-*.tar.gz "$OUT/SHA256SUMS"
        # Symbols are not shipped (like Debian's own packages); the Swift metadata the runtime needs stays.
        strip --strip-unneeded --remove-section=.comment -o "$OUT/build/mapillary-archiver" "$bin"
        completions "$OUT/build/mapillary-archiver"
        man_pages "$(debug_binary)"
        deb_package
        tar_package
        (cd "$OUT" && sha256sum mapillary-archiver_*.deb mapillary-archiver-*.tar.gz > SHA256SUMS)
        ls -l "$OUT"/mapillary-archiver_*.deb "$OUT"/mapillary-archiver-*.tar.gz >&2
        ;;
    *) die "usage: scripts/dist.sh [all|man|completions]" ;;
esac
