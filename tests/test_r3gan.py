"""R3GAN (Huang et al. 2024): its resampling, fix-up blocks, paper-size network, the
relativistic loss with R1 + R2 covering every mode of a 2-D mixture, saving and resuming."""

import keras
import numpy as np
import pytest
from helpers import assert_covers_every_mode, mode_shares, random_images

import kerasgan
from kerasgan import losses
from kerasgan.families.r3gan.layers import Resample
from kerasgan.families.r3gan.networks import base_side, supports_size
from kerasgan.networks import mlp_discriminator, mlp_generator, r3gan_discriminator, r3gan_generator


def _np(tensor):
    return keras.ops.convert_to_numpy(tensor)


def test_resampling_is_the_1331_filter_with_zeros_beyond_the_border():
    x = np.arange(1.0, 5.0, dtype="float32")  # 1 2 3 4 along the width, one row
    image = np.broadcast_to(x[None, None, :, None], (1, 1, 4, 1)).copy()
    # Up along the width: y[2i] = x[i-1]/4 + 3x[i]/4, y[2i+1] = 3x[i]/4 + x[i+1]/4, x[-1] = x[4] = 0.
    padded = np.concatenate([[0.0], x, [0.0]])
    up = np.stack([0.25 * padded[:-2] + 0.75 * x, 0.75 * x + 0.25 * padded[2:]], axis=1).reshape(-1)
    # Along the height (one row): 0.75 * row on each of the two new rows.
    expected_up = np.stack([0.75 * up, 0.75 * up])
    np.testing.assert_allclose(_np(Resample("up")(image))[0, :, :, 0], expected_up, rtol=1e-6)
    # Down along the width: y[j] = (x[2j-1] + 3x[2j] + 3x[2j+1] + x[2j+2]) / 8.
    square = np.broadcast_to(x[None, None, :, None], (1, 4, 4, 1)).copy()
    across = np.array([(0 + 3 * 1 + 3 * 2 + 3) / 8, (2 + 3 * 3 + 3 * 4 + 0) / 8])
    # Along the height, constant rows: (0 + 3 + 3 + 1)/8 = 7/8 at the top, (1 + 3 + 3 + 0)/8 at the bottom.
    expected_down = np.array([[7 / 8], [7 / 8]]) * across[None, :]
    np.testing.assert_allclose(_np(Resample("down")(square))[0, :, :, 0], expected_down, rtol=1e-6)
    with pytest.raises(ValueError, match="direction 'up' or 'down'"):
        Resample("sideways")


def test_sizes_halve_to_a_base_of_4_to_7_pixels():
    assert [base_side(side) for side in (28, 32, 48, 64, 14)] == [7, 4, 6, 4, 7]
    assert [side for side in range(4, 70) if supports_size(side)] == [8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64]
    with pytest.raises(ValueError, match=r"halves to 4-7 px.*Received: image_shape=\(30, 30, 1\)"):
        r3gan_generator((30, 30, 1))


def test_every_block_starts_as_the_identity():
    generator = r3gan_generator((16, 16, 1), latent_dim=8, base_width=16, max_width=32)
    projections = [layer for layer in generator.layers if layer.name.endswith("_project")]
    assert len(projections) == 3 and all(np.all(_np(layer.kernel) == 0) for layer in projections)
    # So the untrained network is linear in its latent.
    latents = np.random.default_rng(0).standard_normal((2, 8)).astype("float32")
    out = lambda z: _np(generator(z, training=True))  # unclipped
    np.testing.assert_allclose(out(2.0 * latents), 2.0 * out(latents), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(out(latents[:1] + latents[1:]), out(latents[:1]) + out(latents[1:]), rtol=1e-4, atol=1e-6)


def test_samples_are_clipped_to_the_image_range_outside_training():
    generator = r3gan_generator((8, 8, 1), latent_dim=8, base_width=16, max_width=16)
    latents = 50.0 * np.random.default_rng(0).standard_normal((4, 8)).astype("float32")
    raw = _np(generator(latents, training=True))
    assert raw.max() > 1.0 or raw.min() < -1.0  # the linear output overshoots at this scale
    np.testing.assert_array_equal(_np(generator(latents)), np.clip(raw, -1.0, 1.0))


def test_the_papers_cifar10_network_has_its_parameter_count():
    # base_width = max_width = 768, 2 blocks a stage, cardinality 96 (16 channels a
    # group): 20.73 M and 20.68 M parameters, as counted from brownvc/R3GAN's
    # Networks.py (G: basis 768*16 + 64*768, 8 blocks, 1x1 to RGB; D: its mirror).
    generator = r3gan_generator((32, 32, 3), 64, base_width=768, max_width=768, blocks_per_stage=2)
    discriminator = r3gan_discriminator((32, 32, 3), base_width=768, max_width=768, blocks_per_stage=2)
    block = 768 * 1536 + 1536 + 1536 * 16 * 9 + 1536 + 1536 * 768
    assert generator.count_params() == 768 * 16 + 64 * 768 + 8 * block + 768 * 3 == 20_732_160
    assert discriminator.count_params() == 3 * 768 + 8 * block + 768 * 16 + 768 == 20_683_776


def test_preset_composes_the_relativistic_loss_with_r1_and_r2():
    gan = kerasgan.presets.r3gan(image_shape=(28, 28, 1), seed=0)
    assert gan.loss_name == "relativistic"
    assert gan.penalties == [losses.R1(5.0), losses.R2(5.0)]
    assert gan.d_optimizer.beta_1 == 0.0 and gan.g_optimizer.beta_1 == 0.0
    assert gan.image_shape == (28, 28, 1) and gan.ema_generator is not None


CENTRES = np.array([[0.5, 0.5], [0.5, -0.5], [-0.5, 0.5], [-0.5, -0.5]], "float32")
MODE_STD = 0.05


def test_relativistic_pairing_with_r1_and_r2_covers_every_mode_of_a_2d_mixture():
    rng = np.random.default_rng(1337)
    data = (CENTRES[rng.integers(0, 4, 2048)] + MODE_STD * rng.standard_normal((2048, 2))).astype("float32")
    keras.utils.set_random_seed(1337)
    gan = kerasgan.GAN(
        mlp_generator((2,), latent_dim=2, hidden_units=(32, 32)),
        mlp_discriminator((2,), hidden_units=(32, 32)),
        loss="relativistic",
        penalties=[losses.R1(0.1), losses.R2(0.1)],
        seed=1337,
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.0, beta_2=0.99),
        g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.0, beta_2=0.99),
    )
    untrained = gan.generate(2048, seed=0)
    with pytest.raises(AssertionError):
        assert_covers_every_mode(untrained, CENTRES, 4 * MODE_STD)
    gan.fit(data, batch_size=64, epochs=20, verbose=0)
    samples = gan.generate(2048, seed=0)
    print("mode shares", mode_shares(samples, CENTRES, 4 * MODE_STD))
    assert_covers_every_mode(samples, CENTRES, 4 * MODE_STD)


def test_save_load_and_resume_give_the_same_training(tmp_path):
    images = random_images(16, (8, 8, 1))
    build = lambda: kerasgan.presets.r3gan(**kerasgan.presets.PRESETS["r3gan"].tiny, seed=0)
    straight = build()
    straight.fit(images, batch_size=4, epochs=2, shuffle=False, verbose=0)
    first = build()
    first.fit(images, batch_size=4, epochs=1, shuffle=False, verbose=0)
    path = str(tmp_path / "r3gan.keras")
    first.save(path)
    resumed = keras.models.load_model(path)
    assert resumed.penalties == first.penalties and resumed.loss_name == "relativistic"
    np.testing.assert_array_equal(_np(resumed.d_optimizer.iterations), 4)
    resumed.fit(images, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for got, want in zip(resumed.generator.get_weights(), straight.generator.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(resumed.generate(4, seed=0), straight.generate(4, seed=0), rtol=1e-5, atol=1e-5)
