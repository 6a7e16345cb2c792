"""The voxel set "furniture": the Sweet Home 3D furniture catalogues, voxelised.

Debian `sweethome3d-furniture` 1.8 (five `.sh3f` catalogues: Blend Swap CC-0 models,
CC0; Blend Swap CC-BY, Kator Legaz, Reallusion and Scopia models, CC-BY-3.0 (Kator
Legaz and Reallusion: CC-BY-3.0-US), as Debian's copyright file lists them) and the
default catalogue inside `sweethome3d.jar` of Debian `sweethome3d` 7.0.2 (models by
eTeks, GPL-2+; the catalogue says "GNU GPL / CC-BY 3.0"). Each OBJ mesh is loaded
with trimesh, rotated by its `modelRotation`, sized to its catalogue width x height x
depth (as Sweet Home 3D shows it), scaled uniformly so that its largest extent spans
the grid, and voxelised with its interior filled (`voxelize`). Cached per resolution
as `furniture_<resolution>.npz`, packed bits.
"""

import glob
import io
import os
import re
import zipfile

import numpy as np

from kerasgan.datasets.sources.common import Source, log, splits_of
from kerasgan.datasets.sources.fetch import Package
from kerasgan.datasets.sources.voxelize import voxelize

DEFAULT_CATALOG = "com/eteks/sweethome3d/io/DefaultFurnitureCatalog.properties"
PLUGIN_CATALOG = "PluginFurnitureCatalog.properties"
# The resolutions a furniture cache is prepared at (the voxel sets' `resolution=`).
VOXEL_RESOLUTIONS = (32, 64)
DEFAULT_RESOLUTION = 32

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


def _load_triangles(archive, member):
    """The triangles `(f, 3, 3)` of an OBJ member of a zip (geometry only)."""
    import trimesh

    mesh = trimesh.load_mesh(io.BytesIO(archive.read(member)), file_type="obj", skip_materials=True, process=False)
    vertices, faces = np.asarray(mesh.vertices, np.float64), np.asarray(mesh.faces, np.int64)
    if faces.size == 0:
        raise ValueError("Expected triangles in the mesh. Received: a mesh without faces.")
    return vertices[faces]


def place_in_grid(triangles, rotation, size, resolution):
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


def convert(furniture, application, verbose=False, resolution=DEFAULT_RESOLUTION):
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
            placed = place_in_grid(triangles, item["rotation"], item["size"], resolution)
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
        "splits": splits_of(names),
    }


SOURCE = Source(
    name="furniture",
    kind="voxels",
    description=(
        "Sweet Home 3D furniture, voxelised solid, y up, 32^3 (64^3 on request): 912 shapes (845 train, "
        "67 test): chair 70, table 54, cabinet 47, plant 45, lamp 38, character 37, window 33, vehicle 28, "
        "bed 26, sofa 26, door 25, bench 6, staircase 5, other 472"
    ),
    packages=(
        Package("apt", "sweethome3d-furniture", "sweethome3d-furniture_*.deb",
                "/usr/share/sweethome3d/furniture", (".sh3f",), "folder"),
        Package("apt", "sweethome3d", "sweethome3d_*.deb",
                "/usr/share/sweethome3d/sweethome3d.jar", ("/sweethome3d.jar",), "file"),
    ),
    convert=convert,
)
