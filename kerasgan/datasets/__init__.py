"""Training data for GANs: float32 images in [-1, 1], batched as tf.data pipelines.

- `pixels`: the pixel convention (`to_unit_range`, `to_uint8`, `fit_image`: crop, pad
  or stretch to the training size), in one place.
- `images`: single images, by name (`load`), from arrays or a folder.
- `folders`: which files the folder loaders read, and what a folder holds
  (`inspect_folder`, `inspect_pair_folders`, `inspect_domain_folders`,
  `choose_image_size`).
- `pairs`: paired images (`load_pairs`, Pix2Pix) and two domains (`load_domains`,
  CycleGAN), by name, from arrays or folders.
- `voxels`: voxel grids for 3-D GANs (`load_voxels`, `voxel_arrays`,
  `from_voxel_arrays`): float32 occupancies in {0, 1}, not images.
- `sources`: the named paired, two-domain and voxel sets, one module per set (its
  packages, licences and converter), fetched (`sources.fetch`), converted and cached
  once (`prepare`).
"""

from kerasgan.datasets.folders import (
    FITS,
    FolderPairReport,
    FolderReport,
    choose_image_size,
    inspect_domain_folders,
    inspect_folder,
    inspect_pair_folders,
)
from kerasgan.datasets.images import (
    BUNDLED,
    from_arrays,
    from_folder,
    load,
    load_mnist_sample,
)
from kerasgan.datasets.pairs import (
    DOMAIN_SETS,
    PAIR_SETS,
    from_domain_arrays,
    from_domain_folders,
    from_pair_arrays,
    from_pair_folders,
    load_domains,
    load_pairs,
    prepare,
)
from kerasgan.datasets.pixels import composite_on_white, to_uint8, to_unit_range
from kerasgan.datasets.voxels import (
    VOXEL_SETS,
    from_voxel_arrays,
    load_voxels,
    voxel_arrays,
)

__all__ = [
    "BUNDLED",
    "DOMAIN_SETS",
    "FITS",
    "FolderPairReport",
    "FolderReport",
    "PAIR_SETS",
    "VOXEL_SETS",
    "choose_image_size",
    "composite_on_white",
    "from_arrays",
    "from_domain_arrays",
    "from_domain_folders",
    "from_folder",
    "from_pair_arrays",
    "from_pair_folders",
    "from_voxel_arrays",
    "inspect_domain_folders",
    "inspect_folder",
    "inspect_pair_folders",
    "load",
    "load_domains",
    "load_mnist_sample",
    "load_pairs",
    "load_voxels",
    "prepare",
    "to_uint8",
    "to_unit_range",
    "voxel_arrays",
]
