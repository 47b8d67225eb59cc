#!/usr/bin/env python3
"""Makes the Fashion-MNIST subset committed as test data.

usage: scripts/make-fashion-mnist-subset.py [SRC] [DEST]

SRC (default data/fashion-mnist) is a folder written by scripts/fetch-fashion-mnist.sh;
DEST (default src/test/resources/fashion-mnist-subset) receives the first 3,000 training
and the first 1,000 test images and labels as gzipped IDX files, plus LICENSE. Each file
keeps its IDX header with the count lowered and the first N records. Gzip without a
timestamp or name, so running it again gives the same bytes.
"""
import gzip
import struct
import sys
from pathlib import Path

COUNTS = {"train": 3000, "t10k": 1000}


def subset(src: Path, dest: Path, name: str, count: int) -> None:
    with gzip.open(src / name, "rb") as f:
        data = f.read()
    magic, total = struct.unpack(">II", data[:8])
    dims = (magic & 0xFF) - 1  # dimensions after the count
    shape = struct.unpack(">" + "I" * dims, data[8:8 + 4 * dims])
    record = 1
    for d in shape:
        record *= d
    header = 8 + 4 * dims
    assert count <= total, f"{name} holds only {total} records"
    out = struct.pack(">II", magic, count) + data[8:header] + data[header:header + count * record]
    with open(dest / name, "wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as g:
        g.write(out)
    print(f"{dest / name}: {count} of {total} records of shape {shape}")


def licence(src: Path, dest: Path) -> None:
    """The Expat (MIT) text from Debian's copyright file, with Zalando's copyright line."""
    lines = (src / "copyright").read_text().splitlines()
    start = max(i for i, l in enumerate(lines) if l.startswith("License: Expat")) + 1
    body = [l[1:].rstrip() for l in lines[start:] if l.startswith(" ")]
    text = "\n".join("" if l == "." else l for l in body)
    (dest / "LICENSE").write_text(
        "MIT License\n\nCopyright (c) 2017 Zalando SE\n\n" + text + "\n")


def main() -> None:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "data/fashion-mnist")
    dest = Path(sys.argv[2] if len(sys.argv) > 2 else "src/test/resources/fashion-mnist-subset")
    dest.mkdir(parents=True, exist_ok=True)
    for split, count in COUNTS.items():
        for kind in ("images-idx3", "labels-idx1"):
            subset(src, dest, f"{split}-{kind}-ubyte.gz", count)
    licence(src, dest)


if __name__ == "__main__":
    main()
