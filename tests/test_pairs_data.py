"""Paired and two-domain datasets: arrays, folders, named sets, converters, errors.

Everything here is offline: the converters run on tiny fake sources built in tmp_path.
The last tests read the real caches when `python scripts/prepare_offline_data.py` has
prepared them, and skip (saying so) otherwise.
"""

import gzip
import io
import json
import os
import pickle
import tarfile
import zipfile

import matplotlib
import numpy as np
import pytest
from helpers import require_prepared
from PIL import Image

from kerasgan import datasets
from kerasgan.datasets import sources
from kerasgan.datasets.sources import cjk_glyphs, emoji, horse_zebra, openmoji
from kerasgan.files import RestrictedUnpickler


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A private $KERASGAN_HOME, so no test sees or writes the user's caches."""
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def indexed(count, shape=(4, 4, 1), offset=0):
    """uint8 images whose every pixel holds the image's index (+ offset)."""
    values = (np.arange(count) + offset).astype(np.uint8).reshape((-1,) + (1,) * len(shape))
    return values * np.ones(shape, np.uint8)


def index_of(batch):
    """The index each image of a [-1, 1] batch of `indexed` images was made from."""
    return np.rint((np.asarray(batch)[:, 0, 0, 0] + 1) * 127.5).astype(int)


def epoch(dataset):
    pairs = [(index_of(a), index_of(b)) for a, b in dataset]
    return np.concatenate([a for a, _ in pairs]), np.concatenate([b for _, b in pairs]), len(pairs)


# ------------------------------------------------------------------- arrays


def test_pair_arrays_shapes_range_and_correspondence():
    inputs = indexed(10, (8, 8))  # grey without a channel axis
    targets = indexed(10, (8, 8, 3), offset=100)
    dataset = datasets.from_pair_arrays(inputs, targets, batch_size=4, seed=3)
    batches = list(dataset)
    assert len(batches) == 2  # 10 // 4, the partial batch dropped
    for batch_inputs, batch_targets in batches:
        assert batch_inputs.shape == (4, 8, 8, 1) and batch_targets.shape == (4, 8, 8, 3)
        assert batch_inputs.dtype == "float32" and batch_targets.dtype == "float32"
        assert np.min(batch_inputs) >= -1 and np.max(batch_targets) <= 1
        # Shuffled together: item i of the inputs is still item i of the targets.
        np.testing.assert_array_equal(index_of(batch_inputs) + 100, index_of(batch_targets))
    assert index_of(batches[0][0]).tolist() != [0, 1, 2, 3]


def test_pair_arrays_resize_value_range_and_remainder():
    inputs = np.zeros((5, 8, 8, 1), np.float32)
    targets = np.ones((5, 8, 8, 3), np.float32)
    dataset = datasets.from_pair_arrays(
        inputs, targets, batch_size=2, image_size=(16, 12), value_range=(0, 1), shuffle=False, drop_remainder=False
    )
    shapes = [(tuple(a.shape), tuple(b.shape)) for a, b in dataset]
    assert shapes == [((2, 16, 12, 1), (2, 16, 12, 3))] * 2 + [((1, 16, 12, 1), (1, 16, 12, 3))]
    batch_inputs, batch_targets = next(iter(dataset))
    np.testing.assert_allclose(batch_inputs, -1.0)
    np.testing.assert_allclose(batch_targets, 1.0)


def test_domain_arrays_max_length_epoch_and_independent_shuffles():
    images_a = indexed(10)
    images_b = indexed(6, offset=100)
    dataset = datasets.from_domain_arrays(images_a, images_b, batch_size=3, seed=0)
    assert int(dataset.cardinality()) == 10 // 3
    first = epoch(dataset)
    order_a, order_b, count = first
    assert count == 3 and len(order_a) == len(order_b) == 9
    assert len(set(order_a)) == 9  # the larger domain: each image at most once an epoch
    assert set(order_b) == set(range(100, 106))  # the smaller one: all of it, then repeated
    second = epoch(dataset)
    assert second[0].tolist() != order_a.tolist()  # reshuffled each epoch


@pytest.mark.parametrize("seed", [None, 7])
def test_domain_arrays_are_shuffled_independently(seed):
    images = indexed(32)
    order_a, order_b, _ = epoch(datasets.from_domain_arrays(images, images, batch_size=8, seed=seed))
    assert sorted(order_a) == sorted(order_b) == list(range(32))
    assert order_a.tolist() != order_b.tolist()


def test_domain_arrays_seed_is_reproducible_and_no_shuffle_keeps_file_order():
    images_a, images_b = indexed(9), indexed(4, offset=50)
    first = epoch(datasets.from_domain_arrays(images_a, images_b, batch_size=3, seed=5))
    again = epoch(datasets.from_domain_arrays(images_a, images_b, batch_size=3, seed=5))
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    order_a, order_b, _ = epoch(datasets.from_domain_arrays(images_a, images_b, batch_size=3, shuffle=False))
    assert order_a.tolist() == list(range(9))
    assert order_b.tolist() == [50, 51, 52, 53, 50, 51, 52, 53, 50]


def test_composite_on_white():
    rgba = np.array([[[[200, 0, 0, 255], [0, 0, 0, 0], [0, 100, 0, 128]]]], np.uint8)
    np.testing.assert_array_equal(
        datasets.composite_on_white(rgba), [[[[200, 0, 0], [255, 255, 255], [127, 177, 127]]]]
    )
    grey_alpha = np.array([[[0, 0], [0, 255]]], np.uint8)
    np.testing.assert_array_equal(datasets.composite_on_white(grey_alpha), [[[255], [0]]])
    with pytest.raises(ValueError, match=r"Expected images with an alpha channel.*\(4, 4, 3\)"):
        datasets.composite_on_white(np.zeros((4, 4, 3), np.uint8))


# ------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "inputs, targets, kwargs, message",
    [
        (indexed(4), indexed(5), {}, r"as many targets as inputs. Received: 4 inputs, 5 targets"),
        (indexed(4, (4, 4, 1)), indexed(4, (4, 6, 1)), {}, r"same height and width.*\(4, 4, 6, 1\)"),
        (indexed(4, (4, 4, 4)), indexed(4, (4, 4, 3)), {}, r"inputs of shape \(4, 4, 4, 4\).*composite_on_white"),
        (indexed(4), indexed(4, (4, 4, 2)), {}, r"targets of shape \(4, 4, 4, 2\).*drop the alpha"),
        (np.zeros((0, 4, 4, 1), np.uint8), indexed(4), {}, r"at least one image in inputs"),
        (indexed(4), indexed(4), {"batch_size": 5}, r"at least batch_size=5 pairs.*Received: 4"),
        (indexed(4), indexed(4), {"batch_size": 0}, r"batch_size to be an int >= 1"),
    ],
)
def test_pair_arrays_errors(inputs, targets, kwargs, message):
    with pytest.raises(ValueError, match=message):
        datasets.from_pair_arrays(inputs, targets, **kwargs)


def test_pair_arrays_channels_may_differ_and_partial_batch_is_allowed_without_drop():
    dataset = datasets.from_pair_arrays(
        indexed(3, (4, 4, 1)), indexed(3, (4, 4, 3)), batch_size=8, drop_remainder=False
    )
    assert [tuple(a.shape) for a, _ in dataset] == [(3, 4, 4, 1)]


@pytest.mark.parametrize(
    "images_a, images_b, kwargs, message",
    [
        (indexed(4, (4, 4, 1)), indexed(4, (4, 4, 3)), {}, r"same shape.*\(4, 4, 4, 1\).*\(4, 4, 4, 3\)"),
        (indexed(4, (4, 4, 3)), indexed(4, (8, 8, 3)), {}, r"same shape"),
        (indexed(4, (4, 4, 4)), indexed(4, (4, 4, 4)), {}, r"images_a of shape.*composite_on_white"),
        (indexed(4), np.zeros((0, 4, 4)), {}, r"at least one image in images_b"),
        (indexed(4), indexed(6), {"batch_size": 7}, r"at least batch_size=7 images in the larger domain.*6"),
    ],
)
def test_domain_arrays_errors(images_a, images_b, kwargs, message):
    with pytest.raises(ValueError, match=message):
        datasets.from_domain_arrays(images_a, images_b, **kwargs)


def test_named_set_errors(home):
    with pytest.raises(ValueError, match=r"Unknown dataset.*'openmoj'.*Did you mean 'openmoji'"):
        datasets.load_pairs("openmoj")
    with pytest.raises(ValueError, match=r"Unknown dataset.*'horse_zebras'.*Did you mean 'horse_zebra'"):
        datasets.load_domains("horse_zebras")
    with pytest.raises(ValueError, match=r"load_domains\('emoji'\)"):
        datasets.load_pairs("emoji")
    with pytest.raises(ValueError, match=r"load_pairs\('openmoji'\)"):
        datasets.load_domains("openmoji")
    with pytest.raises(ValueError, match=r"split 'train' or 'test'. Received: split='valid'"):
        datasets.load_pairs("openmoji", split="valid")
    with pytest.raises(ValueError, match=r"ground-truth pairs.*'horse_zebra'"):
        datasets.load_domains("horse_zebra", paired=True)
    with pytest.raises(ValueError, match=r"batch_size"):
        datasets.load_domains("emoji", batch_size=0)
    assert not home.exists()  # every check ran before any work


# ------------------------------------------------------------------ folders


def write_png(path, array, mode=None):
    Image.fromarray(np.asarray(array, np.uint8), mode).save(path)


@pytest.fixture
def pair_folders(tmp_path):
    inputs, targets = tmp_path / "inputs", tmp_path / "targets"
    inputs.mkdir()
    targets.mkdir()
    for index in range(5):
        write_png(inputs / f"{index}.png", np.full((6, 10), index * 10))
        colour = np.zeros((12, 20, 3), np.uint8)
        colour[..., 0] = index * 10
        write_png(targets / f"{index}.png", colour)
    # A fully transparent RGBA target: composited onto white.
    write_png(targets / "4.png", np.zeros((12, 20, 4), np.uint8))
    # A jpg on one side matches a png of the same name on the other.
    os.remove(targets / "3.png")
    Image.fromarray(np.full((12, 20, 3), 30, np.uint8)).save(targets / "3.jpg", quality=100)
    (inputs / "notes.txt").write_text("not an image")
    return inputs, targets


def test_pair_folders(pair_folders):
    inputs, targets = pair_folders
    dataset = datasets.from_pair_folders(inputs, targets, image_size=(8, 16), batch_size=5, shuffle=False)
    batch_inputs, batch_targets = next(iter(dataset))
    assert batch_inputs.shape == (5, 8, 16, 3) and batch_targets.shape == (5, 8, 16, 3)
    expected = np.array([0, 10, 20, 30, 40]) / 127.5 - 1
    np.testing.assert_allclose(np.asarray(batch_inputs)[:, 0, 0, 0], expected, atol=1e-5)
    np.testing.assert_allclose(np.asarray(batch_targets)[:3, 0, 0, 0], expected[:3], atol=1e-5)
    np.testing.assert_allclose(np.asarray(batch_targets)[4], 1.0, atol=1e-6)  # transparent -> white
    grey = datasets.from_pair_folders(inputs, targets, image_size=4, channels=1, batch_size=2, seed=1)
    assert [tuple(a.shape) + tuple(b.shape) for a, b in grey] == [(2, 4, 4, 1, 2, 4, 4, 1)] * 2


def test_pair_folder_errors(pair_folders, tmp_path):
    inputs, targets = pair_folders
    os.remove(targets / "2.png")
    with pytest.raises(ValueError, match=r"same name in target_dir. Received: '2.png' in input_dir"):
        datasets.from_pair_folders(inputs, targets, image_size=8)
    write_png(targets / "2.png", np.zeros((4, 4)))
    write_png(targets / "extra.png", np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"same name in input_dir. Received: 'extra.png' in target_dir"):
        datasets.from_pair_folders(inputs, targets, image_size=8)
    os.remove(targets / "extra.png")
    with pytest.raises(ValueError, match=r"at least batch_size=6 pairs"):
        datasets.from_pair_folders(inputs, targets, image_size=8, batch_size=6)
    with pytest.raises(ValueError, match=r"channels 1 or 3. Received: channels=4"):
        datasets.from_pair_folders(inputs, targets, image_size=8, channels=4)
    with pytest.raises(ValueError, match=r"input_dir to be a folder"):
        datasets.from_pair_folders(tmp_path / "missing", targets, image_size=8)
    write_png(targets / "2.bmp", np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"one image per name in target_dir.*'2.bmp'.*'2.png'"):
        datasets.from_pair_folders(inputs, targets, image_size=8)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match=r"Expected image files.*in dir_b"):
        datasets.from_domain_folders(inputs, empty, image_size=8)


def test_inspect_pair_and_domain_folders(pair_folders, tmp_path):
    inputs, targets = pair_folders
    os.remove(targets / "2.png")
    write_png(targets / "extra.png", np.zeros((12, 20, 3)))
    report = datasets.inspect_pair_folders(inputs, targets)
    assert (report.count, report.unmatched_first, report.unmatched_second) == (4, ["2.png"], ["extra.png"])
    assert (report.first.count, report.second.count, report.first.channels, report.channels) == (5, 5, 1, 3)
    assert report.typical_side("crop") == 6 and report.not_square == 10
    assert str(report).splitlines() == [
        f"Found 4 pairs in {inputs} and {targets} (matched by file name).",
        "  inputs: 5 images",
        "    size: all 10x6",
        "    colour: all grey",
        "  targets: 5 images",
        "    size: all 20x12",
        "    colour: 4 RGB, 1 RGBA",
        "  1 inputs without a match in targets (same name, any extension): 2.png",
        "  1 targets without a match in inputs (same name, any extension): extra.png",
    ]
    report = datasets.inspect_domain_folders(inputs, targets)
    assert report.count == 5 and not report.unmatched_first
    assert str(report).startswith(f"Found 5 images in {inputs} and 5 in {targets}; an epoch is 5")
    with pytest.raises(ValueError, match="Expected dir_b to be a folder of images"):
        datasets.inspect_domain_folders(inputs, tmp_path / "absent")


def test_domain_folders(tmp_path):
    dir_a, dir_b = tmp_path / "a", tmp_path / "b"
    dir_a.mkdir()
    dir_b.mkdir()
    for index in range(7):
        write_png(dir_a / f"a{index}.png", np.full((5, 5, 3), index))
    for index in range(3):
        rgba = np.zeros((9, 9, 4), np.uint8)
        rgba[..., 1] = 100 + index
        rgba[..., 3] = 255
        write_png(dir_b / f"b{index}.png", rgba)
    dataset = datasets.from_domain_folders(dir_a, dir_b, image_size=4, batch_size=2, seed=2)
    order_a, order_b, count = epoch(dataset)
    assert count == 7 // 2 and len(set(order_a)) == 6
    assert set(order_b) <= {0, 1, 2} and len(order_b) == 6  # channel 0 of opaque green: 0
    images_a, images_b = next(iter(dataset))
    assert images_a.shape == images_b.shape == (2, 4, 4, 3)
    assert set(np.rint((np.asarray(images_b)[:, 0, 0, 1] + 1) * 127.5).astype(int)) <= {100, 101, 102}


# -------------------------------------------------------------- named sets


def test_split_is_deterministic_and_about_ten_percent():
    keys = [f"item_{index}" for index in range(3000)]
    splits = [sources.split_of(key) for key in keys]
    assert splits == [sources.split_of(key) for key in keys]
    assert set(splits) == {"train", "test"}
    assert 0.08 < splits.count("test") / len(keys) < 0.12
    # Skin-tone variants of one emoji share a split.
    assert emoji._split_key("1f44b-1f3fd") == emoji._split_key("1f44b") == "1f44b"


def fake_domain_cache(home, name, images_a, images_b, names_a, names_b, splits_a, splits_b):
    path = sources.cache_path(name)
    sources.save(path, {
        "images_a": images_a, "images_b": images_b,
        "names_a": np.array(names_a), "names_b": np.array(names_b),
        "splits_a": np.array(splits_a), "splits_b": np.array(splits_b),
    }, source="test")
    return path


def test_load_domains_paired_keeps_correspondence(home):
    names = [f"e{index}" for index in range(12)]
    splits = ["test" if index % 3 == 0 else "train" for index in range(12)]
    fake_domain_cache(home, "emoji", indexed(12, (4, 4, 3)), indexed(12, (4, 4, 3), offset=100),
                      names, names, splits, splits)
    order_a, order_b, _ = epoch(datasets.load_domains("emoji", split="train", batch_size=3, paired=True))
    assert order_a.tolist() == [1, 2, 4, 5, 7, 8, 10, 11]  # file order, the partial batch kept
    assert (order_b - 100).tolist() == order_a.tolist()
    order_a, order_b, _ = epoch(datasets.load_domains("emoji", split="train", batch_size=3, paired=True,
                                                      shuffle=True, seed=1))
    assert (order_b - 100).tolist() == order_a.tolist() and order_a.tolist() != sorted(order_a)
    test_a, test_b, _ = epoch(datasets.load_domains("emoji", split="test", batch_size=2))
    assert sorted(test_a) == [0, 3, 6, 9] and sorted(test_b) == [100, 103, 106, 109]


def test_load_one_emoji_style_as_single_images(home):
    names = [f"e{index}" for index in range(12)]
    splits = ["test" if index % 3 == 0 else "train" for index in range(12)]
    fake_domain_cache(home, "emoji", indexed(12, (4, 4, 3)), indexed(12, (4, 4, 3), offset=100),
                      names, names, splits, splits)
    noto = np.concatenate(list(datasets.load("emoji", split="train", batch_size=4, shuffle=False)))
    assert noto.shape == (8, 4, 4, 3) and index_of(noto).tolist() == [1, 2, 4, 5, 7, 8, 10, 11]
    twemoji = np.concatenate(list(datasets.load("twemoji", split="test", batch_size=4, shuffle=False)))
    assert (index_of(twemoji) - 100).tolist() == [0, 3, 6, 9]
    with pytest.raises(ValueError, match="has no class labels"):
        datasets.load("emoji", labels=True)


def test_pad_to_centres_images_on_black():
    images = next(iter(datasets.load("mnist_sample", batch_size=4, shuffle=False, pad_to=32))).numpy()
    plain = next(iter(datasets.load("mnist_sample", batch_size=4, shuffle=False))).numpy()
    assert images.shape == (4, 32, 32, 1)
    np.testing.assert_array_equal(images[:, 2:30, 2:30], plain)
    assert (images[:, :2] == -1).all() and (images[:, :, 30:] == -1).all()
    with pytest.raises(ValueError, match="pad_to >= the image size"):
        datasets.load("mnist_sample", pad_to=16)


def test_load_domains_paired_refuses_a_cache_whose_names_differ(home):
    fake_domain_cache(home, "emoji", indexed(4), indexed(4), ["a", "b", "c", "d"], ["a", "b", "d", "c"],
                      ["train"] * 4, ["train"] * 4)
    with pytest.raises(ValueError, match=r"same item names in both domains"):
        datasets.load_domains("emoji", batch_size=2, paired=True)


# ----------------------------------------------------------------- converters


def add_member(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def png_bytes(array, mode=None):
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(array, np.uint8), mode).save(buffer, format="PNG")
    return buffer.getvalue()


def svg(shape):
    return f'<svg viewBox="0 0 72 72" xmlns="http://www.w3.org/2000/svg">{shape}</svg>'.encode()


def fake_openmoji(path):
    """Emoji A (listed after its skin-tone variant, which shares its line drawing), B, and
    a flag."""
    line_a = svg('<circle cx="36" cy="36" r="20" fill="none" stroke="#000" stroke-width="4"/>')
    line_b = svg('<rect x="10" y="10" width="52" height="52" fill="none" stroke="#000" stroke-width="4"/>')
    entries = [
        {"hexcode": "A-1F3FB", "group": "people-body", "skintone": "1F3FB"},
        {"hexcode": "A", "group": "people-body", "skintone": ""},
        {"hexcode": "B", "group": "objects", "skintone": ""},
        {"hexcode": "F", "group": "flags", "skintone": ""},
    ]
    files = {
        "A-1F3FB": (line_a, svg('<circle cx="36" cy="36" r="20" fill="#00f"/>')),
        "A": (line_a, svg('<circle cx="36" cy="36" r="20" fill="#f00"/>')),
        "B": (line_b, svg('<rect x="10" y="10" width="52" height="52" fill="#0f0"/>')),
        "F": (line_b, svg('<rect x="10" y="10" width="52" height="52" fill="#0f0"/>')),
    }
    with tarfile.open(path, "w:gz") as archive:
        add_member(archive, "package/data/openmoji.json", json.dumps(entries).encode())
        for code, (black, colour) in files.items():
            add_member(archive, f"package/black/svg/{code}.svg", black)
            add_member(archive, f"package/color/svg/{code}.svg", colour)
    return path


def test_convert_openmoji_keeps_one_target_per_line_drawing(tmp_path):
    arrays = openmoji.convert(fake_openmoji(tmp_path / "openmoji-17.0.0.tgz"))
    assert arrays["names"].tolist() == ["A", "B"]  # no skin-tone duplicate, no flag
    assert arrays["inputs"].shape == arrays["targets"].shape == (2, 64, 64, 3)
    assert arrays["inputs"].dtype == np.uint8
    assert arrays["splits"].tolist() == [sources.split_of("A"), sources.split_of("B")]
    centre = arrays["targets"][0, 32, 32]
    assert centre.tolist() == [255, 0, 0]  # A's own (red) target, not its skin-tone variant's
    assert arrays["inputs"][0, 32, 32].tolist() == [255, 255, 255]  # line art on white
    assert arrays["inputs"][0, 0, 0].tolist() == [255, 255, 255]


def fake_emoji(path, style, names):
    with tarfile.open(path, "w:gz") as archive:
        for index, name in enumerate(names):
            rgba = np.zeros((64, 64, 4), np.uint8)
            rgba[16:48, 16:48] = [index * 40, 200 if style == "google" else 50, 0, 255]
            add_member(archive, f"package/img/{style}/64/{name}.png", png_bytes(rgba))
        grey_alpha = np.zeros((64, 64, 2), np.uint8)  # an LA image: transparent everywhere
        add_member(archive, f"package/img/{style}/64/la.png", png_bytes(grey_alpha, "LA"))
        add_member(archive, f"package/img/{style}/32/{names[0]}.png", png_bytes(np.zeros((32, 32, 4))))
    return path


def test_convert_emoji_keeps_names_in_both(tmp_path):
    google = fake_emoji(tmp_path / "emoji-datasource-google-16.0.0.tgz", "google", ["1f600", "1f44b-1f3fb", "x"])
    twitter = fake_emoji(tmp_path / "emoji-datasource-twitter-16.0.0.tgz", "twitter", ["1f600", "1f44b-1f3fb", "y"])
    arrays = emoji.convert(google, twitter)
    assert arrays["names_a"].tolist() == arrays["names_b"].tolist() == ["1f44b-1f3fb", "1f600", "la"]
    assert arrays["images_a"].shape == arrays["images_b"].shape == (3, 64, 64, 3)
    assert arrays["images_a"][1, 32, 32].tolist() == [0, 200, 0]
    assert arrays["images_b"][1, 32, 32].tolist() == [0, 50, 0]
    assert arrays["images_a"][1, 0, 0].tolist() == [255, 255, 255]  # transparent -> white
    assert (arrays["images_a"][2] == 255).all()
    assert arrays["splits_a"][0] == sources.split_of("1f44b")


def fake_animal_wheel(path):
    labels = np.repeat(np.arange(10), 3)
    images = (labels[:, None, None] * np.ones((28, 28))).astype(np.uint8)
    with zipfile.ZipFile(path, "w") as wheel:
        for member, array in zip(horse_zebra.ANIMAL_MEMBERS, (images, labels)):
            wheel.writestr(member, gzip.compress(pickle.dumps(array)))
    return path


def test_convert_animal_mnist(tmp_path):
    arrays = horse_zebra.convert(fake_animal_wheel(tmp_path / "animal_mnist-0.4-py3-none-any.whl"))
    assert arrays["images_a"].shape == arrays["images_b"].shape == (3, 28, 28, 1)
    assert (arrays["images_a"] == 7).all() and (arrays["images_b"] == 9).all()
    assert arrays["names_a"].tolist() == ["horse_0000", "horse_0001", "horse_0002"]
    assert arrays["splits_b"].tolist() == [sources.split_of(f"zebra_{index:04d}") for index in range(3)]


def test_animal_pickle_may_hold_only_arrays(tmp_path):
    path = tmp_path / "animal_mnist-0.4-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for member in horse_zebra.ANIMAL_MEMBERS:
            wheel.writestr(member, gzip.compress(pickle.dumps(os.getcwd)))
    with pytest.raises(pickle.UnpicklingError, match=r"only numpy arrays"):
        horse_zebra.convert(path)


def test_restricted_unpickler_loads_arrays_and_refuses_other_globals():
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    loaded = RestrictedUnpickler(io.BytesIO(pickle.dumps(array)), horse_zebra.ARRAY_GLOBALS).load()
    assert loaded.dtype == np.uint8 and loaded.tolist() == array.tolist()
    # Pickled by numpy 1, an array names numpy.core: the same function stands in.
    old_numpy = pickle.dumps(array, protocol=3).replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n")
    assert b"numpy.core.multiarray" in old_numpy
    np.testing.assert_array_equal(RestrictedUnpickler(io.BytesIO(old_numpy), horse_zebra.ARRAY_GLOBALS).load(), array)
    with pytest.raises(pickle.UnpicklingError, match=r"Expected only numpy\.core\.multiarray\._reconstruct, .*"
                                                     r"numpy\.dtype in the pickle\. Received: (os|posix)\.system"):
        RestrictedUnpickler(io.BytesIO(pickle.dumps(os.system)), horse_zebra.ARRAY_GLOBALS).load()


def test_convert_glyphs_on_two_fonts():
    fonts = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
    sans, serif = os.path.join(fonts, "DejaVuSans.ttf"), os.path.join(fonts, "DejaVuSerif.ttf")
    arrays = cjk_glyphs.convert(sans, serif, codepoints=(ord("A"), ord("Z")), stride=5)
    assert arrays["names"].tolist() == ["U+0041", "U+0046", "U+004B", "U+0050", "U+0055", "U+005A"]
    assert arrays["inputs"].shape == arrays["targets"].shape == (6, 64, 64, 1)
    for images in (arrays["inputs"], arrays["targets"]):
        ink = images[..., 0] < 128
        assert ink.any(axis=(1, 2)).all() and not ink[:, 0].any() and not ink[:, :, -1].any()
    assert not np.array_equal(arrays["inputs"], arrays["targets"])  # two different fonts


def test_prepare_from_a_source_dir_then_load(home, tmp_path):
    source_dir = tmp_path / "sources"
    source_dir.mkdir()
    fake_animal_wheel(source_dir / "animal_mnist-0.4-py3-none-any.whl")
    path = datasets.prepare("horse_zebra", verbose=False, source_dir=str(source_dir))
    assert path == str(home / "datasets" / "horse_zebra.npz") and os.path.exists(path)
    assert [name for name in os.listdir(home / "datasets")] == ["horse_zebra.npz"]  # no temporary left
    assert datasets.prepare("horse_zebra", verbose=False) == path  # cached: nothing fetched
    with np.load(path) as data:
        assert data["images_a"].dtype == np.uint8 and str(data["source"]) == "pip animal-mnist==0.4"
    images_a, images_b = next(iter(datasets.load_domains("horse_zebra", batch_size=2, split="train")))
    assert images_a.shape == (2, 28, 28, 1)
    np.testing.assert_allclose(images_a, 7 / 127.5 - 1, atol=1e-6)
    np.testing.assert_allclose(images_b, 9 / 127.5 - 1, atol=1e-6)


def test_prepare_and_load_pairs_from_a_fake_openmoji(home, tmp_path):
    source_dir = tmp_path / "sources"
    source_dir.mkdir()
    fake_openmoji(source_dir / "openmoji-17.0.0.tgz")
    datasets.prepare("openmoji", verbose=False, source_dir=str(source_dir))
    split = sources.split_of("A")
    inputs, targets = next(iter(datasets.load_pairs("openmoji", split=split, batch_size=1, image_size=32)))
    assert inputs.shape == targets.shape == (1, 32, 32, 3)


def test_prepare_says_what_to_run_when_fetching_fails(home, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm on the PATH
    with pytest.raises(RuntimeError, match=r"npm pack --silent openmoji@17.0.0.*source_dir=DIR"):
        datasets.prepare("openmoji", verbose=False)
    with pytest.raises(RuntimeError, match=r"emoji-datasource-google-16.0.0.tgz.*source_dir"):
        datasets.prepare("emoji", verbose=False, source_dir=str(tmp_path))
    assert not (home / "datasets").exists() or not os.listdir(home / "datasets")
    with pytest.raises(ValueError, match=r"Expected one of .*Received: name='nope'"):
        datasets.prepare("nope")


# ------------------------------------------------------------------ real data

REAL_COUNTS = {
    # name: (train, test) pairs, or ((A train, A test), (B train, B test))
    "openmoji": (1845, 196),
    "emoji": ((3374, 412), (3374, 412)),
    "horse_zebra": ((909, 91), (908, 92)),
    "cjk_glyphs": (4148, 444),
}
REAL_SHAPES = {"openmoji": (64, 64, 3), "cjk_glyphs": (64, 64, 1), "emoji": (64, 64, 3), "horse_zebra": (28, 28, 1)}


def require_cache(name):
    # Skips, saying why; fails instead under KERASGAN_REQUIRE_DATA=1 (CI prepared it).
    path = sources.cache_path(name)
    require_prepared(
        os.path.exists(path),
        f"the real {name!r} is not prepared in {path}",
        f"python scripts/prepare_offline_data.py --datasets {name}",
    )


def everything(dataset):
    parts = list(zip(*[(np.asarray(a), np.asarray(b)) for a, b in dataset]))
    return np.concatenate(parts[0]), np.concatenate(parts[1])


@pytest.mark.parametrize("name", ["openmoji", "cjk_glyphs"])
def test_real_pairs(name):
    require_cache(name)
    for split, count in zip(("train", "test"), REAL_COUNTS[name]):
        inputs, targets = everything(
            datasets.load_pairs(name, split=split, batch_size=256, shuffle=False, drop_remainder=False)
        )
        assert inputs.shape == targets.shape == (count, *REAL_SHAPES[name])
        assert inputs.dtype == np.float32 and inputs.min() >= -1 and targets.max() == 1.0
    # Drawn on white: most pixels are background.
    assert (inputs == 1.0).mean() > 0.5 and (targets == 1.0).mean() > 0.4
    if name == "openmoji":
        # Line art is black on white (grey), targets are in colour.
        assert np.abs(inputs - inputs.mean(-1, keepdims=True)).mean() < 0.01
        assert np.abs(targets - targets.mean(-1, keepdims=True)).mean() > 0.05


@pytest.mark.parametrize("name", ["emoji", "horse_zebra"])
def test_real_domains(name):
    require_cache(name)
    ((train_a, test_a), (train_b, test_b)) = REAL_COUNTS[name]
    dataset = datasets.load_domains(name, batch_size=100)
    assert int(dataset.cardinality()) == max(train_a, train_b) // 100
    images_a, images_b = next(iter(dataset))
    assert images_a.shape == images_b.shape == (100, *REAL_SHAPES[name])
    arrays = sources.read_cache(name)
    assert [(arrays[f"splits_{domain}"] == split).sum() for domain in "ab" for split in ("train", "test")] == [
        train_a, test_a, train_b, test_b]
    if name == "horse_zebra":
        with pytest.raises(ValueError, match="ground-truth pairs"):
            datasets.load_domains(name, paired=True)
        return
    noto, twemoji = everything(datasets.load_domains(name, split="test", batch_size=64, paired=True))
    assert noto.shape == twemoji.shape == (test_a, 64, 64, 3)
    assert noto.min() >= -1 and noto.max() == 1.0
    # Two drawings of the same emoji are closer than two different emoji (measured:
    # 0.35 vs 0.60, closer for 87% of the emoji). Neighbours in file order are skin-tone
    # variants of one emoji, so the mismatched pairs are half the split apart.
    assert not np.array_equal(noto, twemoji)
    matched = np.abs(noto - twemoji).mean(axis=(1, 2, 3))
    mismatched = np.abs(noto - np.roll(twemoji, test_a // 2, axis=0)).mean(axis=(1, 2, 3))
    assert matched.mean() < 0.7 * mismatched.mean(), (matched.mean(), mismatched.mean())
    assert (matched < mismatched).mean() > 0.8
