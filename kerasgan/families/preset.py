"""What every family's presets share: the `Preset` record and two small helpers."""

import collections

import keras

# build: the function that returns a compiled model; description: one line;
# data: what `fit` takes, "images", "labelled images", "pairs" (inputs, targets),
# "domains" (images_a, images_b) or "voxels" (occupancy grids); dataset: the default
# dataset of `kerasgan train`; batch_size: its default batch size; image_size: the side
# it resizes the default dataset's images to (None: keep them); supports_size: `side ->
# bool`, the square sides its networks build (None: any), from which `kerasgan train
# --data-dir` chooses a size for the user's images; tiny: the arguments of `build` for
# the tiny model the tests train (its shape given as image_shape or voxel_shape), so
# that the test suite covers every registered preset with no list of its own;
# ships_weights: whether the zoo ships trained weights for it (the papers' networks for
# a GPU do not: tens of millions of parameters, past the zoo's 40 MB, and untrained on
# the CPU the zoo is built on).
Preset = collections.namedtuple(
    "Preset",
    ["build", "description", "data", "dataset", "batch_size", "image_size", "supports_size", "tiny", "ships_weights"],
    defaults=(64, None, None, None, True),
)

# A pretrained model's recipe (scripts/build_zoo.py): the preset, the dataset and options
# of `kerasgan train`, the preset's build arguments (the shapes the CLI built it for),
# what the data is, and the check of the shipped weights that tests/test_pretrained.py
# repeats.
Recipe = collections.namedtuple("Recipe", ["preset", "dataset", "train_options", "build", "data", "check"])

# The check of a generator of MNIST-like images: classifier FD of 2,000 samples. Samples
# come from numpy-seeded latents, so the backends agree to about 1e-6.
CLASSIFIER_FD_CHECK = {"metric": "cfd", "num_samples": 2000, "rtol": 0.005}

DATA_KINDS = ("images", "labelled images", "pairs", "domains", "voxels")


def adam(learning_rate, beta_1=0.5, beta_2=0.999):
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2)


def seeded(seed):
    """Seeds Python, NumPy and the backend when `seed` is set, so that the networks
    built next get the same initial weights in every process."""
    if seed is not None:
        keras.utils.set_random_seed(seed)
