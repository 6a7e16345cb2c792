"""Folders of image files: which files the folder loaders read, and what they hold.

- `list_images(directory, labels)`: the image files of a folder and its sub-folders
  (with `labels`, one class per sub-folder, or the classes a label file gives), as
  `from_folder` reads them.
- `list_named_images(directory, what)`: `{name without extension: path}` of a flat
  folder, as the paired and two-domain folder loaders match them.
- `inspect_folder`, `inspect_pair_folders`, `inspect_domain_folders`: what a folder
  holds (counts, sizes, colour, classes, unmatched names), from the image headers only,
  printed by `kerasgan train --data-dir` before it trains.
- `choose_image_size`: a training size from what the folder holds.
"""

import collections
import csv
import dataclasses
import os

import numpy as np

from kerasgan.datasets.pixels import FITS, IMAGE_EXTENSIONS, check_fit

# Headers read at most per folder: an even sample beyond it (reading 10,000 headers
# takes about a second; a folder of 200,000 images would take twenty).
MAX_SCAN = 10_000
# The largest side `choose_image_size` picks unless told: the presets are sized for
# 28-64 px, which trains in minutes; more is a deliberate choice (`image_size`).
LARGEST_DEFAULT_SIZE = 64

_GREY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "I;16N", "F")
_EXTENSIONS = ", ".join(extension[1:] for extension in IMAGE_EXTENSIONS)


def _is_image(name):
    return name.lower().endswith(IMAGE_EXTENSIONS) and not name.startswith(".")


def _check_folder(directory, what):
    if not os.path.isdir(directory):
        state = "a file" if os.path.exists(directory) else "not a folder"
        raise ValueError(f"Expected {what} to be a folder of images. Received: {what}={directory!r}, which is {state}.")


def read_label_file(path, directory):
    """`(paths, class_ids, class_names)` from a CSV label file of the images in `directory`.

    The file has a header row `file,label`, then one row per image: its path relative
    to `directory` and its class. Class names are sorted (ids from 0); labels that are
    exactly the integers 0..K-1 are the ids themselves. Images of `directory` the file
    does not list are not read.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ValueError(f"Expected labels to be True, False or a CSV label file. Received: labels={path!r}, which is not a file.")
    with open(path, newline="", encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    if not rows or [cell.strip().lower() for cell in rows[0]] != ["file", "label"]:
        raise ValueError(f"Expected a label file whose first row is the header `file,label`. Received: {rows[0] if rows else 'an empty file'} in {path!r}.")
    files, names, seen = [], [], set()
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise ValueError(f"Expected two cells, `file,label`, on line {line} of {path!r}. Received: {row}.")
        # Either slash, and `./`, name the same file: one spelling per file.
        name, label = os.path.normpath(row[0].strip().replace("\\", "/")), row[1].strip()
        if os.path.isabs(name) or name.split(os.sep)[0] == "..":
            raise ValueError(f"Expected paths inside the folder in {path!r}. Received: {row[0]!r} on line {line}.")
        if name in seen:
            raise ValueError(f"Expected each file once in {path!r}. Received: {name!r} again on line {line}.")
        seen.add(name)
        files.append(name)
        names.append(label)
    if not files:
        raise ValueError(f"Expected at least one `file,label` row in {path!r}. Received: the header only.")
    missing = [name for name in files if not (_is_image(os.path.basename(name)) and os.path.isfile(os.path.join(directory, name)))]
    if missing:
        raise ValueError(
            f"Expected every file of the label file {path!r} to be an image ({_EXTENSIONS}) in {directory!r}. "
            f"Received: {len(missing)} missing or not images, such as {missing[:3]}. The paths are relative to the folder."
        )
    ids = {int(label) for label in names if label.isascii() and label.isdigit()}
    if len(ids) == len(set(names)) and ids == set(range(len(ids))):  # the ids 0..K-1 themselves
        class_ids = [int(label) for label in names]
        class_names = [str(index) for index in range(len(ids))]
    else:
        class_names = sorted(set(names))
        class_ids = [class_names.index(label) for label in names]
    return [os.path.join(directory, name) for name in files], class_ids, class_names


def list_images(directory, labels=False):
    """The image files a folder loader reads, in a fixed order.

    Args:
        directory: str. The folder; its sub-folders are read too.
        labels: bool or str. True: each sub-folder is a class (sorted names, ids from
            0), and images directly in `directory` are not read. A path: a CSV label
            file (`read_label_file`), for images not split into folders. Defaults to
            False.

    Returns:
        `(paths, class_ids, class_names, ignored)`: lists of paths and of int ids (None
        without labels), the class names, and the number of images not read.
    """
    directory = os.fspath(directory)
    _check_folder(directory, "directory")
    if isinstance(labels, (str, os.PathLike)):
        paths, class_ids, class_names = read_label_file(labels, directory)
        unlisted = set(list_images(directory)[0]) - set(paths)
        return paths, class_ids, class_names, len(unlisted)
    loose = sorted(entry.name for entry in os.scandir(directory) if entry.is_file() and _is_image(entry.name))
    if labels:
        class_names = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir() and not entry.name.startswith("."))
        if not class_names:
            raise ValueError(
                f"With labels, each sub-folder of the directory is a class. Received: {directory!r} with no "
                f"sub-folders ({len(loose)} images directly in it). Put each class's images in a sub-folder."
            )
        roots = [(os.path.join(directory, name), index) for index, name in enumerate(class_names)]
    else:
        class_names, roots = [], [(directory, None)]
    paths, class_ids = [], []
    for root, class_id in roots:
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
            for name in sorted(names):
                if _is_image(name):
                    paths.append(os.path.join(folder, name))
                    class_ids.append(class_id)
    if not paths:
        raise ValueError(f"Expected image files ({_EXTENSIONS}) in {directory!r}. Received: none.")
    return paths, (class_ids if labels else None), class_names, (len(loose) if labels else 0)


def list_named_images(directory, what):
    """`{file name without extension: path}` of the image files of a flat folder, sorted."""
    directory = os.fspath(directory)
    _check_folder(directory, what)
    files = {}
    for file in sorted(os.listdir(directory)):
        stem = os.path.splitext(file)[0]
        if not _is_image(file) or not os.path.isfile(os.path.join(directory, file)):
            continue
        if stem in files:
            raise ValueError(
                f"Expected one image per name in {what}. Received: {os.path.basename(files[stem])!r} and "
                f"{file!r} in {directory!r}."
            )
        files[stem] = os.path.join(directory, file)
    if not files:
        raise ValueError(f"Expected image files ({_EXTENSIONS}) in {what}. Received: none in {directory!r}.")
    return files


def _colour(image):
    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    grey = image.mode in _GREY_MODES
    return ("grey" if grey else "RGB") + ("A" if alpha and not grey else "+alpha" if alpha else "")


def _scan(paths):
    """`(sizes, colours, scanned)`: Counters of `(width, height)` and of colour kinds over
    the headers of `paths`, or of an even sample of `MAX_SCAN` of them."""
    from PIL import Image, UnidentifiedImageError

    if len(paths) > MAX_SCAN:
        paths = [paths[index] for index in np.unique(np.linspace(0, len(paths) - 1, MAX_SCAN).round().astype(int))]
    sizes, colours = collections.Counter(), collections.Counter()
    for path in paths:
        try:
            with Image.open(path) as image:  # the header only: no pixels are decoded
                sizes[image.size] += 1
                colours[_colour(image)] += 1
        except (UnidentifiedImageError, OSError) as error:
            raise ValueError(
                f"Expected readable image files. Received: {path!r}, which is not a readable image "
                f"({error}). Remove or replace it."
            ) from None
    return sizes, colours, len(paths)


def _counted(counter):
    """`"all RGB"` or `"150 RGB, 50 grey"`."""
    if len(counter) == 1:
        return f"all {next(iter(counter))}"
    return ", ".join(f"{count:,} {kind}" for kind, count in counter.most_common())


@dataclasses.dataclass
class FolderReport:
    """What a folder of images holds, from the image headers (no pixels decoded).

    Attributes:
        path: str. The folder.
        count: int. Image files the loader reads.
        scanned: int. Headers read: all of them, or an even sample of `MAX_SCAN`.
        sizes: Counter. `(width, height)` -> files, among those scanned.
        colours: Counter. "grey", "grey+alpha", "RGB" or "RGBA" -> files, among those
            scanned (palette images count as RGB).
        classes: dict. Class name -> files, with labels; else empty.
        ignored: int. With labels, the images not read: those directly in the folder
            (classes by sub-folder), or those the label file does not list.
        label_file: str or None. The CSV label file the classes come from, if any.
    """

    path: str
    count: int
    scanned: int
    sizes: collections.Counter
    colours: collections.Counter
    classes: dict = dataclasses.field(default_factory=dict)
    ignored: int = 0
    label_file: str = None

    @property
    def most_common_size(self):
        """`(width, height)` of the most images."""
        return self.sizes.most_common(1)[0][0]

    @property
    def channels(self):
        """1 when every scanned image is grey, else 3."""
        return 1 if all(kind.startswith("grey") for kind in self.colours) else 3

    @property
    def not_square(self):
        """Scanned images whose width and height differ."""
        return sum(count for (width, height), count in self.sizes.items() if width != height)

    def typical_side(self, fit="crop"):
        """The median side a square crop of the images has ("crop", "stretch"), or a
        padded square ("pad"): the side training at full detail would take."""
        check_fit(fit)
        side = max if fit == "pad" else min
        sides = np.sort(np.repeat([side(size) for size in self.sizes], list(self.sizes.values())))
        return int(sides[(len(sides) - 1) // 2])  # the lower median: a side some image has

    def lines(self, name=None):
        sample = f", headers of an even sample of {self.scanned:,}" if self.scanned < self.count else ""
        found = f"{self.count:,} image{'s' if self.count != 1 else ''}"
        lines = [f"{name}: {found}{sample}" if name else f"Found {found} in {self.path}{sample}."]
        if len(self.sizes) == 1:
            width, height = self.most_common_size
            lines.append(f"  size: all {width}x{height}")
        else:
            (width, height), most = self.sizes.most_common(1)[0]
            widths, heights = [size[0] for size in self.sizes], [size[1] for size in self.sizes]
            square = f"; {self.not_square:,} not square" if self.not_square else ""
            lines.append(
                f"  sizes: most common {width}x{height} ({most:,}); widths {min(widths)}-{max(widths)}, "
                f"heights {min(heights)}-{max(heights)}{square}"
            )
        lines.append(f"  colour: {_counted(self.colours)}")
        if self.classes:
            shown = ", ".join(f"{label} {count:,}" for label, count in list(self.classes.items())[:12])
            more = f", and {len(self.classes) - 12} more" if len(self.classes) > 12 else ""
            source = f"from {self.label_file}" if self.label_file else "sub-folders"
            lines.append(f"  classes: {len(self.classes)} {source}: {shown}{more}")
        if self.ignored:
            why = f"not in {self.label_file}" if self.label_file else "directly in the folder not read: the classes are its sub-folders"
            lines.append(f"  {self.ignored:,} image{'s' if self.ignored != 1 else ''} {why}")
        return lines

    def __str__(self):
        return "\n".join(self.lines())


def inspect_folder(directory, labels=False):
    """What a folder of images holds: count, sizes, colour and classes, as `from_folder`
    reads it. Only the image headers are read (an even sample of 10,000 in larger
    folders, said in the report); an unreadable file among them is an error.

    Args:
        directory: str. The folder.
        labels: bool. Count the classes (one per sub-folder). Defaults to False.

    Returns:
        `FolderReport`; `print(report)` gives a few lines.

    Example:

    ```python
    report = kerasgan.datasets.inspect_folder("shapes/")
    print(report)  # Found 200 images in shapes/. / size: all 32x32 / colour: all RGB
    report.count, report.most_common_size, report.channels  # 200, (32, 32), 3
    ```
    """
    return scan_folder(directory, labels)[0]


def scan_folder(directory, labels=False):
    """`(FolderReport, paths, class_ids)`: `inspect_folder` and `list_images` in one listing."""
    paths, class_ids, class_names, ignored = list_images(directory, labels)
    sizes, colours, scanned = _scan(paths)
    classes = {}
    if labels:
        counts = collections.Counter(class_ids)
        classes = {name: counts[index] for index, name in enumerate(class_names)}
    label_file = os.fspath(labels) if isinstance(labels, (str, os.PathLike)) else None
    report = FolderReport(os.fspath(directory), len(paths), scanned, sizes, colours, classes, ignored, label_file)
    return report, paths, class_ids


@dataclasses.dataclass
class FolderPairReport:
    """What two folders hold, for Pix2Pix (paired by name) or CycleGAN (two domains).

    Attributes:
        first, second: `FolderReport` of each folder (all their images).
        names: `(first, second)` names for the report, such as ("inputs", "targets").
        paired: bool. Images are matched by file name (Pix2Pix).
        unmatched_first, unmatched_second: file names without a match on the other
            side (paired only).
    """

    first: FolderReport
    second: FolderReport
    names: tuple
    paired: bool
    unmatched_first: list = dataclasses.field(default_factory=list)
    unmatched_second: list = dataclasses.field(default_factory=list)

    @property
    def count(self):
        """Items an epoch: matched pairs, or the larger domain (the smaller one repeats)."""
        if self.paired:
            return self.first.count - len(self.unmatched_first)
        return max(self.first.count, self.second.count)

    @property
    def channels(self):
        return max(self.first.channels, self.second.channels)

    @property
    def not_square(self):
        return self.first.not_square + self.second.not_square

    def typical_side(self, fit="crop"):
        return min(self.first.typical_side(fit), self.second.typical_side(fit))

    def lines(self):
        first, second = self.names
        if self.paired:
            head = f"Found {self.count:,} pairs in {self.first.path} and {self.second.path} (matched by file name)."
        else:
            head = (
                f"Found {self.first.count:,} images in {self.first.path} and {self.second.count:,} in "
                f"{self.second.path}; an epoch is {self.count:,}, the smaller domain repeated."
            )
        lines = [head]
        for name, report in ((first, self.first), (second, self.second)):
            lines += ["  " + line for line in report.lines(name)]
        for unmatched, here, there in ((self.unmatched_first, first, second), (self.unmatched_second, second, first)):
            if unmatched:
                shown = ", ".join(unmatched[:5]) + (f" and {len(unmatched) - 5} more" if len(unmatched) > 5 else "")
                lines.append(f"  {len(unmatched):,} {here} without a match in {there} (same name, any extension): {shown}")
        return lines

    def __str__(self):
        return "\n".join(self.lines())


def _folder_report(directory, what):
    paths = list(list_named_images(directory, what).values())
    sizes, colours, scanned = _scan(paths)
    return FolderReport(os.fspath(directory), len(paths), scanned, sizes, colours)


def inspect_pair_folders(input_dir, target_dir):
    """What two folders of paired images hold (as `from_pair_folders` reads them):
    counts, sizes and colour of each side, and the names without a match.

    Returns:
        `FolderPairReport`; `print(report)` gives a few lines.
    """
    report = FolderPairReport(
        _folder_report(input_dir, "input_dir"), _folder_report(target_dir, "target_dir"), ("inputs", "targets"), True
    )
    inputs, targets = list_named_images(input_dir, "input_dir"), list_named_images(target_dir, "target_dir")
    report.unmatched_first = [os.path.basename(path) for stem, path in inputs.items() if stem not in targets]
    report.unmatched_second = [os.path.basename(path) for stem, path in targets.items() if stem not in inputs]
    return report


def inspect_domain_folders(dir_a, dir_b):
    """What two folders of unpaired images hold (as `from_domain_folders` reads them).

    Returns:
        `FolderPairReport`; `print(report)` gives a few lines.
    """
    return FolderPairReport(_folder_report(dir_a, "dir_a"), _folder_report(dir_b, "dir_b"), ("a", "b"), False)


def choose_image_size(report, supports_size=None, fit="crop", largest=LARGEST_DEFAULT_SIZE):
    """`(side, reason)`: the square side to train at, from what a folder holds.

    The side the images have (`report.typical_side(fit)`), capped at `largest`, or the
    nearest the model builds: up to 15% larger (28 -> 32 for a power-of-two network,
    rather than halving to 16), else the largest below.

    Args:
        report: `FolderReport` or `FolderPairReport`.
        supports_size: callable `side -> bool` or None (any side >= 8): the sides the
            model builds (a preset's `supports_size`).
        fit: str. "crop", "pad" or "stretch", as the images will be read.
        largest: int. The largest side chosen. Defaults to 64.

    Returns:
        `(side, reason)`: an int and a phrase that says why.
    """
    check_fit(fit)
    typical = report.typical_side(fit)
    supports = supports_size or (lambda side: side >= 8)
    target = min(typical, largest)
    sides = [side for side in range(4, max(int(target * 1.15), 8) + 1) if supports(side)]
    above = [side for side in sides if target <= side <= target * 1.15]
    below = [side for side in sides if side <= target]
    kind = "longer" if fit == "pad" else "shorter"
    if above or below:
        side = min(above) if above else max(below)
    else:  # images smaller than anything the model builds
        side = next((side for side in range(8, 1025) if supports(side)), None)
        if side is None:
            raise ValueError("Expected a model that builds a square side from 8 to 1024 px. Received: supports_size accepting none.")
        return side, f"the smallest size the model builds; the images' typical {kind} side is {typical} px (enlarged)"
    if typical > largest:
        return side, f"the images' typical {kind} side is {typical} px; {largest} px is the largest chosen unless asked (slower above)"
    if side == typical:
        return side, f"the images' typical {kind} side"
    if side > typical:
        return side, f"the size the model builds nearest the images' typical {kind} side of {typical} px"
    return side, f"the largest size the model builds up to the images' typical {kind} side of {typical} px"


__all__ = [
    "FITS",
    "FolderPairReport",
    "FolderReport",
    "choose_image_size",
    "inspect_domain_folders",
    "inspect_folder",
    "inspect_pair_folders",
    "list_images",
    "list_named_images",
    "scan_folder",
]
