"""Small factories and checks shared by the tests (imported as `helpers`; pytest puts
tests/ on sys.path)."""

import os

import numpy as np
import pytest

import kerasgan
from kerasgan.networks import (
    dcgan_discriminator,
    dcgan_generator,
    mlp_discriminator,
    mlp_generator,
)

DCGAN_SHAPE = (16, 16, 1)
MLP_SHAPE = (8, 8, 1)
LATENT_DIM = 8


def tiny_gan(kind="mlp", image_shape=None, latent_dim=LATENT_DIM, batch_norm=True, **kwargs):
    """A tiny, uncompiled `kerasgan.GAN`.

    kind="mlp": MLP networks, image_shape (8, 8, 1) and one hidden layer of 16 units.
    kind="dcgan": DCGAN networks, image_shape (16, 16, 1) and base_filters=4.
    Other keyword arguments go to `kerasgan.GAN`.
    """
    if kind == "mlp":
        image_shape = tuple(image_shape or MLP_SHAPE)
        generator = mlp_generator(image_shape, latent_dim=latent_dim, hidden_units=(16,))
        discriminator = mlp_discriminator(image_shape, hidden_units=(16,))
    elif kind == "dcgan":
        image_shape = tuple(image_shape or DCGAN_SHAPE)
        generator = dcgan_generator(image_shape, latent_dim=latent_dim, base_filters=4)
        discriminator = dcgan_discriminator(image_shape, base_filters=4, normalization="batch" if batch_norm else None)
    else:
        raise ValueError(f"Unknown kind {kind!r}")
    return kerasgan.GAN(generator, discriminator, **kwargs)


def trainable_count(network):
    """The number of trainable parameters of a network, as the papers' code prints it."""
    return sum(int(np.prod(weight.shape)) for weight in network.trainable_weights)


def random_images(n, image_shape=MLP_SHAPE, seed=0):
    """`n` float32 images uniform in [-1, 1]."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, size=(n, *image_shape)).astype("float32")


# ---- prepared data: skip locally, fail in CI ---------------------------------------------

REQUIRE_DATA = "KERASGAN_REQUIRE_DATA"


def require_prepared(available, what, how):
    """Skips the test, saying why, unless `available`; fails it instead when the
    environment variable KERASGAN_REQUIRE_DATA=1 says the data must be there (CI sets
    it after preparing the data, so a missing dataset is a CI failure, not a skip).

    Args:
        available: bool. Whether the data or weights are present.
        what: str. What is missing, and where it was looked for.
        how: str. The command that prepares it.
    """
    if available:
        return
    message = f"{what}; run `{how}` to prepare it"
    if os.environ.get(REQUIRE_DATA, "").strip() not in ("", "0"):
        pytest.fail(f"{REQUIRE_DATA}=1 but {message}.", pytrace=False)
    pytest.skip(message)


def require_tfds_dataset(name):
    """The real `name` ("mnist", "fashion_mnist") prepared in tfds's data dir (no download)."""
    import tensorflow_datasets as tfds

    builder = tfds.builder(name)  # looks for the prepared files on disk only
    require_prepared(
        builder.is_prepared(),
        f"the real {name!r} is not prepared in {builder.data_dir_root}",
        "python scripts/prepare_offline_data.py",
    )


def require_fid_weights():
    """The converted FID Inception weights in kerasgan's cache (no download)."""
    from kerasgan.metrics import inception

    path = os.path.join(inception.cache_dir(), inception.WEIGHTS_FILE)
    require_prepared(os.path.exists(path), f"the FID Inception weights are not in {path}", "python -m kerasgan.metrics")


# ---- learning checks on point clouds -------------------------------------------------------


def mode_shares(samples, centres, radius):
    """The fraction of `samples` within `radius` of each of `centres` (one per centre)."""
    samples, centres = np.asarray(samples, np.float64), np.asarray(centres, np.float64)
    distances = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=-1)
    nearest = distances.argmin(axis=1)
    near = distances.min(axis=1) < radius
    return np.array([np.mean(near & (nearest == k)) for k in range(len(centres))])


def assert_covers_every_mode(samples, centres, radius, min_fair_share=0.5):
    """Asserts that each of the k modes gets at least `min_fair_share` of its fair share
    (1/k) of the samples within `radius` of it: a generator collapsed onto some modes,
    or spread between them, fails even when its mean and spread match the data's."""
    shares = mode_shares(samples, centres, radius)
    floor = min_fair_share / len(centres)
    assert np.all(shares >= floor), (
        f"Expected at least {floor:.3f} of the samples within {radius} of every mode. "
        f"Received: shares {np.round(shares, 3).tolist()}"
    )


def energy_distance(samples, data):
    """Energy distance `2E|X-Y| - E|X-X'| - E|Y-Y'|` between two point clouds: zero only
    for equal distributions; it weighs location and spread alike."""
    samples, data = np.asarray(samples, np.float64), np.asarray(data, np.float64)

    def mean_distance(a, b):
        return float(np.linalg.norm(a[:, None, :] - b[None, :, :], axis=-1).mean())

    return 2 * mean_distance(samples, data) - mean_distance(samples, samples) - mean_distance(data, data)


# ---- metrics computed directly, to check the pipelines against ----------------------------


def frechet_distance_of(features_1, features_2):
    """The Frechet distance of two feature sets by the textbook formula, in numpy:
    `|mu1 - mu2|^2 + tr(C1) + tr(C2) - 2 tr(sqrtm(C1 C2))`, unbiased covariances.

    tr(sqrtm(C1 C2)) is the sum of the square roots of the eigenvalues of C1 C2 (real
    and >= 0 for covariances), which stays accurate when C1 C2 is singular.
    """
    features_1, features_2 = np.asarray(features_1, np.float64), np.asarray(features_2, np.float64)
    mean_1, mean_2 = features_1.mean(axis=0), features_2.mean(axis=0)
    covariance_1, covariance_2 = np.cov(features_1, rowvar=False), np.cov(features_2, rowvar=False)
    eigenvalues = np.linalg.eigvals(covariance_1 @ covariance_2).real
    trace_root = np.sqrt(np.clip(eigenvalues, 0, None)).sum()
    return float(np.sum((mean_1 - mean_2) ** 2) + np.trace(covariance_1) + np.trace(covariance_2) - 2 * trace_root)


def kernel_distance_of(real_features, fake_features):
    """Unbiased MMD^2 with the KID kernel `(x.y / d + 1)^3` over the whole sets (what KID
    averages over subsets; a subset of the whole set's size gives exactly this)."""
    x, y = np.asarray(real_features, np.float64), np.asarray(fake_features, np.float64)
    m, n, dim = len(x), len(y), x.shape[1]
    k_xx, k_yy, k_xy = ((a @ b.T / dim + 1) ** 3 for a, b in ((x, x), (y, y), (x, y)))
    return float(
        (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1)) + (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1)) - 2 * k_xy.mean()
    )


# ---- learning on one 2-D Gaussian -----------------------------------------------------

TARGET_MEAN, TARGET_STD = np.array([0.5, -0.3], "float32"), 0.1


def train_on_one_gaussian(gan_options, d_optimizer, g_optimizer, epochs=20):
    """Trains an MLP GAN (16-16 units, seed 1337) with `gan_options` on 1,024 points of
    N(TARGET_MEAN, TARGET_STD^2), one Gaussian away from where the untrained generator
    puts its samples. Returns `(energy distance before, after, samples after)`."""
    import keras

    rng = np.random.default_rng(1337)
    data = (TARGET_MEAN + TARGET_STD * rng.standard_normal((1024, 2))).astype("float32")
    keras.utils.set_random_seed(1337)
    gan = kerasgan.GAN(
        mlp_generator((2,), latent_dim=2, hidden_units=(16, 16)),
        mlp_discriminator((2,), hidden_units=(16, 16)),
        seed=1337,
        **gan_options,
    )
    gan.compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer)
    before = energy_distance(gan.generate(1024, seed=0), data)
    gan.fit(data, batch_size=64, epochs=epochs, verbose=0)
    samples = gan.generate(1024, seed=0)
    return before, energy_distance(samples, data), samples


# ---- every preset, tiny ------------------------------------------------------------------


def tiny_images(shape, n=8, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype("float32")


def _labels(n=8):
    return (np.arange(n) % 10).astype("int32")


def tiny_data(preset, shape=None, n=8):
    """Random training data of the kind `preset` trains on, `n` examples of `shape`
    (default: the shape `preset.tiny` builds): the arguments `fit` takes."""
    if preset.data == "voxels":
        return ((tiny_images(shape or preset.tiny["voxel_shape"], n) > 0).astype("float32"),)
    shape = shape or preset.tiny["image_shape"]
    if preset.data == "labelled images":
        return tiny_images(shape, n), _labels(n)
    if preset.data in ("pairs", "domains"):
        return tiny_images(shape, n), tiny_images(shape, n, seed=1)
    return (tiny_images(shape, n),)


# The presets whose code is their own: the papers' GPU networks (pix2pix_256,
# cyclegan_256, ...) are their family's code at other sizes, so the heavy generic checks
# (mixed precision, backup and restore) run once per code path and the papers' presets
# get a few steps and a save/load as slow tests (their counts: tests/test_image_to_image.py).
OWN_CODE_PRESETS = tuple(name for name, preset in kerasgan.presets.PRESETS.items() if preset.ships_weights)

# Every registered preset at its tiny size (Preset.tiny): name -> (build, fit arguments).
# For checks of what trains (dtypes, XLA), not of sample quality.
TINY_PRESETS = {
    name: (lambda name=name, preset=preset: kerasgan.presets.get(name, seed=0, **preset.tiny), lambda preset=preset: tiny_data(preset))
    for name, preset in kerasgan.presets.PRESETS.items()
}
