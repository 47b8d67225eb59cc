#!/usr/bin/env bash
# Fetches Fashion-MNIST (Xiao et al. 2017, MIT licence) from Debian's dataset-fashion-mnist
# package into DEST (default data/fashion-mnist). No root needed: apt-get download + dpkg-deb -x.
set -euo pipefail
source "$(dirname "$0")/debian-package.sh"
dest="${1:-data/fashion-mnist}"
files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

have_all=1
for f in "${files[@]}"; do [[ -s "$dest/$f" ]] || have_all=0; done
if [[ $have_all == 1 ]]; then
  echo "Fashion-MNIST already in $dest"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! fetch_debian_package dataset-fashion-mnist "$work"; then
  echo "If you already have Fashion-MNIST or MNIST IDX files, pass their path to --images." >&2
  exit 1
fi
mkdir -p "$dest"
for f in "${files[@]}"; do cp "$work/x/usr/share/datasets/fashion-mnist/$f" "$dest/$f"; done
cp "$work/x/usr/share/doc/dataset-fashion-mnist/copyright" "$dest/LICENSE"
echo "Fashion-MNIST (60,000 train + 10,000 test images, 28x28 grey, MIT licence) is in $dest:"
ls -l "$dest"
