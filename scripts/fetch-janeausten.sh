#!/usr/bin/env bash
# Fetches Jane Austen's six completed novels (public domain; Debian's r-cran-janeaustenr, from
# Project Gutenberg) into DEST (default data/janeausten): one UTF-8 text file per novel, one printed
# line per line as in the book, blank lines between paragraphs, in reading order:
#   sense-and-sensibility.txt pride-and-prejudice.txt mansfield-park.txt emma.txt
#   northanger-abbey.txt persuasion.txt
# The package stores the text as R data, so R reads it out: installs r-cran-janeaustenr (and R)
# with apt-get when Rscript or the package is missing (root or sudo needed then).
set -euo pipefail
dest="${1:-data/janeausten}"
books=(sense-and-sensibility pride-and-prejudice mansfield-park emma northanger-abbey persuasion)

have_all=1
for b in "${books[@]}"; do [[ -s "$dest/$b.txt" ]] || have_all=0; done
if [[ $have_all == 1 ]]; then
  echo "Jane Austen's novels already in $dest"
  exit 0
fi

if ! command -v Rscript >/dev/null || ! Rscript -e 'library(janeaustenr)' >/dev/null 2>&1; then
  sudo=""
  [[ $(id -u) == 0 ]] || sudo="sudo"
  echo "Installing Debian's r-cran-janeaustenr (R reads the novels out of it) ..."
  $sudo apt-get install -y --no-install-recommends r-cran-janeaustenr >/dev/null
fi

mkdir -p "$dest"
Rscript - "$dest" <<'R'
dest <- commandArgs(trailingOnly = TRUE)[1]
library(janeaustenr)
books <- list("sense-and-sensibility" = sensesensibility, "pride-and-prejudice" = prideprejudice,
              "mansfield-park" = mansfieldpark, "emma" = emma,
              "northanger-abbey" = northangerabbey, "persuasion" = persuasion)
for (name in names(books)) {
  con <- file(file.path(dest, paste0(name, ".txt")), open = "w", encoding = "UTF-8")
  writeLines(books[[name]], con)
  close(con)
}
R
echo "Public domain (Project Gutenberg texts via the janeaustenr R package, MIT licence)." > "$dest/LICENSE"
echo "Jane Austen's six novels are in $dest:"
wc -l "$dest"/*.txt
