"""Voxel data, metrics and rendering: IoU / coverage / MMD maths on hand-made shapes,
the renderer's conventions, the loaders and their errors, the furniture converter on
tiny fake catalogues, and (when prepared) the real furniture set.

Everything but the last test is offline and takes seconds.
"""

import os
import shutil
import subprocess
import time
import zipfile

import numpy as np
import pytest
from helpers import require_prepared

from kerasgan import datasets, metrics
from kerasgan.callbacks import sample_for_grid
from kerasgan.datasets import sources
from kerasgan.datasets.sources import fetch, furniture
from kerasgan.render import render_voxels


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A private $KERASGAN_HOME, so no test sees or writes the user's caches."""
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def block(size=8, depth=(0, 8), height=(0, 8), width=(0, 8)):
    """A grid `(size, size, size)` with one solid box."""
    grid = np.zeros((size,) * 3, np.float32)
    grid[slice(*depth), slice(*height), slice(*width)] = 1.0
    return grid


def random_shapes(count, size=8, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random((count, size, size, size)) < 0.3).astype(np.float32)


# ------------------------------------------------------------------- metrics


def test_iou_by_hand():
    cube = block()[None]
    half = block(height=(0, 4))[None]
    empty = np.zeros_like(cube)
    assert metrics.voxel_iou(cube, half).tolist() == [[0.5]]  # exactly: 256 / 512
    assert metrics.voxel_iou(cube, cube).tolist() == [[1.0]]
    assert metrics.voxel_iou(cube, empty).tolist() == [[0.0]]
    assert metrics.voxel_iou(empty, empty).tolist() == [[1.0]]  # two empty shapes are one shape
    # Disjoint halves, a quarter, the threshold, the trailing channel.
    top = block(height=(4, 8))[None]
    quarter = block(height=(0, 4), width=(0, 4))[None, ..., None]
    iou = metrics.voxel_iou(np.concatenate([cube, half, top]), quarter[..., 0])
    np.testing.assert_array_equal(iou, [[0.25], [0.5], [0.0]])
    assert metrics.voxel_iou(cube * 0.6, half, threshold=0.7).tolist() == [[0.0]]


def test_iou_matches_the_formula_in_small_blocks(monkeypatch):
    a, b = random_shapes(7, seed=1), random_shapes(5, seed=2)
    expected = np.array([[np.logical_and(x > 0.5, y > 0.5).sum() / np.logical_or(x > 0.5, y > 0.5).sum()
                          for y in b] for x in a])
    np.testing.assert_allclose(metrics.voxel_iou(a, b), expected)
    monkeypatch.setattr("kerasgan.metrics.voxels.BLOCK_VALUES", 2 * 8**3)  # blocks of 2 shapes
    np.testing.assert_allclose(metrics.voxel_iou(a, b), expected)


def test_iou_errors():
    with pytest.raises(ValueError, match=r"same shape in a and b.*\(1, 8, 8, 8\).*\(1, 4, 4, 4\)"):
        metrics.voxel_iou(np.zeros((1, 8, 8, 8)), np.zeros((1, 4, 4, 4)))
    with pytest.raises(ValueError, match=r"Expected a as a non-empty batch.*Received: a of shape \(0, 8, 8, 8\)"):
        metrics.voxel_iou(np.zeros((0, 8, 8, 8)), np.zeros((1, 8, 8, 8)))


def test_coverage_and_mmd():
    reference = random_shapes(6)
    # The same shapes: every reference shape is matched, at distance 0.
    assert metrics.coverage_and_mmd(reference[::-1], reference) == {"coverage": 1.0, "mmd": 0.0}
    # A generator collapsed onto one real shape covers one of six; the MMD is the mean
    # distance of the reference shapes to that one.
    collapsed = np.repeat(reference[2:3], 10, axis=0)
    result = metrics.coverage_and_mmd(collapsed, reference)
    assert result["coverage"] == 1 / 6
    expected = np.mean(1 - metrics.voxel_iou(reference, reference[2:3]))
    assert result["mmd"] == pytest.approx(expected) and result["mmd"] > 0.3
    # Half the modes, exactly: coverage 1/2.
    result = metrics.coverage_and_mmd(reference[:3], reference)
    assert result["coverage"] == 0.5 and 0 < result["mmd"] < expected


def test_one_nearest_neighbour_accuracy():
    reference = random_shapes(6)
    # Copies of the reference set: every shape's nearest neighbour is its copy in the
    # other set (memorisation).
    assert metrics.one_nearest_neighbour_accuracy(reference.copy(), reference) == 0.0
    # Two clusters (blocks on the left, blocks on the right, each with a little
    # noise): told apart perfectly.
    noise = random_shapes(6, seed=3) * random_shapes(6, seed=4)
    left = np.maximum(block(width=(0, 4)), noise)
    right = np.maximum(block(width=(4, 8)), noise)
    assert metrics.one_nearest_neighbour_accuracy(left, right) == 1.0
    # Two samples of one distribution: about chance.
    mixed = np.concatenate([left[:3], right[:3]])
    assert 0.25 <= metrics.one_nearest_neighbour_accuracy(mixed, np.concatenate([right[3:], left[3:]])) <= 0.75


# ----------------------------------------------------------------- rendering


def test_render_shape_range_and_background():
    images = render_voxels(np.zeros((2, 8, 8, 8, 1)), size=24)
    assert images.shape == (2, 24, 24, 3) and images.dtype == np.float32
    np.testing.assert_array_equal(images, 1.0)  # white
    cube = render_voxels(block(8, (2, 6), (0, 4), (2, 6))[None], size=32)
    assert cube.min() >= -1 and cube.max() <= 1
    drawn = np.any(cube[0] < 1.0, axis=-1)
    assert 0.05 < drawn.mean() < 0.8
    # Lit from above and the side: the faces of the cube get different shades.
    assert len(np.unique(np.round(cube[0][drawn], 2), axis=0)) >= 3


def test_render_silhouette_is_where_expected():
    # A column on the floor at the left of the grid (low axis 2), at its front (high
    # axis 0), reaching half its height.
    column = block(16, depth=(12, 16), height=(0, 8), width=(0, 4))[None]
    # From the front: on the left, in the lower half.
    front = np.any(render_voxels(column, size=32, elevation=0, azimuth=0)[0] < 1, axis=-1)
    rows, columns = np.nonzero(front)
    assert columns.max() < 16 and rows.min() >= 15
    # From the right side (azimuth 90) the front of the grid is on the left.
    side = np.any(render_voxels(column, size=32, elevation=0, azimuth=90)[0] < 1, axis=-1)
    assert np.nonzero(side)[1].max() < 16
    # From above, the floor (low axis 1) is hidden: the top of the column shows.
    above = np.any(render_voxels(column, size=32, elevation=90, azimuth=0)[0] < 1, axis=-1)
    rows, columns = np.nonzero(above)
    assert columns.max() < 16 and rows.min() >= 15  # left, and the front at the bottom
    # The threshold: 0.4 everywhere is empty at 0.5, a full box at 0.3.
    assert np.all(render_voxels(column * 0.4, size=8) == 1)
    assert np.any(render_voxels(column * 0.4, size=8, threshold=0.3) < 1)


def test_render_is_fast():
    shapes = random_shapes(64, size=32, seed=5)
    start = time.perf_counter()
    images = render_voxels(shapes)
    assert images.shape == (64, 64, 64, 3)
    assert time.perf_counter() - start < 5.0  # ~0.4 s on an idle core


def test_render_in_chunks_equals_one_by_one():
    shapes = random_shapes(70, size=8, seed=6)  # more than one chunk of 64
    images = render_voxels(shapes, size=16)
    np.testing.assert_array_equal(images[[0, 65]], np.concatenate([render_voxels(shapes[[0]], size=16),
                                                                    render_voxels(shapes[[65]], size=16)]))


def test_render_errors():
    with pytest.raises(ValueError, match=r"Expected voxels of shape .*Received: voxels of shape \(8, 8, 8\)"):
        render_voxels(np.zeros((8, 8, 8)))
    with pytest.raises(ValueError, match=r"size to be an int >= 1. Received: size=0"):
        render_voxels(np.zeros((1, 8, 8, 8)), size=0)


def test_sample_for_grid_renders_voxel_samples():
    class VoxelModel:
        def preview(self, num_images, seed=None, examples=None):
            return np.stack([block(8, (2, 6), (0, 4), (2, 6))] * num_images)[..., None], None

    images, rows = sample_for_grid(VoxelModel(), 3, seed=0)
    assert images.shape == (3, 64, 64, 3) and rows is None
    assert np.any(images < 1) and np.all(images[:, 0, 0] == 1)


# ------------------------------------------------------------------- arrays


def test_from_voxel_arrays_batches_and_mirror():
    # Shape i holds a voxel at the left (width index 0) and i + 1 voxels in all.
    voxels = np.zeros((6, 4, 4, 8), np.uint8)
    for index in range(6):
        voxels[index, 0, 0, 0] = 1
        voxels[index, 1, 1, 1 : 1 + index] = 1
    batches = list(datasets.from_voxel_arrays(voxels, batch_size=4, shuffle=False))
    assert len(batches) == 1 and batches[0].shape == (4, 4, 4, 8, 1) and batches[0].dtype == "float32"
    np.testing.assert_array_equal(np.asarray(batches[0])[..., 0], voxels[:4])
    shuffled = list(datasets.from_voxel_arrays(voxels, batch_size=2, seed=1, drop_remainder=False))
    sizes = sorted(int(np.asarray(shape).sum()) for batch in shuffled for shape in batch)
    assert sizes == [1, 2, 3, 4, 5, 6]  # every shape once
    # Mirrored: the voxel at the left moves to the right for some shapes, never elsewhere.
    flipped = []
    for _ in range(3):
        for batch in datasets.from_voxel_arrays(voxels, batch_size=6, shuffle=False, mirror=True, seed=2):
            batch = np.asarray(batch)[..., 0]
            left, right = batch[:, 0, 0, 0] == 1, batch[:, 0, 0, 7] == 1
            assert np.all(left ^ right)
            np.testing.assert_array_equal(batch[right], voxels[right][..., ::-1])
            flipped.append(right)
    flipped = np.concatenate(flipped)
    assert 0 < flipped.mean() < 1
    # Floats in [0, 1] and bools are occupancies too.
    soft = next(iter(datasets.from_voxel_arrays(voxels * 0.5, batch_size=6, shuffle=False)))
    assert float(np.max(soft)) == 0.5
    assert next(iter(datasets.from_voxel_arrays(voxels > 0, batch_size=6))).dtype == "float32"


@pytest.mark.parametrize(
    "voxels, kwargs, message",
    [
        (np.zeros((4, 8, 8, 8, 2)), {}, r"\(n, depth, height, width, 1\). Received: voxels of shape \(4, 8, 8, 8, 2\)"),
        (np.zeros((8, 8, 8)), {}, r"Received: voxels of shape \(8, 8, 8\)"),
        (np.zeros((0, 8, 8, 8)), {}, r"at least one voxel grid. Received: an empty array"),
        (np.full((4, 8, 8, 8), 2.0), {}, r"occupancies in \[0, 1\]. Received: values from 2 to 2"),
        (np.full((4, 8, 8, 8), -1), {}, r"occupancies in \[0, 1\]. Received: values from -1 to -1"),
        (np.full((4, 8, 8, 8), np.nan), {}, r"occupancies in \[0, 1\]"),
        (np.zeros((3, 8, 8, 8)), {"batch_size": 4}, r"at least batch_size=4 voxel grids.*Received: 3"),
        (np.zeros((4, 8, 8, 8)), {"batch_size": 0}, r"batch_size to be an int >= 1"),
    ],
)
def test_from_voxel_arrays_errors(voxels, kwargs, message):
    with pytest.raises(ValueError, match=message):
        datasets.from_voxel_arrays(voxels, **kwargs)


# ------------------------------------------------------------ named sets


def fake_furniture_cache(categories, splits, resolution=32):
    grids = [block(resolution, (0, resolution), (0, index + 1), (0, resolution)) for index in range(len(categories))]
    names = [f"item#{index}" for index in range(len(categories))]
    arrays = {
        "voxels": np.stack([np.packbits(grid.astype(bool).reshape(-1)) for grid in grids]),
        "resolution": np.array(resolution),
        "names": np.array(names),
        "titles": np.array(names),
        "categories": np.array(categories),
        "groups": np.array(["Living room"] * len(categories)),
        "splits": np.array(splits),
    }
    sources.save(sources.cache_path("furniture", resolution), arrays, source="test")


def test_load_voxels_categories_and_splits(home):
    fake_furniture_cache(["chair", "table", "chair", "sofa", "chair"], ["train", "train", "train", "test", "train"])
    voxels, categories = datasets.voxel_arrays("furniture", categories="Chair")
    assert voxels.shape == (3, 32, 32, 32, 1) and voxels.dtype == np.uint8 and categories == ["chair"] * 3
    # Shape i is a slab i + 1 voxels high.
    assert voxels.sum(axis=(1, 2, 3, 4)).tolist() == [1024, 3 * 1024, 5 * 1024]
    _, categories = datasets.voxel_arrays("furniture", categories=["TABLE", "sofa"], split=None)
    assert categories == ["table", "sofa"]
    dataset = datasets.load_voxels(categories=["chair", "table"], batch_size=2, seed=0)
    batches = list(dataset)
    assert len(batches) == 2 and batches[0].shape == (2, 32, 32, 32, 1) and batches[0].dtype == "float32"
    assert set(np.unique(np.asarray(batches[0]))) == {0.0, 1.0}
    with pytest.raises(ValueError, match=r"Unknown categories \['chiar'\].*chair \(3\), sofa \(1\), table \(1\).*"
                                         r"Did you mean 'chair'"):
        datasets.load_voxels(categories="chiar")
    with pytest.raises(ValueError, match=r"at least batch_size=2 shapes.*1 shapes of 'furniture' with "
                                         r"categories='sofa' in split='test'"):
        datasets.load_voxels(categories="sofa", split="test", batch_size=2)


def test_named_voxel_set_errors(home):
    with pytest.raises(ValueError, match=r"Unknown voxel set.*'furnitur'.*Did you mean 'furniture'"):
        datasets.load_voxels("furnitur")
    with pytest.raises(ValueError, match=r"holds images, not voxels.*load_pairs\('openmoji'\)"):
        datasets.load_voxels("openmoji")
    with pytest.raises(ValueError, match=r"split 'train', 'test' or None \(both\). Received: split='valid'"):
        datasets.load_voxels(split="valid")
    with pytest.raises(ValueError, match=r"resolution in \(32, 64\). Received: resolution=48"):
        datasets.load_voxels(resolution=48)
    with pytest.raises(ValueError, match=r"resolution=None for 'emoji'"):
        sources.cache_path("emoji", resolution=32)
    assert not home.exists()  # every check ran before any work


def test_load_voxels_says_what_to_run_when_fetching_fails(home, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no apt-get on the PATH
    monkeypatch.setattr(fetch, "installed", lambda package: None)
    with pytest.raises(RuntimeError, match=r"apt-get download sweethome3d-furniture && apt-get download "
                                           r"sweethome3d.*--datasets furniture --source-dir DIR"):
        datasets.load_voxels()
    with pytest.raises(RuntimeError, match=r"prepare\('furniture', source_dir=DIR, resolution=64\)"):
        datasets.voxel_arrays(resolution=64)
    assert not (home / "datasets").exists() or not os.listdir(home / "datasets")
    assert sources.cache_path("furniture").endswith(os.path.join("datasets", "furniture_32.npz"))
    assert sources.cache_path("furniture", 64).endswith("furniture_64.npz")


# ------------------------------------------------------------------ converter


def box(low, high):
    """The 8 vertices and 6 quad faces (1-based) of an axis-aligned box."""
    (x0, y0, z0), (x1, y1, z1) = low, high
    vertices = [(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)]
    faces = [(1, 2, 4, 3), (5, 7, 8, 6), (1, 5, 6, 2), (3, 4, 8, 7), (1, 3, 7, 5), (2, 6, 8, 4)]
    return vertices, faces


def obj_text(*boxes):
    lines, offset = ["mtllib missing.mtl", "usemtl wood"], 0  # materials are not needed
    for vertices, faces in boxes:
        lines += [f"v {x} {y} {z}" for x, y, z in vertices]
        lines += ["f " + " ".join(f"{index + offset}/{index + offset}" for index in face) for face in faces]
        offset += len(vertices)
    return "\n".join(lines) + "\n"


SLAB_AND_PILLAR = obj_text(box((0, 0, 0), (5, 5, 1)), box((0, 0, 1), (1, 1, 5)))  # modelled z-up


def write_catalogs(folder):
    """A tiny `.sh3f` and a tiny `sweethome3d.jar`, as Sweet Home 3D lays them out."""
    folder.mkdir(parents=True, exist_ok=True)
    plugin = (
        "# comment\n"
        "id=Test\n"
        "id#1=Test#box\nname#1=Coffee table\ncategory#1=Living room\nmodel#1=/test/box/box.obj\n"
        "width#1=100\nheight#1=45\ndepth#1=20\n"
        "id#2=Test#pillar\nname#2=Stand \\\n  lamp\ncategory#2=Lights\nmodel#2=/test/pillar.obj\n"
        "modelRotation#2=1 0 0 0 0 1 0 -1 0\nwidth#2=40\nheight#2=40\ndepth#2=40\n"
        "id#3=Test#empty\nname#3=Light source\ncategory#3=Lights\nmodel#3=/test/empty.obj\n"
        "width#3=10\nheight#3=10\ndepth#3=10\n"
    )
    with zipfile.ZipFile(folder / "Test.sh3f", "w") as archive:
        archive.writestr(furniture.PLUGIN_CATALOG, plugin.encode("latin-1"))
        archive.writestr("test/box/box.obj", obj_text(box((0, 0, 0), (1, 1, 1))))
        archive.writestr("test/pillar.obj", SLAB_AND_PILLAR)
        archive.writestr("test/empty.obj", "v 0 0 0\nv 1 1 1\n")
    default = (
        "id#1=eTeks#car\nname#1=Caf\\u00e9 car\ncategory#1=Vehicles\n"
        "model#1=/com/eteks/sweethome3d/io/resources/car.obj\nwidth#1=10\nheight#1=10\ndepth#1=30\n"
    )
    jar = folder / "sweethome3d.jar"
    with zipfile.ZipFile(jar, "w") as archive:
        archive.writestr(furniture.DEFAULT_CATALOG, default.encode("latin-1"))
        archive.writestr("com/eteks/sweethome3d/io/resources/car.obj", obj_text(box((0, 0, 0), (1, 1, 1))))
    return folder, jar


def unpack(arrays):
    size = int(arrays["resolution"])
    return np.unpackbits(arrays["voxels"], axis=1).reshape(-1, size, size, size).astype(bool)


def test_convert_furniture_places_and_fills_the_meshes(tmp_path):
    folder, jar = write_catalogs(tmp_path / "furniture")
    arrays = furniture.convert(str(folder), str(jar), resolution=32)
    assert arrays["names"].tolist() == ["Test#box", "Test#pillar", "eTeks#car"]  # the empty mesh skipped
    assert arrays["titles"].tolist() == ["Coffee table", "Stand lamp", "Café car"]
    assert arrays["categories"].tolist() == ["table", "lamp", "vehicle"]
    assert arrays["splits"].tolist() == [sources.split_of(name) for name in arrays["names"]]
    table, pillar, car = unpack(arrays)
    # 100 x 45 x 20 (width x height x depth): the width spans the grid, the height 14.4
    # voxels from the floor, the depth 6.4 voxels around the centre; solid inside.
    # (Faces fall between voxel boundaries here: a face on a boundary marks the voxel
    # above it.)
    expected = np.zeros((32, 32, 32), bool)
    expected[12:20, 0:15, :] = True
    np.testing.assert_array_equal(table, expected)
    # The slab-and-pillar mesh, modelled z-up and turned y-up by its modelRotation:
    # the slab on the floor, the pillar at the left (low width index) and at the front
    # (high depth index, +z).
    assert pillar[:, 0].all() and pillar[:, 31].sum() == 7 * 7
    assert np.argwhere(pillar[:, 31]).min(axis=0).tolist() == [25, 0]
    # 10 x 10 x 30: long along the depth (axis 0), a third of the grid wide and high.
    expected = np.zeros((32, 32, 32), bool)
    expected[:, 0:11, 10:22] = True
    np.testing.assert_array_equal(car, expected)
    assert arrays["voxels"].dtype == np.uint8 and arrays["voxels"].shape == (3, 32**3 // 8)


def test_category_rules_and_properties():
    assert furniture.category_of("Desk lamp", "Office") == "lamp"
    assert furniture.category_of("Table tennis", "Exterior") == "other"
    assert furniture.category_of("Armchair", "Living room") == "chair"
    assert furniture.category_of("Wheelchair", "Miscellaneous") == "other"
    assert furniture.category_of("Seat Leon", "Vehicles") == "vehicle"
    properties = furniture.parse_properties(
        "! comment\n  key = value \\\n    continued\nother:x\\u00e9\\=y\nspaced value here\nempty\n"
    )
    assert properties == {"key": "value continued", "other": "xé=y", "spaced": "value here", "empty": ""}


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb (Debian) to build the fake packages")
def test_prepare_furniture_from_a_source_dir_then_load(home, tmp_path):
    folder, jar = write_catalogs(tmp_path / "catalogs")
    source_dir = tmp_path / "sources"
    source_dir.mkdir()
    for package, files in (("sweethome3d-furniture", {"usr/share/sweethome3d/furniture/Test.sh3f": folder / "Test.sh3f"}),
                           ("sweethome3d", {"usr/share/sweethome3d/sweethome3d.jar": jar})):
        root = tmp_path / package
        (root / "DEBIAN").mkdir(parents=True)
        (root / "DEBIAN" / "control").write_text(
            f"Package: {package}\nVersion: 1.0\nArchitecture: all\nMaintainer: test <t@t>\nDescription: test\n"
        )
        for path, source in files.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / path)
        subprocess.run(["dpkg-deb", "--build", str(root), str(source_dir / f"{package}_1.0_all.deb")],
                       check=True, capture_output=True)
    path = datasets.prepare("furniture", verbose=False, source_dir=str(source_dir))
    assert path == str(home / "datasets" / "furniture_32.npz")
    assert os.listdir(home / "datasets") == ["furniture_32.npz"]
    voxels, categories = datasets.voxel_arrays("furniture", split=None)
    assert voxels.shape == (3, 32, 32, 32, 1) and categories == ["table", "lamp", "vehicle"]
    with np.load(path) as data:
        assert str(data["source"]) == "apt sweethome3d-furniture, apt sweethome3d"


# ------------------------------------------------------------------ real data


def test_real_furniture():
    path = sources.cache_path("furniture")
    require_prepared(
        os.path.exists(path),
        f"the real 'furniture' voxels are not prepared in {path}",
        "python scripts/prepare_offline_data.py --datasets furniture",
    )
    arrays = sources.read_cache("furniture")
    voxels = unpack(arrays)
    categories, splits = arrays["categories"], arrays["splits"]
    assert voxels.shape == (912, 32, 32, 32)
    assert [(splits == split).sum() for split in ("train", "test")] == [845, 67]
    counts = {str(name): int(count) for name, count in zip(*np.unique(categories, return_counts=True))}
    assert {"chair": 70, "table": 54, "sofa": 26, "bed": 26, "cabinet": 47, "lamp": 38}.items() <= counts.items()
    assert len(set(arrays["names"].tolist())) == 912
    assert not set(arrays["names"][splits == "train"]) & set(arrays["names"][splits == "test"])
    # Solid shapes on the floor, filling a sensible part of the grid.
    occupancy = voxels.mean(axis=(1, 2, 3))
    assert 0.08 < occupancy.mean() < 0.16 and occupancy.min() > 0
    assert voxels[:, :, 0].any(axis=(1, 2)).all()
    # Chairs stand upright: most reach the upper half of the grid (their backs).
    chairs = voxels[categories == "chair"]
    assert chairs.any(axis=(1, 3))[:, 16:].any(axis=1).mean() > 0.8
    batch = next(iter(datasets.load_voxels(categories="chair", batch_size=16, mirror=True, seed=0)))
    assert batch.shape == (16, 32, 32, 32, 1) and set(np.unique(np.asarray(batch))) == {0.0, 1.0}
    # The metric on real data: train chairs match the test chairs better than train
    # sofas do (measured MMD 0.73 vs 0.96: IoU is harsh on thin legs at 32^3).
    test_chairs, _ = datasets.voxel_arrays(categories="chair", split="test")
    chairs_to_chairs = metrics.coverage_and_mmd(datasets.voxel_arrays(categories="chair")[0], test_chairs)
    sofas_to_chairs = metrics.coverage_and_mmd(datasets.voxel_arrays(categories="sofa")[0], test_chairs)
    assert chairs_to_chairs["mmd"] < sofas_to_chairs["mmd"] - 0.1
    assert chairs_to_chairs["coverage"] > sofas_to_chairs["coverage"]
    images = render_voxels(chairs[:8])
    assert images.shape == (8, 64, 64, 3) and np.mean(images < 1) > 0.05
