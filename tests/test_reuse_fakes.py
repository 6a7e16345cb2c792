"""GAN(reuse_fakes=True): one generator pass per step, the same update as drawing the
same latents twice."""

import keras
import numpy as np
import pytest
from helpers import tiny_images

import kerasgan
from kerasgan.networks import dcgan_discriminator, dcgan_generator

SHAPE, LATENT_DIM, BATCH = (16, 16, 1), 8, 4


def _latents(seed):
    return keras.ops.convert_to_tensor(np.random.default_rng(seed).standard_normal((BATCH, LATENT_DIM)).astype("float32"))


class _FixedLatents(kerasgan.models.GAN):
    """Draws the same latents every time: both updates of a step see the same fakes."""

    def sample_latents(self, batch_size):
        return _latents(1)


class _OtherLatentsOnTheSecondDraw(kerasgan.models.GAN):
    """The first draw of each step gives `_FixedLatents`'s latents, any later one others:
    it matches `_FixedLatents` only if a step draws once."""

    def prepare_batch(self, data):
        self.draws = 0
        return super().prepare_batch(data)

    def sample_latents(self, batch_size):
        self.draws += 1
        return _latents(1 if self.draws == 1 else 2)


def _gan(cls=_FixedLatents, **options):
    keras.utils.set_random_seed(0)
    gan = cls(
        dcgan_generator(SHAPE, LATENT_DIM, base_filters=4), dcgan_discriminator(SHAPE, base_filters=4), seed=0, **options
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-2, beta_1=0.5), g_optimizer=keras.optimizers.Adam(1e-2, beta_1=0.5)
    )
    return gan


@pytest.mark.parametrize("options", [{}, {"gradient_penalty_weight": 1.0, "loss": "wasserstein"}, {"feature_matching": True}])
def test_reusing_the_fakes_gives_the_update_of_the_same_latents_drawn_twice(options):
    images = tiny_images(SHAPE, n=BATCH)
    reference = _gan(**options)
    reusing = _gan(_OtherLatentsOnTheSecondDraw, reuse_fakes=True, **options)
    drawing_twice = _gan(_OtherLatentsOnTheSecondDraw, **options)
    for model in (reference, reusing, drawing_twice):
        model.fit(images, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)

    def weights(model):
        return [keras.ops.convert_to_numpy(w) for w in model.discriminator.trainable_weights + model.generator.trainable_weights]

    for expected, actual in zip(weights(reference), weights(reusing)):
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)
    assert int(reusing.g_optimizer.iterations) == 2
    # Without reuse the generator update draws other latents: the check tells them apart.
    assert not all(np.allclose(a, b, rtol=1e-4, atol=1e-5) for a, b in zip(weights(reference), weights(drawing_twice)))


def test_reuse_fakes_trains_a_preset_and_saves_the_option(tmp_path):
    gan = kerasgan.presets.dcgan(image_shape=SHAPE, latent_dim=LATENT_DIM, base_filters=4, seed=0)
    gan = kerasgan.models.GAN.from_config({**gan.get_config(), "reuse_fakes": True})
    gan.compile()
    before = [w.copy() for w in gan.generator.get_weights()]
    history = gan.fit(tiny_images(SHAPE, n=8), batch_size=4, epochs=1, verbose=0)
    assert all(np.isfinite(history.history[key][-1]) for key in ("d_loss", "g_loss"))
    assert any(not np.allclose(a, b) for a, b in zip(before, gan.generator.get_weights()))
    gan.save(tmp_path / "gan.keras")
    assert keras.models.load_model(tmp_path / "gan.keras").reuse_fakes is True


def test_reuse_fakes_needs_one_discriminator_step():
    with pytest.raises(ValueError, match="reuse_fakes shares one batch of fakes .* expected d_steps=1. Received: d_steps=5"):
        _gan(reuse_fakes=True, d_steps=5)
