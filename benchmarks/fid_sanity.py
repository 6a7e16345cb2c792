"""FID between real sets at 1,000 images each, as read through tensorflow-datasets.

Values measured with the TorchScript network on the first 1,000 images of the original
files: MNIST train vs test 15.9, Fashion-MNIST train vs test 23.2, MNIST vs
Fashion-MNIST 192. tfds stores the examples in another order, so its first 1,000 are
another subset and the values differ by subset noise (measured here: 11.45, 22.72,
187.91); benchmarks/fid_against_torch.py compares on the very same images (15.82108
against the reference's 15.82109). Needs the real data (scripts/prepare_offline_data.py);
about 6 minutes on 2 CPU cores.

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
        print(f"{label:32s} FID {fid:7.2f}  (original first 1000: {expected}), {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
