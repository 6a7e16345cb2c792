"""Under a mixed-precision policy, losses and penalties run in float32 and samples come
back as float32 (the rest of issue 10's mixed-precision work is still open)."""

import keras
import numpy as np
import pytest

import kerasgan


@pytest.fixture
def mixed_bfloat16():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    yield
    keras.mixed_precision.set_global_policy("float32")


BUILDERS = {
    # The gradient penalty crashed with a bfloat16 / float32 dtype error here.
    "wgan_gp": (lambda: kerasgan.presets.wgan_gp(image_shape=(28, 28, 1), latent_dim=8, base_filters=4, seed=0), (28, 28, 1)),
    "stylegan": (
        lambda: kerasgan.presets.stylegan(image_shape=(8, 8, 3), latent_dim=8, w_dim=8, channel_base=64, channel_max=8, r1_interval=1, seed=0),
        (8, 8, 3),
    ),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_training_under_mixed_bfloat16_has_finite_float32_losses_and_samples(name, mixed_bfloat16):
    build, shape = BUILDERS[name]
    gan = build()
    images = np.random.default_rng(0).uniform(-1, 1, (8, *shape)).astype("float32")
    history = gan.fit(images, batch_size=4, epochs=1, verbose=0)
    for key, values in history.history.items():
        assert np.isfinite(values[-1]), (key, values)
    samples = gan.generate(3, seed=0)
    assert samples.dtype == np.float32 and samples.shape == (3, *shape)
