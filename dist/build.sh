#!/usr/bin/env bash
# Builds what we ship, from one `cargo build --profile dist`:
#   target/packages/treepl-contacts_<version>-1_amd64.deb        (cargo-deb)
#   target/packages/treepl-contacts-<version>-x86_64-linux.tar.gz (binary, desktop files, install.sh)
# The built binary itself writes the generated files (man pages, completions, licences) into
# target/dist-assets/, where Cargo.toml's [package.metadata.deb] assets expect them. Running it
# again rebuilds everything from scratch (cargo's own cache aside). Needs cargo-deb:
#   cargo install cargo-deb --locked
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
name=treepl-contacts
version=$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["packages"][0]["version"])')
target_dir=${CARGO_TARGET_DIR:-$repo/target}
bin=$target_dir/dist/$name
assets=$repo/target/dist-assets
packages=$repo/target/packages

cargo deb --version >/dev/null 2>&1 || { echo "cargo-deb is missing: cargo install cargo-deb --locked" >&2; exit 1; }

# Every package's sources at hand (the tests' crates too): the build lists the licences with
# `cargo metadata`, which reads them all, and the package must carry each crate's licence files.
echo "== cargo fetch"
cargo fetch --locked --target "$(rustc -vV | sed -n 's/^host: //p')"

echo "== cargo build --profile dist"
cargo build --locked --profile dist --bin "$name"

echo "== generated files -> $assets"
rm -rf "$assets"
mkdir -p "$assets/completions" "$packages"
"$bin" man-pages "$assets/man" 2>/dev/null
"$bin" completions bash >"$assets/completions/$name.bash"
"$bin" completions zsh >"$assets/completions/_$name"
"$bin" completions fish >"$assets/completions/$name.fish"
if ! "$bin" licences >"$assets/licences.txt" || ! grep -q 'each with the licence files' "$assets/licences.txt"; then
  echo "'$name licences' did not list every crate with its licence files, which the package must ship:" >&2
  head -c 600 "$assets/licences.txt" >&2
  exit 1
fi
dist/copyright.sh "$assets/licences.txt" >"$assets/copyright"

echo "== cargo deb"
rm -f "$packages/${name}_"*.deb
cargo deb --locked --profile dist --no-build --output "$packages/"
deb=$(ls "$packages/${name}_${version}"-*.deb)

echo "== tarball"
stem=$name-$version-x86_64-linux
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/$stem
share=$root/share
install -D -m 755 "$bin" "$root/bin/$name"
install -D -m 644 dist/org.treeplcontacts.TreeplContacts.desktop -t "$share/applications"
install -D -m 644 dist/org.treeplcontacts.TreeplContacts.metainfo.xml -t "$share/metainfo"
for size in 48 64 128; do
  install -D -m 644 "dist/icons/hicolor/${size}x$size/apps/$name.png" -t "$share/icons/hicolor/${size}x$size/apps"
done
install -D -m 644 assets/icon.png "$share/icons/hicolor/256x256/apps/$name.png"
mkdir -p "$share/man/man1"
for page in "$assets"/man/*.1; do gzip -9n <"$page" >"$share/man/man1/$(basename "$page").gz"; done
install -D -m 644 "$assets/completions/$name.bash" "$share/bash-completion/completions/$name"
install -D -m 644 "$assets/completions/_$name" "$share/zsh/site-functions/_$name"
install -D -m 644 "$assets/completions/$name.fish" "$share/fish/vendor_completions.d/$name.fish"
install -D -m 644 "$assets/copyright" "$assets/licences.txt" -t "$share/doc/$name"
install -m 755 dist/install.sh "$root/install.sh"
tarball=$packages/$stem.tar.gz
# The same inputs give the same bytes: sorted names, no owner, the last commit's time.
mtime=$(git log -1 --format=%ct 2>/dev/null || echo 0)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -C "$stage" -cf - "$stem" | gzip -9n >"$tarball"

echo
echo "Built:"
echo "  $deb ($(du -h "$deb" | cut -f1))"
echo "  $tarball ($(du -h "$tarball" | cut -f1))"
echo "  binary: $bin ($(du -h "$bin" | cut -f1))"
