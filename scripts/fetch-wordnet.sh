#!/usr/bin/env bash
# Fetches the WordNet 3.0 database (Princeton University, WordNet 3.0 licence: free use with the
# copyright notice) from Debian's wordnet-base package into DEST (default data/wordnet), and writes
# glosses.txt there: every definition and usage example, one sentence a line, for
# `contraflow train --sentences`. No root needed: apt-get download + dpkg-deb -x.
set -euo pipefail
source "$(dirname "$0")/debian-package.sh"
dest="${1:-data/wordnet}"
files=(data.noun data.verb data.adj data.adv)

have_all=1
for f in "${files[@]}" glosses.txt; do [[ -s "$dest/$f" ]] || have_all=0; done
if [[ $have_all == 1 ]]; then
  echo "WordNet already in $dest"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fetch_debian_package wordnet-base "$work"
mkdir -p "$dest"
for f in "${files[@]}"; do cp "$work/x/usr/share/wordnet/$f" "$dest/$f"; done
cp "$work/x/usr/share/doc/wordnet-base/copyright" "$dest/LICENSE"
# gloss = text after " | "; definitions and quoted examples become separate lines
for f in "${files[@]}"; do
  grep -v '^  ' "$dest/$f" | sed -e 's/^[^|]*| //' -e 's/ *$//' \
    | sed -e 's/; *"/\n/g' -e 's/"//g' -e 's/; *$//' | sed -e 's/^ *//' -e '/^$/d'
done > "$dest/glosses.txt"
echo "WordNet 3.0 (117,659 synsets with glosses) is in $dest; $(wc -l < "$dest/glosses.txt") gloss sentences in $dest/glosses.txt:"
ls -l "$dest"
