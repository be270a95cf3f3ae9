#!/usr/bin/env bash
# Installs Treepl Contacts from this unpacked tarball, for one user (into ~/.local) or into a
# prefix, and removes it again:
#   ./install.sh                      into ~/.local (bin/, share/)
#   ./install.sh --prefix /opt/tc     into that prefix (sudo for a system folder)
#   ./install.sh --uninstall [--prefix DIR]
# Removing deletes exactly the files this tarball holds, and the folders only it used.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prefix=$HOME/.local
action=install
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || { echo "--prefix needs a folder" >&2; exit 2; }; prefix=$2; shift 2;;
    --prefix=*) prefix=${1#--prefix=}; shift;;
    --uninstall) action=uninstall; shift;;
    -h|--help) sed -n '2,7s/^# \{0,1\}//p' "$0"; exit 0;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2;;
  esac
done
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)

# What this tarball installs, relative to the prefix.
mapfile -t files < <(cd "$here" && find bin share -type f | sort)
desktop=share/applications/org.treeplcontacts.TreeplContacts.desktop

if [ "$action" = uninstall ]; then
  for file in "${files[@]}"; do rm -f "$prefix/$file"; done
  # Our own folders; shared ones (share/icons, share/man...) stay even when empty.
  rm -rf "$prefix/share/doc/treepl-contacts"
  echo "Removed Treepl Contacts from $prefix."
  exit 0
fi

for file in "${files[@]}"; do
  mode=644
  [ "${file%%/*}" = bin ] && mode=755
  install -D -m "$mode" "$here/$file" "$prefix/$file"
done
# The launcher names the installed binary by its path: ~/.local/bin is not on every PATH.
sed -i "s|^Exec=treepl-contacts|Exec=$prefix/bin/treepl-contacts|" "$prefix/$desktop"
echo "Installed Treepl Contacts into $prefix ($prefix/bin/treepl-contacts)."
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "Note: $prefix/bin is not on your PATH; the menu entry works, the command needs the full path.";;
esac
