"""Projection of images into a GAN's latent space (kerasgan.projection), the perceptual
distance it uses, and its schedule, on every backend."""

import math
import os

import numpy as np
import pytest

import kerasgan
from helpers import require_fid_weights, require_prepared
from kerasgan.projection import _noise_regularisation
from kerasgan.schedules import RampUpCosineDown


def test_the_schedule_is_stylegan2s_ramp_up_and_cosine_ramp_down():
    schedule = RampUpCosineDown(0.1, total_steps=1000)
    for step in [0, 10, 25, 50, 500, 750, 800, 875, 999]:
        # stylegan2-ada-pytorch projector.py, step by step.
        t = step / 1000
        ramp = min(1.0, (1.0 - t) / 0.25)
        ramp = 0.5 - 0.5 * math.cos(ramp * math.pi)
        expected = 0.1 * ramp * min(1.0, t / 0.05)
        assert float(schedule(step)) == pytest.approx(expected, abs=1e-7), step
    assert float(schedule(500)) == pytest.approx(0.1)


def test_the_noise_regulariser_punishes_structure_not_white_noise():
    rng = np.random.default_rng(0)
    white = rng.standard_normal((2, 32, 32, 1)).astype("float32")
    smooth = np.repeat(np.repeat(rng.standard_normal((2, 4, 4, 1)), 8, axis=1), 8, axis=2).astype("float32")
    smooth = (smooth - smooth.mean()) / smooth.std()
    white_loss, smooth_loss = float(_noise_regularisation([white])), float(_noise_regularisation([smooth]))
    assert white_loss < 0.01
    assert smooth_loss > 100 * white_loss


def test_projection_into_z_finds_the_latent_of_a_generated_digit():
    gan = kerasgan.presets.from_preset("dcgan_mnist")
    true_latents = np.random.default_rng(3).standard_normal((3, gan.latent_dim)).astype("float32")
    targets = gan.generate_from(true_latents)
    start_error = np.mean((gan.generate_from(np.zeros_like(true_latents)) - targets) ** 2, axis=(1, 2, 3))

    result = gan.project(targets, steps=300, perceptual_weight=0.0, verbose=0)

    assert result.space == "z" and result.latents.shape == (3, gan.latent_dim) and result.noise == {}
    assert result.perceptual_distance is None
    # The reconstructions are what the generator makes of the latents found.
    np.testing.assert_allclose(result.images, gan.generate_from(result.latents), atol=1e-5)
    measured = np.mean((result.images - targets) ** 2, axis=(1, 2, 3))
    np.testing.assert_allclose(result.pixel_error, measured, rtol=1e-3, atol=1e-7)
    assert np.all(result.pixel_error < 0.1 * start_error), (result.pixel_error, start_error)


def _emoji_targets(stylegan, n=2):
    """Images the emoji StyleGAN makes from known latents, with its fixed noise."""
    return stylegan.generate(n, seed=11, noise_mode="const")


def test_stylegan_projects_into_w_and_w_plus():
    require_fid_weights()
    stylegan = kerasgan.presets.from_preset("stylegan_emoji")
    targets = _emoji_targets(stylegan)
    generator = stylegan.sampling_generator
    start = stylegan.generate_from_w(np.tile(stylegan.projection_start("w")[0], (2, 1)))
    distance = kerasgan.metrics.PerceptualDistance(stylegan.image_shape)
    start_pixel, start_perceptual = np.mean((start - targets) ** 2, axis=(1, 2, 3)), distance(start, targets)

    w = stylegan.project(targets, steps=60, perceptual_weight=0.0, verbose=0)  # pixels alone: faster
    w_plus = stylegan.project(targets, space="w+", steps=60, verbose=0)

    assert w.latents.shape == (2, generator.w_dim) and w.perceptual_distance is None
    assert w_plus.latents.shape == (2, generator.num_styles, generator.w_dim)
    for result in (w, w_plus):
        # Its latents and noise maps give its reconstructions.
        np.testing.assert_allclose(stylegan.generate_from_w(result.latents, result.noise), result.images, atol=1e-5)
        assert set(result.noise) == set(stylegan.projection_noise_shapes("w"))
        assert np.all(result.pixel_error < 0.5 * start_pixel), (result.pixel_error, start_pixel)
    np.testing.assert_allclose(w_plus.perceptual_distance, distance(w_plus.images, targets), rtol=1e-3, atol=1e-5)
    assert np.all(w_plus.perceptual_distance < 0.7 * start_perceptual), (w_plus.perceptual_distance, start_perceptual)


def test_the_perceptual_distance_grows_with_the_damage():
    require_fid_weights()
    from kerasgan.metrics.perceptual import PerceptualDistance

    images = kerasgan.presets.from_preset("stylegan_emoji").generate(4, seed=0)
    distance = PerceptualDistance(images.shape[1:])
    noise = np.random.default_rng(0).standard_normal(images.shape).astype("float32")
    slightly = np.clip(images + 0.05 * noise, -1, 1)
    badly = np.clip(images + 0.5 * noise, -1, 1)
    np.testing.assert_allclose(distance(images, images), 0.0, atol=1e-6)
    np.testing.assert_allclose(distance(images, badly), distance(badly, images), rtol=1e-5)
    assert np.all(distance(images, slightly) < distance(images, badly))
    assert np.all(distance(images, slightly) < distance(images, np.roll(images, 1, axis=0)))
    with pytest.raises(ValueError, match=r"Expected two batches of images of shape \(n, 32, 32, 3\)"):
        distance(images, images[:, :16])


def test_projection_refuses_what_it_cannot_project():
    gan = kerasgan.presets.dcgan(image_shape=(16, 16, 1), latent_dim=8, base_filters=4, seed=0)
    images = gan.generate(2, seed=0)
    with pytest.raises(ValueError, match=r"GAN projects into \('z',\). Received: space='w'"):
        gan.project(images, space="w", steps=2, verbose=0)
    with pytest.raises(ValueError, match=r"Expected images to project of shape \(batch, 16, 16, 1\)"):
        gan.project(images[:, :8], steps=2, verbose=0)
    with pytest.raises(ValueError, match="Expected steps, the optimisation steps, to be an int >= 1"):
        gan.project(images, steps=0, verbose=0)
    with pytest.raises(ValueError, match="not both 0"):
        gan.project(images, steps=2, pixel_weight=0.0, perceptual_weight=0.0, verbose=0)
    with pytest.raises(ValueError, match="takes no labels"):
        gan.project(images, labels=[0, 1], steps=2, verbose=0)
    cgan = kerasgan.presets.cgan(image_shape=(16, 16, 1), num_classes=3, latent_dim=8, base_filters=4, seed=0)
    with pytest.raises(ValueError, match="projects each image with its class"):
        cgan.project(images, steps=2, verbose=0)
    result = cgan.project(images, labels=[0, 2], steps=3, perceptual_weight=0.0, verbose=0)
    np.testing.assert_allclose(result.images, cgan.generate_from(result.latents, np.array([0, 2], "int32")), atol=1e-5)


@pytest.mark.slow
def test_held_out_emoji_project_closer_than_the_nearest_training_image():
    """Real emoji the model never saw, projected into W+, judged by measures projection
    does not optimise (PSNR, SSIM): closer than the training set's nearest image, what
    memorising the data would give (benchmarks/projection.py measures more)."""
    require_fid_weights()
    path = os.path.join(kerasgan.files.cache_dir(), "datasets", "emoji.npz")
    require_prepared(os.path.exists(path), f"the 'emoji' set is not prepared at {path}", "python scripts/prepare_offline_data.py")

    def split(name):
        batches = kerasgan.datasets.load("emoji", split=name, image_size=32, batch_size=512, shuffle=False, drop_remainder=False)
        return np.concatenate([np.asarray(batch) for batch in batches])

    test, train = split("test"), split("train")
    targets = test[np.linspace(0, len(test) - 1, 8).round().astype(int)]
    flat = train.reshape(len(train), -1)
    nearest = train[[np.argmin(np.sum((flat - target.ravel()) ** 2, axis=1)) for target in targets]]
    stylegan = kerasgan.presets.from_preset("stylegan_emoji")
    projected = stylegan.project(targets, space="w+", steps=300, verbose=0).images
    assert kerasgan.metrics.psnr(projected, targets) > kerasgan.metrics.psnr(nearest, targets) + 1.0
    assert kerasgan.metrics.ssim(projected, targets) > kerasgan.metrics.ssim(nearest, targets) + 0.03
