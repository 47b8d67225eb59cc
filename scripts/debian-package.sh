# Sourced by the fetch scripts: downloads a Debian package into a folder and unpacks it there,
# without root (apt-get download + dpkg-deb -x).
# usage: fetch_debian_package PACKAGE WORKDIR   -> files under WORKDIR/x
fetch_debian_package() {
  local package="$1" work="$2"
  echo "downloading Debian package $package ..."
  if ! (cd "$work" && apt-get download "$package" >/dev/null 2>"$work/apt.log"); then
    # the package lists may be missing on a fresh machine
    if [[ $(id -u) == 0 ]]; then apt-get update -qq >/dev/null 2>&1 || true; fi
    if ! (cd "$work" && apt-get download "$package" >/dev/null 2>"$work/apt.log"); then
      echo "error: could not download $package with apt-get:" >&2
      cat "$work/apt.log" >&2
      return 1
    fi
  fi
  dpkg-deb -x "$work/${package}"_*.deb "$work/x"
}
