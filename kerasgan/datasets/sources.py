"""The real sources of the paired, two-domain and voxel sets, fetched and converted once.

Each set comes from a package registry through its ordinary client (`npm pack`,
`pip download`, `apt-get download`) into a temporary folder, is converted to uint8
arrays, and is cached as an `.npz` under `$KERASGAN_HOME/datasets/` (default
`~/.keras/kerasgan/datasets/`), written atomically. The cache holds the images (or
voxels), each item's name and its split ("train" or "test", from a hash of the name,
so an item is always in the same split).

- "openmoji": npm `openmoji@17.0.0` (CC-BY-SA-4.0, HfG Schwaebisch Gmuend). Black line
  art SVG -> colour SVG, rendered with cairosvg at 64 px onto white. Skin-tone variants
  (and a few colour variants, such as the hearts) share one line drawing: one target is
  kept per line drawing, the variant without a skin tone first, then the first in
  `openmoji.json`. The near-empty `flags` group is dropped.
- "cjk_glyphs": Debian `fonts-wqy-microhei` (sans, Apache-2.0 or GPL-3+ with font
  exception) -> `fonts-arphic-ukai` (brush, Arphic Public License), every 4th CJK
  ideograph (U+4E00-U+9FFF) present in both fonts, drawn with PIL, grey.
- "emoji": npm `emoji-datasource-google@16.0.0` (Noto Emoji, Apache-2.0) and
  `emoji-datasource-twitter@16.0.0` (Twemoji, CC-BY-4.0), 64 px PNGs onto white; the
  same file name in both is the same emoji (a ground-truth pair). Skin-tone variants of
  one emoji share a split.
- "horse_zebra": PyPI `animal-mnist==0.4` (MIT), its 1,000 horses (label 7) and
  1,000 zebras (label 9), 28x28 grey. No ground-truth pairs.
- "furniture": the Sweet Home 3D furniture catalogues, voxelised: Debian
  `sweethome3d-furniture` 1.8 (five `.sh3f` catalogues: Blend Swap CC-0 models, CC0;
  Blend Swap CC-BY, Kator Legaz, Reallusion and Scopia models, CC-BY-3.0 (Kator
  Legaz and Reallusion: CC-BY-3.0-US), as Debian's copyright file lists them) and the
  default catalogue inside `sweethome3d.jar` of Debian `sweethome3d` 7.0.2 (models
  by eTeks, GPL-2+; the catalogue says "GNU GPL / CC-BY 3.0"). Each OBJ mesh is
  loaded with trimesh, rotated by its `modelRotation`, sized to its catalogue
  width x height x depth (as Sweet Home 3D shows it), scaled uniformly so that its
  largest extent spans the grid, and voxelised with its interior filled
  (`voxelize`). Cached per resolution as `furniture_<resolution>.npz`, packed bits.
"""

import glob
import gzip
import hashlib
import io
import json
import os
import pickle
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

import numpy as np

from kerasgan.datasets.pixels import read_image
from kerasgan.files import atomic_write, cache_dir

SIZE = 64
TEST_PERCENT = 10
CJK_RANGE = (0x4E00, 0x9FFF)
CJK_STRIDE = 4  # every 4th shared ideograph: a few thousand, not 18k
ANIMAL_MEMBERS = (
    "animal_mnist/data/Animal_MNIST/animal_data_version_3.gz",
    "animal_mnist/data/Animal_MNIST/animal_label_version_3.gz",
)
HORSE, ZEBRA = 7, 9
SKIN_TONES = {"1f3fb", "1f3fc", "1f3fd", "1f3fe", "1f3ff"}
# Debian package -> (where an installed package keeps what the converter reads; the
# name endings that find it in the unpacked .deb; whether the converter reads that
# file or the folder holding it).
DEB_CONTENTS = {
    "fonts-wqy-microhei": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", (".ttc", ".ttf"), "file"),
    "fonts-arphic-ukai": ("/usr/share/fonts/truetype/arphic/ukai.ttc", (".ttc", ".ttf"), "file"),
    "sweethome3d-furniture": ("/usr/share/sweethome3d/furniture", (".sh3f",), "folder"),
    "sweethome3d": ("/usr/share/sweethome3d/sweethome3d.jar", ("/sweethome3d.jar",), "file"),
}
DEFAULT_CATALOG = "com/eteks/sweethome3d/io/DefaultFurnitureCatalog.properties"
PLUGIN_CATALOG = "PluginFurnitureCatalog.properties"
VOXEL_RESOLUTIONS = (32, 64)
DEFAULT_RESOLUTION = 32
SURFACE_STEP = 0.5  # surface samples at most half a voxel apart
# Object categories from the words of an item's English name, the first rule that
# matches (some exclude words); Sweet Home 3D's own "Characters", "Vehicles" and
# "Staircases" groups are categories as they are; everything else is "other".
CATEGORY_RULES = (
    ("lamp", {"lamp", "light", "lights", "lamppost", "chandelier", "spotlight", "uplight", "lantern"}, set()),
    ("table", {"table", "desk"}, {"tennis", "fan", "football", "pool"}),
    ("chair", {"chair", "armchair", "stool", "seat"}, set()),
    ("sofa", {"sofa", "couch"}, set()),
    ("bed", {"bed", "crib", "futon", "tatami"}, set()),
    ("bench", {"bench"}, set()),
    ("cabinet", {"cabinet", "wardrobe", "dresser", "chest", "cupboard", "drawers", "locker", "bookcase",
                 "shelves", "vanity"}, {"freezer"}),
    ("door", {"door", "doors"}, set()),
    ("window", {"window", "shutter", "blind"}, set()),
    ("plant", {"plant", "tree", "pine", "palm", "ficus", "bush", "hedge", "flowers", "yucca", "cactus", "bamboo",
               "orchids", "tulips", "lily", "bonsai", "maple", "beech", "acacia", "poplar", "cypress",
               "spathiphyllum", "blossom"}, set()),
)
CATALOG_GROUPS = {"Characters": "character", "Vehicles": "vehicle", "Staircases": "staircase"}

# name -> what it holds (counts as measured on the prepared caches).
PAIR_SETS = {
    "openmoji": "OpenMoji line art -> colour, 64x64 RGB both, 2,041 pairs (1,845 train, 196 test)",
    "cjk_glyphs": "CJK ideographs, sans -> brush font, 64x64 grey, 4,592 pairs (4,148 train, 444 test)",
}
DOMAIN_SETS = {
    "emoji": "Noto (A) <-> Twemoji (B) emoji, 64x64 RGB, 3,786 ground-truth pairs (3,374 train, 412 test)",
    "horse_zebra": "Animal-MNIST horses (A) <-> zebras (B), 28x28 grey, 1,000 each, no pairs",
}
VOXEL_SETS = {
    "furniture": (
        "Sweet Home 3D furniture, voxelised solid, y up, 32^3 (64^3 on request): 912 shapes (845 train, "
        "67 test): chair 70, table 54, cabinet 47, plant 45, lamp 38, character 37, window 33, vehicle 28, "
        "bed 26, sofa 26, door 25, bench 6, staircase 5, other 472"
    ),
}
PAIRED_DOMAIN_SETS = ("emoji",)  # two-domain sets whose index i is the same subject in A and B

# client, package, the file the client leaves in the folder (a glob)
SOURCES = {
    "openmoji": [("npm", "openmoji@17.0.0", "openmoji-17.0.0.tgz")],
    "emoji": [
        ("npm", "emoji-datasource-google@16.0.0", "emoji-datasource-google-16.0.0.tgz"),
        ("npm", "emoji-datasource-twitter@16.0.0", "emoji-datasource-twitter-16.0.0.tgz"),
    ],
    "horse_zebra": [("pip", "animal-mnist==0.4", "animal_mnist-0.4-*.whl")],
    "cjk_glyphs": [
        ("apt", "fonts-wqy-microhei", "fonts-wqy-microhei_*.deb"),
        ("apt", "fonts-arphic-ukai", "fonts-arphic-ukai_*.deb"),
    ],
    "furniture": [
        ("apt", "sweethome3d-furniture", "sweethome3d-furniture_*.deb"),
        ("apt", "sweethome3d", "sweethome3d_*.deb"),
    ],
}

# Arrays each kind of cache holds.
PAIR_KEYS = ("inputs", "targets", "names", "splits")
DOMAIN_KEYS = ("images_a", "images_b", "names_a", "names_b", "splits_a", "splits_b")
VOXEL_KEYS = ("voxels", "resolution", "names", "titles", "categories", "groups", "splits")


def log(message, verbose=True):
    if verbose:
        print(f"kerasgan: {message}", flush=True)


def split_of(key):
    """"test" for about 10% of keys, "train" for the rest; the same key, the same split."""
    value = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    return "test" if value % 100 < TEST_PERCENT else "train"


def _splits(keys):
    return np.array([split_of(key) for key in keys])


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


# ------------------------------------------------------------------- fetching


def _command(client, package):
    if client == "npm":
        return ["npm", "pack", "--silent", package]
    if client == "pip":
        return [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet",
                package, "-d", "."]
    return ["apt-get", "download", package]


def _manual_hint(name, resolution=None):
    commands = " && ".join(" ".join(_command(client, package)).replace(sys.executable, "python")
                           for client, package, _ in SOURCES[name])
    apt = " (after `apt-get update`)" if any(client == "apt" for client, _, _ in SOURCES[name]) else ""
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


def _find(directory, pattern):
    found = sorted(glob.glob(os.path.join(directory, pattern)))
    return found[-1] if found else None


def _extract_deb(deb, directory, package):
    """What the converter reads inside a Debian package (via `dpkg-deb -x`): the first
    file whose path ends as `DEB_CONTENTS` says, or the folder holding it where the
    installed package keeps a folder."""
    _, endings, kind = DEB_CONTENTS[package]
    target = os.path.join(directory, os.path.basename(deb) + ".files")
    try:
        subprocess.run(["dpkg-deb", "-x", deb, target], check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", None) or error
        raise RuntimeError(f"Could not unpack {deb} with `dpkg-deb -x` ({detail}).") from None
    for root, _, files in sorted(os.walk(target)):
        for file in sorted(files):
            path = os.path.join(root, file)
            if path.endswith(endings):
                return root if kind == "folder" else path
    raise RuntimeError(f"Expected a file ending in {' or '.join(endings)} in {deb}. Received: none.")


def _installed(package):
    """The file or folder an installed Debian package provides, or None."""
    path, endings, kind = DEB_CONTENTS[package]
    if kind == "folder":
        return path if os.path.isdir(path) and any(file.endswith(endings) for file in os.listdir(path)) else None
    return path if os.path.isfile(path) else None


def fetch(name, directory, verbose=True, source_dir=None, resolution=None):
    """The source files of a set, fetched into `directory` (or found in `source_dir`)."""
    paths = []
    for client, package, pattern in SOURCES[name]:
        if client == "apt" and source_dir is None and _installed(package):
            paths.append(_installed(package))  # installed already
            continue
        if source_dir is not None:
            path = _find(source_dir, pattern)
            if path is None:
                raise RuntimeError(
                    f"Expected the file {pattern} (from `{' '.join(_command(client, package))}`) in "
                    f"source_dir. Received: source_dir={source_dir!r} without it. {_manual_hint(name, resolution)}"
                )
        else:
            command = _command(client, package)
            log(f"fetching {package}: {' '.join(command).replace(sys.executable, 'python')}", verbose)
            try:
                result = subprocess.run(command, cwd=directory, capture_output=True, text=True, check=False)
            except FileNotFoundError as error:
                raise RuntimeError(
                    f"Could not run {command[0]!r} ({error}). {_manual_hint(name, resolution)}"
                ) from None
            path = _find(directory, pattern)
            if result.returncode != 0 or path is None:
                tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-8:])
                raise RuntimeError(
                    f"`{' '.join(command)}` failed (exit {result.returncode}):\n{tail}\n{_manual_hint(name, resolution)}"
                )
        if client == "apt":
            path = _extract_deb(path, directory, package)
        paths.append(path)
    return paths


# ----------------------------------------------------------------- converting


def _read_members(archive_path, wanted):
    """`{member name: bytes}` of the members of a `.tgz` for which `wanted(name)` holds."""
    members = {}
    # One sequential pass: random access into a gzip stream would re-read it each time.
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive:
            if member.isfile() and wanted(member.name):
                members[member.name] = archive.extractfile(member).read()
    return members


def _render_svg(svg):
    import cairosvg

    return read_image(cairosvg.svg2png(bytestring=svg, output_width=SIZE, output_height=SIZE))


def convert_openmoji(archive_path, verbose=False):
    """The OpenMoji line art -> colour pairs of the npm `openmoji` tarball, as arrays."""
    members = _read_members(
        archive_path, lambda name: name.endswith(".svg") or name == "package/data/openmoji.json"
    )
    entries = json.loads(_member(members, "package/data/openmoji.json", archive_path))
    # The variant without a skin tone first, then file order: the kept target is fixed.
    order = sorted(
        (index for index, entry in enumerate(entries) if entry["group"] != "flags"),
        key=lambda index: (bool(entries[index].get("skintone")), index),
    )
    kept, seen = [], set()
    for index in order:
        entry = entries[index]
        code = entry["hexcode"]
        line_art = _render_svg(_member(members, f"package/black/svg/{code}.svg", archive_path))
        if line_art.tobytes() in seen:
            continue
        seen.add(line_art.tobytes())
        colour = _render_svg(_member(members, f"package/color/svg/{code}.svg", archive_path))
        kept.append((index, code, line_art, colour))
    kept.sort(key=lambda item: item[0])
    log(f"openmoji: {len(kept)} unique line drawings of {len(order)} non-flag emoji", verbose)
    names = [code for _, code, _, _ in kept]
    return {
        "inputs": np.stack([item[2] for item in kept]),
        "targets": np.stack([item[3] for item in kept]),
        "names": np.array(names),
        "splits": _splits(names),
    }


def _member(members, name, archive_path):
    if name not in members:
        raise ValueError(f"Expected the member {name} in {archive_path}. Received: an archive without it.")
    return members[name]


def _emoji_pngs(archive_path, style):
    folder = f"package/img/{style}/64/"
    members = _read_members(archive_path, lambda name: name.startswith(folder) and name.endswith(".png"))
    if not members:
        raise ValueError(f"Expected PNGs under {folder} in {archive_path}. Received: none.")
    return {os.path.basename(name)[: -len(".png")]: data for name, data in members.items()}


def _emoji_key(name):
    # Skin-tone variants of one emoji share a split (no near-duplicate across splits).
    return "-".join(part for part in name.split("-") if part not in SKIN_TONES)


def convert_emoji(google_archive, twitter_archive, verbose=False):
    """Noto (A) and Twemoji (B) emoji of the npm `emoji-datasource-*` tarballs, as arrays;
    only names present in both, in sorted order, so index i is the same emoji in both."""
    noto = _emoji_pngs(google_archive, "google")
    twemoji = _emoji_pngs(twitter_archive, "twitter")
    names = sorted(set(noto) & set(twemoji))
    log(f"emoji: {len(names)} names in both ({len(noto)} Noto, {len(twemoji)} Twemoji)", verbose)
    images_a = np.stack([read_image(noto[name]) for name in names])
    images_b = np.stack([read_image(twemoji[name]) for name in names])
    for images, archive in ((images_a, google_archive), (images_b, twitter_archive)):
        if images.shape[1:] != (SIZE, SIZE, 3):
            raise ValueError(f"Expected {SIZE}x{SIZE} emoji in {archive}. Received: {images.shape[1:]}")
    splits = _splits([_emoji_key(name) for name in names])
    return {
        "images_a": images_a,
        "images_b": images_b,
        "names_a": np.array(names),
        "names_b": np.array(names),
        "splits_a": splits,
        "splits_b": splits,
    }


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles numpy arrays and nothing else (no code runs from the file)."""

    ALLOWED = frozenset({
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    })

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"Expected only numpy arrays in the pickle. Received: {module}.{name}")
        return super().find_class(module, name)


def _unpickle_member(wheel, member):
    with zipfile.ZipFile(wheel) as zipped:
        data = zipped.read(member)
    return np.asarray(_ArrayUnpickler(io.BytesIO(gzip.decompress(data))).load())


def convert_animal_mnist(wheel, verbose=False):
    """Horses (A) and zebras (B) of the PyPI `animal-mnist` wheel, as arrays."""
    images = _unpickle_member(wheel, ANIMAL_MEMBERS[0])
    labels = _unpickle_member(wheel, ANIMAL_MEMBERS[1]).reshape(-1)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) != len(labels):
        raise ValueError(
            f"Expected uint8 images (n, 28, 28) and n labels in {wheel}. "
            f"Received: images {images.dtype} {images.shape}, {len(labels)} labels."
        )
    arrays = {}
    for suffix, label, animal in (("a", HORSE, "horse"), ("b", ZEBRA, "zebra")):
        selected = images[labels == label][..., None]
        names = [f"{animal}_{index:04d}" for index in range(len(selected))]
        arrays.update({f"images_{suffix}": selected, f"names_{suffix}": np.array(names),
                       f"splits_{suffix}": _splits(names)})
    log(f"horse_zebra: {len(arrays['images_a'])} horses, {len(arrays['images_b'])} zebras", verbose)
    return arrays


def _cmap(font_path):
    from fontTools.ttLib import TTFont

    with TTFont(font_path, fontNumber=0, lazy=True) as font:
        return set(font.getBestCmap())


def _draw_glyph(character, font):
    """A glyph drawn black on white, its ink centred in a SIZE x SIZE grey image."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (SIZE, SIZE), 255)
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = draw.textbbox((0, 0), character, font=font)
    draw.text(((SIZE - (right - left)) / 2 - left, (SIZE - (bottom - top)) / 2 - top), character, font=font, fill=0)
    return np.asarray(image)[..., None]


def convert_cjk_glyphs(sans_font, brush_font, verbose=False, codepoints=CJK_RANGE, stride=CJK_STRIDE):
    """Sans -> brush glyph pairs of every `stride`-th character of the `codepoints` range
    (first, last) that both fonts have."""
    from PIL import ImageFont

    shared = sorted(set(range(codepoints[0], codepoints[1] + 1)) & _cmap(sans_font) & _cmap(brush_font))
    if not shared:
        raise ValueError(f"Expected characters in U+{codepoints[0]:04X}-U+{codepoints[1]:04X} in both fonts. "
                         f"Received: none shared by {sans_font} and {brush_font}.")
    codepoints = shared[::stride]
    log(f"cjk_glyphs: {len(shared)} characters in both fonts; drawing every {stride}th", verbose)
    # Sized so that the widest glyphs keep a margin in the 64 px square.
    fonts = [ImageFont.truetype(path, size=int(SIZE * 0.85), index=0) for path in (sans_font, brush_font)]
    inputs, targets = ([_draw_glyph(chr(code), font) for code in codepoints] for font in fonts)
    names = [f"U+{code:04X}" for code in codepoints]
    return {"inputs": np.stack(inputs), "targets": np.stack(targets), "names": np.array(names),
            "splits": _splits(names)}


# ----------------------------------------------------------------- furniture


def parse_properties(text):
    """A Java `.properties` text as a dict: `key=value`, `key: value` or `key value`
    lines, `#`/`!` comments, backslash line continuations and escapes (`\\uXXXX`)."""
    escapes = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}

    def unescape(value):
        return re.sub(
            r"\\(u[0-9a-fA-F]{4}|.)",
            lambda match: chr(int(match.group(1)[1:], 16)) if len(match.group(1)) == 5
            else escapes.get(match.group(1), match.group(1)),
            value,
        )

    properties, lines, index = {}, text.splitlines(), 0
    while index < len(lines):
        line = lines[index].lstrip()
        index += 1
        if not line or line[0] in "#!":
            continue
        # An odd number of trailing backslashes continues the line.
        while (len(line) - len(line.rstrip("\\"))) % 2 == 1:
            line = line[:-1] + (lines[index].lstrip() if index < len(lines) else "")
            index += 1
        match = re.match(r"((?:[^=:\s\\]|\\.)*)\s*[=:]?\s*(.*)", line)
        properties[unescape(match.group(1))] = unescape(match.group(2))
    return properties


def category_of(title, group):
    """The object category of a catalogue item from its English name and its Sweet Home
    3D group (see `CATEGORY_RULES`)."""
    if group in CATALOG_GROUPS:
        return CATALOG_GROUPS[group]
    words = set(re.findall(r"[a-z]+", title.lower()))
    for category, include, exclude in CATEGORY_RULES:
        if words & include and not words & exclude:
            return category
    return "other"


def _catalog_items(archive_path, catalog_member):
    """The items of one furniture catalogue (a `.sh3f` or the application's jar)."""
    with zipfile.ZipFile(archive_path) as archive:
        text = archive.read(catalog_member).decode("latin-1")
    properties = parse_properties(text)
    numbers = sorted({int(key.rsplit("#", 1)[1]) for key in properties
                      if key.startswith("model#") and key.rsplit("#", 1)[1].isdigit()})
    items = []
    for number in numbers:
        def get(key, default=None, number=number):
            return properties.get(f"{key}#{number}", default)

        rotation = get("modelRotation")
        items.append({
            "archive": archive_path,
            "member": get("model").lstrip("/"),
            "name": get("id") or f"{os.path.basename(archive_path)}#{number}",
            "title": get("name", ""),
            "group": get("category", ""),
            "rotation": None if rotation is None else np.array(rotation.split(), np.float64).reshape(3, 3),
            "size": np.array([float(get(key, 0) or 0) for key in ("width", "height", "depth")]),
        })
    return items


def _lattice(count):
    """Barycentric weights `(k, 3)` of a triangular lattice with `count` steps along
    each edge of a triangle."""
    first, second = np.meshgrid(np.arange(count + 1), np.arange(count + 1), indexing="ij")
    keep = first + second <= count
    first, second = first[keep], second[keep]
    return np.stack([count - first - second, first, second], axis=1) / count


def voxelize(triangles, resolution=32):
    """Solid occupancy of triangles given in grid units: bool `(depth, height, width)`.

    Every triangle is sampled at points at most half a voxel apart (its vertices, and
    a barycentric lattice on larger ones); the voxels holding a sample form the
    surface, and every voxel the surface encloses (not reachable from the grid's
    faces through face-adjacent empty voxels) is filled. Points outside the grid are
    clipped onto it.

    Args:
        triangles: float array `(f, 3, 3)`: f triangles of 3 vertices `(x, y, z)` in
            voxel units, the grid spanning [0, resolution] on each axis. Voxel
            `[k, j, i]` holds the points with `floor(z) = k`, `floor(y) = j`,
            `floor(x) = i`.
        resolution: int. Voxels per side. Defaults to 32.

    Returns:
        bool array `(resolution, resolution, resolution)`, indexed `[z, y, x]`.
    """
    from scipy import ndimage

    triangles = np.asarray(triangles, np.float64)
    surface = np.zeros((resolution,) * 3, bool)

    def mark(points):
        cells = np.clip(np.floor(points).astype(np.int64), 0, resolution - 1)
        surface[cells[:, 2], cells[:, 1], cells[:, 0]] = True

    mark(triangles.reshape(-1, 3))
    longest = np.sqrt(((triangles - np.roll(triangles, 1, axis=1)) ** 2).sum(-1)).max(axis=1)
    counts = np.ceil(longest / SURFACE_STEP).astype(np.int64)
    for count in np.unique(counts[counts > 1]):
        weights = _lattice(int(count))
        selected = triangles[counts == count]
        per_chunk = max(1, 2_000_000 // len(weights))  # bounds the memory of the samples
        for start in range(0, len(selected), per_chunk):
            mark(np.einsum("kc,fcd->fkd", weights, selected[start : start + per_chunk]).reshape(-1, 3))
    return ndimage.binary_fill_holes(surface)


def _load_triangles(archive, member):
    """The triangles `(f, 3, 3)` of an OBJ member of a zip (geometry only)."""
    import trimesh

    mesh = trimesh.load_mesh(io.BytesIO(archive.read(member)), file_type="obj", skip_materials=True, process=False)
    vertices, faces = np.asarray(mesh.vertices, np.float64), np.asarray(mesh.faces, np.int64)
    if faces.size == 0:
        raise ValueError("Expected triangles in the mesh. Received: a mesh without faces.")
    return vertices[faces]


def furniture_triangles(triangles, rotation, size, resolution):
    """Places a catalogue mesh in the grid, in voxel units.

    The mesh is rotated by the catalogue's `modelRotation` (row-major, applied to
    column vectors), stretched to the catalogue's `(width, height, depth)` as Sweet
    Home 3D shows the item (where the catalogue gives them), then scaled uniformly so
    that its largest extent spans the grid: centred on x (width) and z (depth), its
    lowest point on the floor (y = 0). y is up; +z is the item's front.
    """
    if rotation is not None:
        triangles = triangles @ rotation.T
    points = triangles.reshape(-1, 3)
    low, extent = points.min(axis=0), np.ptp(points, axis=0)
    size = np.where(size > 0, size, extent)
    triangles = (triangles - low) / np.where(extent > 0, extent, 1.0) * size
    size = np.where(extent > 0, size, 0.0)
    scale = resolution / size.max()
    offset = (resolution - size * scale) / 2
    offset[1] = 0.0  # standing on the floor
    return triangles * scale + offset


def convert_furniture(furniture, application, verbose=False, resolution=DEFAULT_RESOLUTION):
    """The Sweet Home 3D catalogues as voxel arrays.

    Args:
        furniture: str. The folder of the `.sh3f` catalogues (Debian
            `sweethome3d-furniture`).
        application: str. `sweethome3d.jar` (Debian `sweethome3d`), holding the
            default catalogue.
        verbose: bool. Print progress. Defaults to False.
        resolution: int. Voxels per side. Defaults to 32.

    Returns:
        dict: "voxels" (packed bits `(n, resolution**3 / 8)`, `np.packbits` of each
        grid `(depth, height, width)` in C order), "resolution", "names" (catalogue
        ids, unique), "titles" (English names), "categories" (`category_of`),
        "groups" (Sweet Home 3D's own group, such as "Living room") and "splits".
    """
    catalogs = sorted(glob.glob(os.path.join(furniture, "*.sh3f")))
    if not catalogs:
        raise ValueError(f"Expected .sh3f catalogues in {furniture}. Received: none.")
    items = [item for path in catalogs for item in _catalog_items(path, PLUGIN_CATALOG)]
    items += _catalog_items(application, DEFAULT_CATALOG)
    grids, kept, failed, seen = [], [], [], set()
    archives = {}
    try:
        for index, item in enumerate(items):
            # Items that show one model the same way (the default catalogue's coloured
            # light sources) are one shape.
            key = (os.path.basename(item["archive"]), item["member"], repr(item["rotation"]), tuple(item["size"]))
            if key in seen:
                continue
            seen.add(key)
            if item["archive"] not in archives:
                archives[item["archive"]] = zipfile.ZipFile(item["archive"])
            try:
                triangles = _load_triangles(archives[item["archive"]], item["member"])
            except (ValueError, IndexError, KeyError, TypeError, zipfile.BadZipFile) as error:
                # A missing or broken mesh is skipped, and reported.
                failed.append(f"{item['name']} ({error})")
                continue
            placed = furniture_triangles(triangles, item["rotation"], item["size"], resolution)
            grids.append(np.packbits(voxelize(placed, resolution).reshape(-1)))
            kept.append(item)
            if verbose and (index + 1) % 100 == 0:
                log(f"furniture: {index + 1} of {len(items)} items", verbose)
    finally:
        for archive in archives.values():
            archive.close()
    log(f"furniture: {len(kept)} shapes voxelised at {resolution}^3 from {len(items)} catalogue items; "
        f"skipped {len(failed)}: {'; '.join(failed) or 'none'}", verbose)
    if not kept:
        raise ValueError(f"Expected meshes in {catalogs + [application]}. Received: none that load.")
    names = [item["name"] for item in kept]
    return {
        "voxels": np.stack(grids),
        "resolution": np.array(resolution),
        "names": np.array(names),
        "titles": np.array([item["title"] for item in kept]),
        "categories": np.array([category_of(item["title"], item["group"]) for item in kept]),
        "groups": np.array([item["group"] for item in kept]),
        "splits": _splits(names),
    }


CONVERTERS = {
    "openmoji": convert_openmoji,
    "emoji": convert_emoji,
    "horse_zebra": convert_animal_mnist,
    "cjk_glyphs": convert_cjk_glyphs,
    "furniture": convert_furniture,
}


# ------------------------------------------------------------------- the cache


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
    with tempfile.TemporaryDirectory(prefix=f"kerasgan_{name}_") as directory:
        files = fetch(name, directory, verbose, source_dir, resolution)
        log(f"converting {', '.join(os.path.basename(file) for file in files)}", verbose)
        arrays = CONVERTERS[name](*files, verbose=verbose, **options)
    source = ", ".join(f"{client} {package}" for client, package, _ in SOURCES[name])
    save(path, arrays, source)
    log(f"{name}: wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB) in {time.time() - start:.0f} s", verbose)
    return path


def read_cache(name, resolution=None):
    """The cached arrays of a set, as a dict (prepared on first use)."""
    path = prepare(name, resolution=resolution)
    keys = DOMAIN_KEYS if name in DOMAIN_SETS else VOXEL_KEYS if name in VOXEL_SETS else PAIR_KEYS
    with np.load(path) as data:
        missing = [key for key in keys if key not in data.files]
        if missing:
            raise ValueError(
                f"Expected the arrays {list(keys)} in {path}. Received: a file without {missing}. "
                "Delete it to prepare the set again."
            )
        return {key: data[key] for key in keys}
