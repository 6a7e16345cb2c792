"""FID between real sets at 1,000 images each, against values measured with the reference.

../shared/DATA.md (measured with the TorchScript network): MNIST train vs test 15.9,
Fashion-MNIST train vs test 23.2, MNIST vs Fashion-MNIST 192 (first 1,000 of each set).
Needs the real data (scripts/prepare_offline_data.py); about 5 minutes on 2 CPU cores.

    python benchmarks/fid_sanity.py [--num-samples 1000]
"""

import argparse
import time

import numpy as np
import tensorflow_datasets as tfds

import kerasgan


def images(name, split, count):
    data = tfds.as_numpy(tfds.load(name, split=f"{split}[:{count}]", batch_size=-1, download=False))
    return data["image"].astype(np.float32) / 127.5 - 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-samples", type=int, default=1000)
    count = parser.parse_args().num_samples
    pairs = [
        ("MNIST train vs test", ("mnist", "train"), ("mnist", "test"), 15.9),
        ("Fashion-MNIST train vs test", ("fashion_mnist", "train"), ("fashion_mnist", "test"), 23.2),
        ("MNIST vs Fashion-MNIST (test)", ("mnist", "test"), ("fashion_mnist", "test"), 192),
    ]
    for label, one, two, expected in pairs:
        start = time.perf_counter()
        fid = kerasgan.metrics.frechet_inception_distance(images(*one, count), images(*two, count), verbose=False)
        print(f"{label:32s} FID {fid:7.2f}  (reference at 1000: {expected}), {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
