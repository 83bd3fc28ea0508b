#!/bin/sh
# `make dist-check`: proof that dist/mapillary-archiver_*.deb installs and runs on a Debian system that never had Swift.
#  1. debootstrap a minimal system (variant minbase) of this machine's Debian release, from the mirror and with the
#     suites (release, -updates, -security) this machine's apt uses, into dist/check/root;
#  2. `apt-get install ./mapillary-archiver_*.deb` there, without recommends: apt fetches every Depends by itself;
#  3. in it (chroot): no Swift anywhere, --version, ldd, demo, package + verify of a small folder with the
#     installed templates, bash completion, man pages, `systemd-analyze verify` of the installed units;
#  4. boot it (systemd-nspawn) and run mapillary-archiver-download.service through systemd, sandboxed as shipped,
#     with --upload against a sandbox on loopback; then check the item it published.
# Needs root, debootstrap and systemd-nspawn (make dist-check installs them). Leaves dist/check/root for a look
# when a step fails; removes it when all pass (KEEP_ROOT=1 keeps it).
set -eu
cd "$(dirname "$0")/.."
CHECK=dist/check
ROOT=$CHECK/root
started=$(date +%s)

die() { echo "dist-check: FAILED: $*" >&2; exit 1; }
step() { echo "dist-check: [$(($(date +%s) - started)) s] $*"; }
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap and chroot need it)"
set -- dist/mapillary-archiver_*.deb
[ $# -eq 1 ] && [ -f "$1" ] || die "no single dist/mapillary-archiver_*.deb: run make dist first"
deb=$1
version=$(dpkg-deb -f "$deb" Version)

# Mounts of this script inside the root, undone on any exit (a failed step included).
unmount_all() {
    for mount in "$ROOT/dev" "$ROOT/proc"; do
        mountpoint -q "$mount" 2>/dev/null && umount "$mount"
    done
    if [ -n "${sandbox_pid:-}" ] && kill -0 "$sandbox_pid" 2>/dev/null; then
        kill "$sandbox_pid"
        sleep 2
        kill -0 "$sandbox_pid" 2>/dev/null && kill -9 "$sandbox_pid"
    fi
    return 0
}
trap unmount_all EXIT
trap 'exit 130' INT TERM

# 1. The release and the Debian suites of this machine's apt (`apt-cache policy` lists each with its origin).
release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$release" ] || die "no VERSION_CODENAME in /etc/os-release: this is not a Debian release debootstrap knows"
suites=$(apt-cache policy | awk -v want="$release" '
    $1 ~ /^[0-9]+$/ && $2 ~ /:\/\// && $NF == "Packages" { uri = $2; split($3, part, "/"); suite = part[1]; component = part[2]; next }
    $1 == "release" && uri != "" {
        if ($2 ~ /(^|,)o=Debian(,|$)/ && $2 ~ ("(^|,)n=" want "(-updates|-security)?(,|$)")) print uri, suite, component
        uri = ""
    }' | sort -u)
mirror=$(echo "$suites" | awk -v want="$release" '$2 == want { print $1; exit }')
[ -n "$mirror" ] || die "apt knows no Debian mirror for $release here (run apt-get update first)"

unmount_all
rm -rf "$CHECK"
mkdir -p "$CHECK"
step "debootstrap --variant=minbase $release from $mirror"
debootstrap --variant=minbase "$release" "$ROOT" "$mirror" > "$CHECK/debootstrap.log" 2>&1 \
    || { tail -20 "$CHECK/debootstrap.log" >&2; die "debootstrap failed (log: $CHECK/debootstrap.log)"; }
echo "$suites" | awk '{ line[$1 " " $2] = line[$1 " " $2] " " $3 } END { for (k in line) print "deb " k line[k] }' \
    | sort > "$ROOT/etc/apt/sources.list"
mount -t proc proc "$ROOT/proc"
mount --bind /dev "$ROOT/dev"

# 2. apt installs the package and, from the Depends alone, everything it needs.
step "apt-get install ./${deb##*/} (sources: $(grep -c . "$ROOT/etc/apt/sources.list") suites)"
cp "$deb" "$ROOT/tmp/"
in_root apt-get update -qq > "$CHECK/apt.log" 2>&1 \
    && in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "/tmp/${deb##*/}" \
        >> "$CHECK/apt.log" 2>&1 \
    || { tail -20 "$CHECK/apt.log" >&2; die "apt-get could not install the package (log: $CHECK/apt.log)"; }
echo "    $(grep -c '^Setting up' "$CHECK/apt.log") packages set up (log: $CHECK/apt.log)"

# 3. The installed tool, with no Swift on the system.
step "no Swift on the system"
in_root sh -c 'command -v swift swiftc' && die "a Swift toolchain is on the checked system"
swift_files=$(in_root find / -xdev \( -name 'libswiftCore*' -o -name 'libFoundation*.so*' -o -name 'libdispatch*' \) -print)
[ -z "$swift_files" ] || die "the checked system has Swift runtime files: $swift_files"

step "mapillary-archiver --version"
shown=$(in_root mapillary-archiver --version)
[ "$shown" = "$version" ] || die "--version says '$shown', the package is $version"

step "ldd /usr/bin/mapillary-archiver"
in_root ldd /usr/bin/mapillary-archiver | tee "$CHECK/ldd.txt" | sed 's/ (0x.*//; s/^\t/    /'
grep -q 'not found' "$CHECK/ldd.txt" && die "a library of the binary is missing on the checked system"

step "mapillary-archiver demo"
in_root mapillary-archiver demo --dir /tmp/demo > "$CHECK/demo.log" 2>&1 \
    || { tail -20 "$CHECK/demo.log" >&2; die "the demo failed (log: $CHECK/demo.log)"; }
tail -1 "$CHECK/demo.log"

step "mapillary-archiver package + verify of a small folder, with the installed templates"
mkdir -p "$ROOT/tmp/folder/photos"
cp "$ROOT/usr/share/doc/mapillary-archiver/README.md" "$ROOT/tmp/folder/"
head -c 300000 /dev/urandom > "$ROOT/tmp/folder/photos/data.bin"
# The installed templates are the ones used: a changed one shows in the item.
echo "dist-check collection" > "$ROOT/usr/share/mapillary-archiver/templates/collection/0"
in_root mapillary-archiver package /tmp/folder --output /tmp/items --identifier dist-check-folder > "$CHECK/package.log" 2>&1 \
    && in_root mapillary-archiver verify /tmp/items/dist-check-folder >> "$CHECK/package.log" 2>&1 \
    || { tail -20 "$CHECK/package.log" >&2; die "package or verify failed (log: $CHECK/package.log)"; }
[ "$(cat "$ROOT/tmp/items/dist-check-folder/.meta/collection/0")" = "dist-check collection" ] \
    || die "package did not use the templates in /usr/share/mapillary-archiver/templates"
tail -1 "$CHECK/package.log"

step "bash completion"
in_root bash -c '. /usr/share/bash-completion/completions/mapillary-archiver && complete -p mapillary-archiver' \
    > /dev/null || die "the bash completion script does not register for mapillary-archiver"

step "apt-get install man-db systemd dbus (for man, systemd-analyze and systemd-run; not dependencies of the package)"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends man-db systemd dbus \
    > "$CHECK/apt-tools.log" 2>&1 || { tail -20 "$CHECK/apt-tools.log" >&2; die "could not install man-db and systemd"; }

step "man mapillary-archiver shows every command; man mapillary-archiver.COMMAND for each"
commands=$(in_root mapillary-archiver --help | awk '/^SUBCOMMANDS:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ -n "$commands" ] || die "mapillary-archiver --help lists no subcommands"
in_root env MANWIDTH=100 man -P cat mapillary-archiver > "$CHECK/man.txt" 2>/dev/null || die "man mapillary-archiver failed"
for command in $commands; do
    grep -Eq "^     $command( |\$)" "$CHECK/man.txt" || die "man mapillary-archiver does not show the $command command"
    in_root env MANWIDTH=100 man -P cat "mapillary-archiver.$command" 2>/dev/null | grep -q "mapillary-archiver $command" \
        || die "man mapillary-archiver.$command does not show that command"
done
echo "    $(echo $commands)"

step "systemd-analyze verify of the installed units (with their man pages)"
in_root systemd-analyze verify /usr/lib/systemd/system/mapillary-archiver-download.service \
    /usr/lib/systemd/system/mapillary-archiver-download.timer \
    /usr/lib/systemd/system/mapillary-archiver-worker.service > "$CHECK/verify.log" 2>&1 || true
[ ! -s "$CHECK/verify.log" ] || { cat "$CHECK/verify.log" >&2; die "systemd-analyze verify found problems"; }
in_root systemctl is-enabled mapillary-archiver-download.timer > "$CHECK/enabled.txt" 2>&1 || true
[ "$(cat "$CHECK/enabled.txt")" = disabled ] || die "the timer is $(cat "$CHECK/enabled.txt") after install, not disabled"
in_root systemctl is-enabled mapillary-archiver-worker.service > "$CHECK/enabled.txt" 2>&1 || true
[ "$(cat "$CHECK/enabled.txt")" = disabled ] || die "the worker is $(cat "$CHECK/enabled.txt") after install, not disabled"

# 4. The service, run by systemd in the booted system as an administrator would set it up, against a sandbox on
# loopback (the booted system shares this machine's network). The sandbox runs here, from the built binary.
step "boot the system (systemd-nspawn), run mapillary-archiver-download.service, then the worker service on a queued job"
umount "$ROOT/dev" "$ROOT/proc"
dist/build/mapillary-archiver sandbox --users alice:30,bob:12 --env-file "$CHECK/sandbox.env" > "$CHECK/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$CHECK/sandbox.env" ] && break; sleep 1; done
[ -s "$CHECK/sandbox.env" ] || die "the sandbox did not start (log: $CHECK/sandbox.log)"
sandbox_value() { sed -n "s/^export $1='\(.*\)'\$/\1/p" "$CHECK/sandbox.env"; }
echo alice >> "$ROOT/etc/mapillary-archiver/users.txt"
printf "MAPILLARY_TOKEN='%s'\n" "$(sandbox_value MAPILLARY_TOKEN)" > "$ROOT/etc/mapillary-archiver/mapillary-token"
printf '[s3]\naccess = %s\nsecret = %s\n' "$(sandbox_value IA_ACCESS_KEY_ID)" "$(sandbox_value IA_SECRET_ACCESS_KEY)" \
    > "$ROOT/etc/mapillary-archiver/ia.ini"
sed -i -e 's/^MAPILLARY_ARCHIVER_DOWNLOAD_OPTIONS=.*/MAPILLARY_ARCHIVER_DOWNLOAD_OPTIONS=--skip-existing --upload --quality 256/' \
    -e 's/^MAPILLARY_ARCHIVER_WORKER_OPTIONS=.*/MAPILLARY_ARCHIVER_WORKER_OPTIONS=--upload --until-empty/' \
    "$ROOT/etc/default/mapillary-archiver"
for name in MAPILLARY_API_URL IA_S3_URL IA_ARCHIVE_URL; do
    echo "$name=$(sandbox_value $name)" >> "$ROOT/etc/default/mapillary-archiver"
done
mkdir -p "$ROOT/dist-check"
cat > "$ROOT/dist-check/run.sh" <<'EOF'
#!/bin/sh
# Started at boot by dist-check.service: runs the download service, keeps what happened in /dist-check.
cd /dist-check
systemctl start mapillary-archiver-download.service; echo $? > start-status
systemctl show -p Result -p ExecMainStatus mapillary-archiver-download.service > result
journalctl -b -u mapillary-archiver-download.service --no-pager -o cat > journal
stat -c '%u %n' /var/lib/mapillary-archiver/items/* > items 2>&1
systemctl start mapillary-archiver-download.timer
systemctl list-timers --all --no-pager mapillary-archiver-download.timer > timers 2>&1
# A campaign: a job queued as install.md says (as the service's user, with its settings), then the worker.
systemd-run --quiet --pipe --wait -p DynamicUser=yes -p User=mapillary-archiver -p StateDirectory=mapillary-archiver \
    -p EnvironmentFile=/etc/default/mapillary-archiver mapillary-archiver queue add bob --quality 256 > queue-add 2>&1
echo $? > queue-add-status
systemctl start mapillary-archiver-worker.service
while systemctl is-active --quiet mapillary-archiver-worker.service; do sleep 1; done
systemctl show -p Result -p ExecMainStatus mapillary-archiver-worker.service > worker-result
journalctl -b -u mapillary-archiver-worker.service --no-pager -o cat > worker-journal
EOF
chmod 0755 "$ROOT/dist-check/run.sh"
cat > "$ROOT/etc/systemd/system/dist-check.service" <<'EOF'
[Unit]
Description=make dist-check: run mapillary-archiver-download.service, keep what happened, power off
[Service]
Type=oneshot
ExecStart=/dist-check/run.sh
ExecStopPost=/usr/bin/systemctl --no-block poweroff
EOF
mkdir -p "$ROOT/etc/systemd/system/multi-user.target.wants"
ln -s /etc/systemd/system/dist-check.service "$ROOT/etc/systemd/system/multi-user.target.wants/"
timeout 300 systemd-nspawn --quiet --register=no --keep-unit --console=read-only --directory="$ROOT" --boot > "$CHECK/boot.log" 2>&1 \
    || { tail -20 "$CHECK/boot.log" >&2; die "the booted system did not power off by itself (log: $CHECK/boot.log)"; }
result() { cat "$ROOT/dist-check/$1" 2>/dev/null || true; }
grep -q '^Result=success$' "$ROOT/dist-check/result" 2>/dev/null && [ "$(result start-status)" = 0 ] \
    || { result journal >&2; die "mapillary-archiver-download.service did not succeed: $(result result | tr '\n' ' ')"; }
grep -q 'upload: uploaded and verified' "$ROOT/dist-check/journal" \
    || { result journal >&2; die "the service's run did not upload and verify alice's item"; }
# libdispatch's one "Failed to set thread priority for worker thread" line is expected (docs/install.md).
grep -v 'Failed to set thread priority for worker thread' "$ROOT/dist-check/journal" \
    | grep -E ' (WARN|ERROR) |Failed|error:' >&2 && die "the service's run logged the problems above"
owner=$(awk '/mapillary-alice-256-webp$/ { print $1 }' "$ROOT/dist-check/items")
[ -n "$owner" ] && [ "$owner" != 0 ] \
    || die "no item mapillary-alice-256-webp owned by the service's own user in /var/lib/mapillary-archiver/items ($(result items))"
grep -q 'mapillary-archiver-download.service' "$ROOT/dist-check/timers" || die "the timer did not load: $(result timers)"
[ "$(result queue-add-status)" = 0 ] || die "queue add as the service's user failed: $(result queue-add)"
grep -q '^Result=success$' "$ROOT/dist-check/worker-result" 2>/dev/null \
    || { result worker-journal >&2; die "mapillary-archiver-worker.service did not succeed: $(result worker-result | tr '\n' ' ')"; }
grep -q 'bob: uploaded and verified' "$ROOT/dist-check/worker-journal" \
    || { result worker-journal >&2; die "the worker service did not upload and verify bob's item"; }
grep -v 'Failed to set thread priority for worker thread' "$ROOT/dist-check/worker-journal" \
    | grep -E ' (WARN|ERROR) |Failed|error:' >&2 && die "the worker service logged the problems above"
grep 'published' "$ROOT/dist-check/journal" | tail -1 | cut -c1-160
unmount_all

size=$(du -k "$deb" | cut -f 1)
step "passed: $deb ($size KiB) installs and runs on a fresh Debian $release without Swift"
[ "${KEEP_ROOT:-0}" = 1 ] || rm -rf "$CHECK/root"
