"""The zoo's variants on the one training step: clipping, EMA, instance noise, conditioning."""

import keras
import numpy as np
import pytest
from helpers import LATENT_DIM, random_images

import kerasgan
from kerasgan.models import ACGAN, ConditionalGAN
from kerasgan.networks import (
    acgan_discriminator,
    dcgan_discriminator,
    dcgan_generator,
    mlp_discriminator,
    mlp_generator,
)

SHAPE = (16, 16, 1)
CLASSES = 3


def _np(tensor):
    return keras.ops.convert_to_numpy(tensor)


def _conditional(cls=ConditionalGAN, **kwargs):
    generator = dcgan_generator(SHAPE, LATENT_DIM, base_filters=4, num_classes=CLASSES)
    if cls is ACGAN:
        discriminator = acgan_discriminator(SHAPE, CLASSES, base_filters=4)
    else:
        discriminator = dcgan_discriminator(SHAPE, base_filters=4, num_classes=CLASSES)
    gan = cls(generator, discriminator, CLASSES, **kwargs)
    gan.compile()
    return gan


def _labelled(n=8):
    return random_images(n, SHAPE), (np.arange(n) % CLASSES).astype("int32")


def test_weight_clipping_keeps_every_critic_weight_in_range():
    generator = mlp_generator((8, 8, 1), LATENT_DIM, hidden_units=(16,))
    discriminator = mlp_discriminator((8, 8, 1), hidden_units=(16,))
    for weight in discriminator.trainable_variables:  # start far outside [-c, c]
        weight.assign(keras.ops.ones(weight.shape) * 0.5)
    gan = kerasgan.GAN(generator, discriminator, loss="wasserstein", d_steps=2, clip_value=0.01)
    gan.compile(d_optimizer=keras.optimizers.RMSprop(1e-3), g_optimizer=keras.optimizers.RMSprop(1e-3))
    for _ in range(3):
        gan.fit(random_images(8), batch_size=4, epochs=1, verbose=0)
        values = np.concatenate([_np(w).ravel() for w in discriminator.trainable_variables])
        assert values.min() >= -0.01 - 1e-7 and values.max() <= 0.01 + 1e-7
        assert np.abs(values).max() > 0.009  # clipped, not zeroed


def test_ema_generator_is_the_hand_computed_average():
    decay = 0.5
    generator = mlp_generator((8, 8, 1), LATENT_DIM, hidden_units=(16,))
    gan = kerasgan.GAN(generator, mlp_discriminator((8, 8, 1), hidden_units=(16,)), ema_decay=decay, seed=0)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    expected = [_np(w).copy() for w in generator.weights]
    images = random_images(4)
    for _ in range(3):  # one step per fit call, so the weights can be read between steps
        gan.fit(images, batch_size=4, epochs=1, verbose=0)
        expected = [decay * e + (1 - decay) * _np(w) for e, w in zip(expected, generator.weights)]
    for average, ema_weight, live in zip(expected, gan.ema_generator.weights, generator.weights):
        np.testing.assert_allclose(_np(ema_weight), average, rtol=1e-5, atol=1e-6)
    assert any(not np.allclose(_np(e), _np(w)) for e, w in zip(gan.ema_generator.weights, generator.weights))
    # generate() uses the EMA generator.
    latents = np.random.default_rng(0).standard_normal((2, LATENT_DIM)).astype("float32")
    np.testing.assert_allclose(gan.generate_from(latents), _np(gan.ema_generator(latents)), atol=1e-6)


def test_ema_state_survives_saving(tmp_path):
    gan = kerasgan.GAN(
        mlp_generator((8, 8, 1), LATENT_DIM, hidden_units=(16,)),
        mlp_discriminator((8, 8, 1), hidden_units=(16,)),
        ema_decay=0.9,
    )
    gan.compile()
    gan.fit(random_images(8), batch_size=4, epochs=2, verbose=0)
    gan.save(tmp_path / "ema.keras")
    loaded = keras.models.load_model(tmp_path / "ema.keras")
    for saved, live in zip(loaded.ema_generator.weights, gan.ema_generator.weights):
        np.testing.assert_allclose(_np(saved), _np(live))


def test_instance_noise_is_annealed_to_zero():
    gan = kerasgan.GAN(
        mlp_generator((8, 8, 1), LATENT_DIM, hidden_units=(16,)),
        mlp_discriminator((8, 8, 1), hidden_units=(16,)),
        instance_noise=0.5,
        instance_noise_steps=4,
        seed=0,
    )
    gan.compile()
    images = keras.ops.zeros((256, 8, 8, 1))
    assert float(np.std(_np(gan._with_instance_noise(images)))) == pytest.approx(0.5, rel=0.05)
    gan.fit(random_images(8), batch_size=4, epochs=1, verbose=0)  # 2 of 4 steps: half the std
    assert float(np.std(_np(gan._with_instance_noise(images)))) == pytest.approx(0.25, rel=0.05)
    gan.fit(random_images(8), batch_size=4, epochs=1, verbose=0)
    np.testing.assert_array_equal(_np(gan._with_instance_noise(images)), 0.0)


@pytest.mark.parametrize("cls", [ConditionalGAN, ACGAN])
def test_conditional_output_depends_on_the_label(cls):
    gan = _conditional(cls)
    images, labels = _labelled()
    gan.fit(images, labels, batch_size=4, epochs=2, verbose=0)
    latents = np.repeat(np.random.default_rng(0).standard_normal((1, LATENT_DIM)), CLASSES, axis=0)
    outputs = gan.generate_from(latents.astype("float32"), np.arange(CLASSES, dtype="int32"))
    # Tiny untrained networks give tiny images: compare with the images' own scale.
    scale = np.abs(outputs).max()
    assert scale > 0
    assert np.abs(outputs[0] - outputs[1]).max() > 0.01 * scale
    assert np.abs(outputs[1] - outputs[2]).max() > 0.01 * scale
    # call((latents, labels)) generates too.
    np.testing.assert_allclose(
        _np(gan((latents.astype("float32"), np.arange(CLASSES, dtype="int32")))), outputs, atol=1e-5
    )


def test_conditional_generate_cycles_classes_and_checks_labels():
    gan = _conditional()
    assert gan.generate(5, seed=0).shape == (5, *SHAPE)
    np.testing.assert_allclose(gan.generate(2, seed=0, labels=[0, 1]), gan.generate(5, seed=0)[:2], atol=1e-6)
    with pytest.raises(ValueError, match=r"labels in \[0, 3\)\. Received: labels in \[0, 3\]"):
        gan.generate(4, labels=[0, 1, 2, 3])
    with pytest.raises(ValueError, match=r"one label per image, shape \(4,\).*Received: labels of shape \(2,\)"):
        gan.generate(4, labels=[0, 1])
    assert gan.generate(2, seed=0, labels=2).shape == (2, *SHAPE)
    with pytest.raises(ValueError, match="unconditional and takes no labels"):
        kerasgan.presets.mlp_gan(image_shape=(8, 8, 1)).generate(2, labels=[0, 1])


def test_conditional_gan_rejects_missing_and_out_of_range_labels():
    import tensorflow as tf

    gan = _conditional()
    images, labels = _labelled()
    with pytest.raises(ValueError, match=r"trains on \(images, labels\)\. Received: images without labels"):
        gan.fit(images, batch_size=4, verbose=0)
    with pytest.raises(ValueError, match=r"trains on \(images, labels\)"):
        gan.fit(tf.data.Dataset.from_tensor_slices(images).batch(4), verbose=0)
    with pytest.raises(ValueError, match=r"Expected labels in \[0, 3\)\. Received: labels in \[0, 7\]"):
        gan.fit(images, labels * 7 // 2, batch_size=4, verbose=0)
    with pytest.raises(ValueError, match="Expected int class labels"):
        gan.fit(images, labels.astype("float32"), batch_size=4, verbose=0)
    assert int(gan.g_optimizer.iterations) == 0, "no step may run before the checks"


def test_conditional_sample_grid_has_one_row_per_class(tmp_path):
    from kerasgan.callbacks import sample_for_grid

    gan = _conditional()
    images, rows = sample_for_grid(gan, 9, seed=0)
    assert rows == CLASSES and images.shape == (9, *SHAPE)
    first_row = gan.generate(3, seed=0, labels=[0, 0, 0])
    np.testing.assert_allclose(images[:3], first_row, atol=1e-6)
