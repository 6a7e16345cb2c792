"""Datasets: images in [-1, 1], labels on request, clear errors on bad names."""

import numpy as np
import pytest
from PIL import Image

from kerasgan import datasets


def test_mnist_sample_is_real_and_balanced():
    images, labels = datasets.load_mnist_sample()
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == [1000] * 10
    # Real digits: mostly black background, bright strokes, a plausible mean intensity.
    assert images.max() == 255 and np.median(images) == 0
    assert 25 < images.mean() < 40


def test_load_mnist_sample_batches_in_unit_range():
    dataset = datasets.load("mnist_sample", batch_size=32, seed=0)
    batch = np.asarray(next(iter(dataset)))
    assert batch.shape == (32, 28, 28, 1) and batch.dtype == np.float32
    assert batch.min() == -1.0 and batch.max() == 1.0
    assert int(dataset.cardinality()) == 10000 // 32


def test_load_with_labels_and_resize():
    images, labels = next(iter(datasets.load("mnist_sample", batch_size=16, labels=True, image_size=32)))
    assert tuple(images.shape) == (16, 32, 32, 1) and tuple(labels.shape) == (16,)
    assert np.asarray(labels).dtype == np.int32 and set(np.asarray(labels)) <= set(range(10))


def test_pixel_convention_round_trips():
    pixels = np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1)
    unit = np.asarray(datasets.to_unit_range(pixels))
    assert unit.min() == -1.0 and unit.max() == 1.0
    np.testing.assert_array_equal(datasets.to_uint8(unit), pixels)


def test_from_arrays_value_range_and_errors():
    floats = np.random.default_rng(0).uniform(0, 1, (8, 8, 8)).astype("float32")
    batch = np.asarray(next(iter(datasets.from_arrays(floats, batch_size=4, value_range=(0, 1), shuffle=False))))
    assert batch.shape == (4, 8, 8, 1)
    np.testing.assert_allclose(batch[..., 0], 2 * floats[:4] - 1, atol=1e-6)
    # Pixels that do not fit the range are refused before they are mapped: [0, 1] floats
    # under the default (0, 255) would all come out black.
    with pytest.raises(ValueError, match=r"float pixels in \[.*\], which \(0, 255\) would map to black. Pass value_range=\(0, 1\)"):
        datasets.from_arrays(floats, batch_size=4)
    with pytest.raises(ValueError, match=r"Expected pixels in value_range=\(0, 1\). Received: values in \[255, 255\]"):
        datasets.from_arrays(np.full((4, 8, 8), 255, "uint8"), batch_size=4, value_range=(0, 1))
    with pytest.raises(ValueError, match="which \\(0, 255\\) would map to black"):
        datasets.from_pair_arrays(floats, floats, batch_size=4)
    with pytest.raises(ValueError, match="Received: an empty array"):
        datasets.from_arrays(np.zeros((0, 8, 8), "uint8"))
    with pytest.raises(ValueError, match=r"Received: images of shape \(4, 8\)"):
        datasets.from_arrays(np.zeros((4, 8), "uint8"))
    with pytest.raises(ValueError, match="one label per image"):
        datasets.from_arrays(np.zeros((4, 8, 8), "uint8"), labels=[1, 2], batch_size=2)


def test_unknown_dataset_name_suggests_close_names():
    with pytest.raises(ValueError, match="Unknown dataset.*'mnsit'.*Did you mean 'mnist'"):
        datasets.load("mnsit")


def test_tfds_dataset_by_name_offline():
    import tensorflow_datasets as tfds  # a dependency: missing, this fails rather than skips
    with tfds.testing.mock_data(num_examples=20):
        images, labels = next(iter(datasets.load("cifar10", batch_size=8, labels=True)))
    assert tuple(images.shape) == (8, 32, 32, 3)
    assert -1.0 <= float(np.min(images)) and float(np.max(images)) <= 1.0
    assert tuple(labels.shape) == (8,)


def test_from_folder(tmp_path):
    rng = np.random.default_rng(0)
    # Dark cats, bright dogs: each image must arrive with its own folder's label.
    for label, (low, high) in (("cats", (0, 60)), ("dogs", (190, 256))):
        (tmp_path / label).mkdir()
        for index in range(3):
            pixels = rng.integers(low, high, (12, 12, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / label / f"{index}.png")
    images, labels = next(iter(datasets.from_folder(tmp_path, image_size=8, batch_size=6, labels=True, seed=0)))
    images, labels = np.asarray(images), np.asarray(labels)
    assert images.shape == (6, 8, 8, 3)
    assert -1.0 <= images.min() and images.max() <= 1.0
    assert sorted(labels.tolist()) == [0, 0, 0, 1, 1, 1]
    np.testing.assert_array_equal(images.mean(axis=(1, 2, 3)) > 0, labels == 1)
    grey = next(iter(datasets.from_folder(tmp_path, image_size=8, channels=1, batch_size=6)))
    assert tuple(grey.shape) == (6, 8, 8, 1)


def test_from_folder_names_an_unreadable_file_and_a_folder_without_classes(tmp_path):
    rng = np.random.default_rng(0)
    for index in range(3):
        Image.fromarray(rng.integers(0, 256, (12, 12, 3), dtype=np.uint8)).save(tmp_path / f"{index}.png")
    with pytest.raises(ValueError, match=r"each sub-folder of the directory is a class.*no sub-folders \(3 images directly in it\)"):
        datasets.from_folder(tmp_path, image_size=8, batch_size=2, labels=True)
    (tmp_path / "bad.png").write_text("not an image")
    with pytest.raises(ValueError, match=r"bad\.png', which is not a readable image"):
        datasets.from_folder(tmp_path, image_size=8, batch_size=2)
    with pytest.raises(ValueError, match="which is not a folder"):
        datasets.from_folder(tmp_path / "absent", image_size=8)


def test_from_folder_says_an_empty_folder_holds_no_images(tmp_path):
    with pytest.raises(ValueError, match=r"Expected image files \(\.png, \.jpg, \.jpeg, \.gif, \.bmp\) in .*Received: none\.$") as raised:
        datasets.from_folder(tmp_path, image_size=8)
    assert "(" + "'" not in str(raised.value)  # no Python tuple


@pytest.mark.parametrize("name, advice", [
    ("mnist", r"python scripts/prepare_offline_data\.py --datasets mnist --data-dir .*tfds`"),
    ("cifar10", "'cifar10' cannot be had without internet"),
])
def test_a_dataset_that_cannot_be_downloaded_fails_fast_with_the_command_that_prepares_it(tmp_path, monkeypatch, name, advice):
    # No network: every connection fails at once, as on a machine offline (tfds alone
    # retried MNIST's four files for 3.5 minutes, then pointed at the README).
    import socket
    import time

    def unreachable(*args, **kwargs):
        raise OSError("Name or service not known")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    for variable in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(variable, raising=False)
    started = time.perf_counter()
    with pytest.raises(RuntimeError, match=f"'{name}' is not prepared in .*cannot reach .* to download it. .*{advice}"):
        datasets.load(name, data_dir=str(tmp_path / "tfds"))
    assert time.perf_counter() - started < 10
    assert not (tmp_path / "tfds").exists(), "no empty tfds folders are left behind"
