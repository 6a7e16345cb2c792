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


def test_from_folder_with_a_label_file_gives_each_image_its_class(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "images" / "more").mkdir(parents=True)
    rows = ["file,label"]
    # Dark images labelled 1, bright ones 0: the labels 0..K-1 are the ids themselves.
    for index, (label, (low, high)) in enumerate([(1, (0, 60))] * 3 + [(0, (190, 256))] * 3):
        name = f"more/{index}.png" if index == 5 else f"{index}.png"
        Image.fromarray(rng.integers(low, high, (12, 12, 3), dtype=np.uint8)).save(tmp_path / "images" / name)
        rows.append(f"{name},{label}")
    (tmp_path / "labels.csv").write_text("\n".join(rows) + "\n")
    images, labels = next(iter(datasets.from_folder(tmp_path / "images", 8, batch_size=6, labels=tmp_path / "labels.csv", seed=0)))
    images, labels = np.asarray(images), np.asarray(labels)
    assert sorted(labels.tolist()) == [0, 0, 0, 1, 1, 1]
    np.testing.assert_array_equal(images.mean(axis=(1, 2, 3)) > 0, labels == 0)
    assert datasets.inspect_folder(tmp_path / "images", labels=tmp_path / "labels.csv").classes == {"0": 3, "1": 3}
    # Other integers are names (no empty classes 0..1989); either slash names a file.
    (tmp_path / "years.csv").write_text("file,label\n0.png,1990\nmore\\5.png,2020\n1.png,2020\n")
    report = datasets.inspect_folder(tmp_path / "images", labels=tmp_path / "years.csv")
    assert (report.classes, report.ignored) == ({"1990": 1, "2020": 2}, 3)
    for text, message in (
        ("name,class\n0.png,a\n", "first row is the header `file,label`"),
        ("file,label\n0.png\n", "two cells, `file,label`, on line 2"),
        ("file,label\n0.png,a\n./0.png,b\n", "each file once.*'0.png' again on line 3"),
        ("file,label\n../labels.csv,a\n", "paths inside the folder.*'../labels.csv' on line 2"),
        ("file,label\nnope.png,a\n", "1 missing or not images, such as \\['nope.png'\\]"),
    ):
        (tmp_path / "bad.csv").write_text(text)
        with pytest.raises(ValueError, match=message):
            datasets.from_folder(tmp_path / "images", 8, batch_size=2, labels=tmp_path / "bad.csv")
    with pytest.raises(ValueError, match="Expected labels to be True, False or a CSV label file"):
        datasets.from_folder(tmp_path / "images", 8, batch_size=2, labels=tmp_path / "missing.csv")


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
    with pytest.raises(ValueError, match=r"Expected image files \(png, jpg, jpeg, gif, bmp\) in .*Received: none\.$") as raised:
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
# ------------------------------------------------------- your own folder


def _bands(height, width):
    """uint8 RGB: black left and right quarters, a white middle half (a wide image's
    outer parts are what a centre crop drops)."""
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[:, width // 4 : width - width // 4] = 255
    return pixels


def test_fit_image_crops_pads_or_stretches():
    from kerasgan.datasets.pixels import fit_image

    image = np.asarray(datasets.to_unit_range(_bands(4, 8)))
    cropped = np.asarray(fit_image(image, 4, "crop"))
    np.testing.assert_allclose(cropped, 1.0, atol=1e-6)  # the white middle only
    padded = np.asarray(fit_image(image, 8, "pad"))
    assert padded.shape == (8, 8, 3)
    np.testing.assert_array_equal(padded[:2], -1.0)  # black borders above and below
    np.testing.assert_array_equal(padded[-2:], -1.0)
    np.testing.assert_array_equal(padded[2:6], image)  # the image itself, whole
    stretched = np.asarray(fit_image(image, 4, "stretch"))
    assert stretched[:, 0].max() < 0 and stretched[:, 1:3].min() > 0.5  # squeezed, black sides kept
    assert np.asarray(fit_image(image, (2, 4), "crop")).shape == (2, 4, 3)  # the aspect ratio is the target's
    with pytest.raises(ValueError, match=r"fit in \('crop', 'pad', 'stretch'\). Received: fit='squash'"):
        fit_image(image, 4, "squash")


def test_from_folder_centre_crops_mixed_sizes_unless_told(tmp_path):
    # A wide image, a tall one and a square one: all white once centre-cropped.
    Image.fromarray(_bands(12, 24)).save(tmp_path / "wide.png")
    Image.fromarray(np.ascontiguousarray(_bands(10, 30).transpose(1, 0, 2))).save(tmp_path / "tall.png")
    Image.fromarray(np.full((16, 16, 3), 255, np.uint8)).save(tmp_path / "square.jpg", quality=100)

    def batch(**kwargs):
        return np.asarray(next(iter(datasets.from_folder(tmp_path, image_size=8, batch_size=3, shuffle=False, **kwargs))))

    cropped = batch()  # in file order: square, tall, wide
    assert cropped.shape == (3, 8, 8, 3) and cropped.min() > 0.95
    padded = batch(fit="pad")
    assert padded[1][:, 0].max() < -0.99 and padded[2][0].max() < -0.99  # black borders beside tall, above wide
    assert padded[1][4, 4].min() > 0.95 and padded[2][4, 4].min() > 0.95
    stretched = batch(fit="stretch")
    assert stretched[2][:, 0].max() < 0 and stretched[2][0, 4].min() > 0.95  # the black sides squeezed in
    with pytest.raises(ValueError, match="Expected fit in"):
        datasets.from_folder(tmp_path, image_size=8, fit="fill")


def test_inspect_folder_reports_count_sizes_colour_and_classes(tmp_path, monkeypatch):
    from kerasgan.datasets import folders

    for name, count, shape in (("cats", 3, (32, 32, 3)), ("dogs", 2, (24, 40))):
        (tmp_path / name).mkdir()
        for index in range(count):
            Image.fromarray(np.zeros(shape, np.uint8)).save(tmp_path / name / f"{index}.png")
    Image.fromarray(np.zeros((8, 8, 4), np.uint8)).save(tmp_path / "cats" / "clear.png")
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(tmp_path / "loose.png")
    report = datasets.inspect_folder(tmp_path, labels=True)
    assert (report.count, report.scanned, report.classes, report.ignored) == (6, 6, {"cats": 4, "dogs": 2}, 1)
    assert report.most_common_size == (32, 32) and report.not_square == 2 and report.channels == 3
    assert report.colours == {"RGB": 3, "grey": 2, "RGBA": 1}
    assert report.typical_side("crop") == 24 and report.typical_side("pad") == 32
    assert str(report).splitlines() == [
        f"Found 6 images in {tmp_path}.",
        "  sizes: most common 32x32 (3); widths 8-40, heights 8-32; 2 not square",
        "  colour: 3 RGB, 2 grey, 1 RGBA",
        "  classes: 2 sub-folders: cats 4, dogs 2",
        "  1 image directly in the folder not read: the classes are its sub-folders",
    ]
    # Without labels every image is read; past MAX_SCAN headers, an even sample, said so.
    monkeypatch.setattr(folders, "MAX_SCAN", 3)
    report = datasets.inspect_folder(tmp_path)
    assert (report.count, report.scanned) == (7, 3)
    assert str(report).startswith(f"Found 7 images in {tmp_path}, headers of an even sample of 3.")
    assert datasets.inspect_folder(tmp_path / "dogs").channels == 1  # all grey
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"Expected image files \(png, jpg, jpeg, gif, bmp\) in .*empty'. Received: none."):
        datasets.inspect_folder(tmp_path / "empty")


class _Sized:
    """A stand-in report whose images all have one side."""

    def __init__(self, side):
        self.side = side

    def typical_side(self, fit="crop"):
        return self.side


@pytest.mark.parametrize(
    "preset, side, expected, reason",
    [
        ("dcgan", 32, 32, "the images' typical shorter side"),
        ("dcgan", 30, 32, "nearest the images' typical shorter side of 30 px"),  # enlarged 7%, not halved
        ("stylegan", 28, 32, "nearest"),
        ("stylegan", 50, 32, "the largest size the model builds up to"),  # a power of two
        ("dcgan", 500, 64, "500 px; 64 px is the largest chosen unless asked"),
        ("pix2pix", 48, 48, "typical"),
        ("dcgan", 5, 12, "the smallest size the model builds"),
        ("mlp_gan", 20, 20, "typical"),
    ],
)
def test_choose_image_size_from_the_data_and_the_preset(preset, side, expected, reason):
    from kerasgan import presets

    chosen, why = datasets.choose_image_size(_Sized(side), presets.PRESETS[preset].supports_size)
    assert chosen == expected and reason in why


def test_load_says_a_folder_is_read_with_from_folder(tmp_path):
    with pytest.raises(ValueError, match=r"a path\. Read a folder of images with kerasgan.datasets.from_folder.*--data-dir"):
        datasets.load(str(tmp_path) + "/")
    with pytest.raises(ValueError, match=r"a path \(and no such folder\)"):
        datasets.load("absent/")
