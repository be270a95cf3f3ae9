#!/usr/bin/env bash
# Builds the packages (dist/build.sh) and checks them as a user would meet them: lintian on the
# .deb, the desktop file and AppStream metadata it holds validated, the .deb installed with
# dpkg, the installed command run, the installed app's window seen under Xvfb, the package
# purged with nothing of it left behind; then the tarball installed into a prefix, run and
# uninstalled. Needs root (or sudo) for apt and dpkg. `.ci/run` calls it after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
name=treepl-contacts
app_id=org.treeplcontacts.TreeplContacts
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
started=$(date +%s)
step() { echo; echo "== $* ($(($(date +%s) - started)) s)"; }

missing=()
command -v lintian >/dev/null 2>&1 || missing+=(lintian)
command -v desktop-file-validate >/dev/null 2>&1 || missing+=(desktop-file-utils)
command -v appstreamcli >/dev/null 2>&1 || missing+=(appstream)
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
command -v xdotool >/dev/null 2>&1 || missing+=(xdotool)
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Pinned: a new cargo-deb may lay out the package differently.
cargo deb --version >/dev/null 2>&1 || cargo install cargo-deb --locked --version 3.8.0

scratch=$(mktemp -d)
xvfb_pid="" app_pid="" installed=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  [ -n "$installed" ] && $sudo dpkg --purge "$name" >/dev/null 2>&1
  rm -rf "$scratch"
}
trap cleanup EXIT

step "dist/build.sh"
dist/build.sh
version=$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["packages"][0]["version"])')
deb=$(ls target/packages/"${name}_${version}"-*.deb)
tarball=target/packages/$name-$version-x86_64-linux.tar.gz
built=$(($(date +%s) - started))

step "lintian $deb"
# Errors and warnings fail; the overrides the package ships (dist/debian/lintian-overrides) say
# why each one is there. As root (CI), lintian refuses to run unless told it may. (Not
# --show-overrides: with it, lintian 2.116 exits 2 whatever it found.)
as_root=()
[ "$(id -u)" = 0 ] && as_root=(--allow-root)
lintian "${as_root[@]}" --fail-on error,warning --display-info "$deb"

step "desktop-file-validate and appstreamcli validate on the packaged files"
dpkg-deb -x "$deb" "$scratch/deb"
desktop-file-validate "$scratch/deb/usr/share/applications/$app_id.desktop"
appstreamcli validate --no-net --pedantic "$scratch/deb/usr/share/metainfo/$app_id.metainfo.xml"

step "the package's Depends from apt, then dpkg -i"
# dpkg installs no dependency: what the package needs comes first, as `apt install ./x.deb`
# would bring it (the lists are refreshed only when something is not at hand).
depends=$(dpkg-deb -f "$deb" Depends)
$sudo apt-get satisfy -y -qq --no-install-recommends "$depends" >/dev/null 2>&1 ||
  { $sudo apt-get update -qq && $sudo apt-get satisfy -y -qq --no-install-recommends "$depends" >/dev/null; }
$sudo dpkg -i "$deb"
installed=yes
[ "$(command -v "$name")" = "/usr/bin/$name" ] || { echo "$name is not /usr/bin/$name" >&2; exit 1; }
"$name" --version | tee "$scratch/version"
grep -qF "$version" "$scratch/version" || { echo "--version does not name $version" >&2; exit 1; }
"$name" sandbox --help >/dev/null
man -w "$name" >/dev/null

step "the installed app opens its window under Xvfb"
display=""
for n in $(seq 90 140); do [ -e /tmp/.X11-unix/X$n ] || [ -e /tmp/.X$n-lock ] || { display=":$n"; break; }; done
[ -n "$display" ] || { echo "no free X display number" >&2; exit 1; }
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
mkdir -m 700 "$scratch/home" "$scratch/runtime"
for _ in $(seq 50); do DISPLAY=$display xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
# A throwaway home: the app starts as on a new computer (the sandbox site, demo contacts).
env -u WAYLAND_DISPLAY -u XDG_CONFIG_HOME -u XDG_DATA_HOME DISPLAY="$display" HOME="$scratch/home" \
  XDG_RUNTIME_DIR="$scratch/runtime" "$name" >"$scratch/app.log" 2>&1 &
app_pid=$!
# The window's class is the app id the desktop file's StartupWMClass names.
if ! window=$(DISPLAY=$display timeout 60 xdotool search --sync --class "$app_id" | head -1) || [ -z "$window" ]; then
  echo "no window of class $app_id within 60 s; the app's output:" >&2
  cat "$scratch/app.log" >&2
  exit 1
fi
echo "window $window: $(DISPLAY=$display xdotool getwindowname "$window")"
kill "$app_pid"
wait "$app_pid" 2>/dev/null || true
app_pid=""
kill "$xvfb_pid"
xvfb_pid=""

step "dpkg --purge leaves nothing behind"
dpkg -L "$name" >"$scratch/files"
$sudo dpkg --purge "$name"
installed=""
if dpkg -s "$name" >/dev/null 2>&1; then echo "$name is still known to dpkg" >&2; exit 1; fi
left=0
while read -r path; do
  # dpkg lists the folders it shares with other packages too (/usr, /usr/share...); those stay.
  if [ -f "$path" ] || [ -L "$path" ] || { [ -d "$path" ] && [[ "$path" == *"$name"* ]]; }; then
    echo "left behind: $path" >&2
    left=1
  fi
done <"$scratch/files"
[ "$left" = 0 ] || exit 1
echo "$(grep -c . "$scratch/files") paths listed, none of ours left"

step "the tarball: install.sh --prefix, run, --uninstall"
tar -xzf "$tarball" -C "$scratch"
unpacked=$scratch/$name-$version-x86_64-linux
prefix=$(mktemp -d -p "$scratch")
"$unpacked/install.sh" --prefix "$prefix"
"$prefix/bin/$name" --version
desktop-file-validate "$prefix/share/applications/$app_id.desktop"
grep -qx "Exec=$prefix/bin/$name" "$prefix/share/applications/$app_id.desktop"
"$unpacked/install.sh" --uninstall --prefix "$prefix"
if [ -n "$(find "$prefix" -type f)" ]; then
  echo "install.sh --uninstall left files:" >&2
  find "$prefix" -type f >&2
  exit 1
fi

echo
echo "dist/check.sh passed in $(($(date +%s) - started)) s (dist/build.sh: $built s)."
