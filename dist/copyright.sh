#!/usr/bin/env bash
# Writes the Debian copyright file (machine-readable format 1.0, as lintian wants) to stdout:
# our own licence, then, in the header's Comment, the licences of every crate built into the
# binary as `treepl-contacts licences` printed them (the file given as $1).
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
cat <<'EOF'

Files: *
Copyright: 2026 Treepl Contacts contributors
License: MIT

License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy
 of this software and associated documentation files (the "Software"), to deal
 in the Software without restriction, including without limitation the rights
 to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 copies of the Software, and to permit persons to whom the Software is
 furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in all
 copies or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
 SOFTWARE.
EOF
