#!/usr/bin/env bash
# Writes the Debian copyright file (machine-readable format 1.0, as lintian wants) to stdout:
# in the header's Comment, the licences of every crate built into the binary as
# `treepl-contacts licences` printed them (the file given as $1); then our own, from LICENSE.
set -euo pipefail
licences=$1
cat <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: treepl-contacts
Upstream-Contact: Treepl Contacts maintainers <maintainers@treeplcontacts.example>
EOF
echo "Comment: The binary is built from the Rust crates below, linked in statically."
echo " Their licences and licence texts follow, as \`treepl-contacts licences\` prints them."
echo " ."
# A field's continuation lines start with a space; an empty line is written " .".
sed -e 's/^$/./' -e 's/^/ /' "$licences"
# Our own licence, from LICENSE: its copyright line, then its text as the License paragraph.
license_file=$(dirname "$0")/../LICENSE
holder=$(sed -n 's/^Copyright (c) //p' "$license_file" | head -1)
[ -n "$holder" ] || { echo "no 'Copyright (c)' line in LICENSE" >&2; exit 1; }
echo
echo "Files: *"
echo "Copyright: $holder"
echo "License: MIT"
echo
echo "License: MIT"
sed -n '/^Permission/,$p' "$license_file" | sed -e 's/^$/./' -e 's/^/ /'
