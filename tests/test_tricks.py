"""Options on every GAN: R1 (lazy), feature matching, augmentation, skippable updates."""

import keras
import numpy as np
import pytest
from helpers import (
    LATENT_DIM,
    TARGET_MEAN,
    random_images,
    tiny_gan,
    train_on_one_gaussian,
)

import kerasgan
from kerasgan import losses
from kerasgan.engine import Update
from kerasgan.networks import mlp_discriminator, mlp_generator

SHAPE = (8, 8, 1)


def _np(tensor):
    return keras.ops.convert_to_numpy(tensor)


def _linear_discriminator(shape=SHAPE):
    inputs = keras.Input(shape)
    logits = keras.layers.Dense(1, name="logits")(keras.layers.Flatten()(inputs))
    return keras.Model(inputs, logits)


# ---- R1 -------------------------------------------------------------------------------


def test_r1_penalty_of_a_linear_discriminator_is_its_squared_weight_norm():
    discriminator = _linear_discriminator()
    kernel = _np(discriminator.get_layer("logits").kernel)
    images = keras.ops.convert_to_tensor(random_images(6, SHAPE))
    penalty = losses.r1_penalty(lambda x: discriminator(x), images)
    np.testing.assert_allclose(_np(penalty), np.sum(kernel**2), rtol=1e-5)


def _seed_state(gan):
    return _np(gan.seed_generator.state).copy()


def _d_loss_at_iteration(gan, batch, iteration, seed_state):
    # The same latents (seed state) each time, so only the R1 term can differ.
    gan.seed_generator.state.assign(seed_state)
    gan.d_optimizer.iterations.assign(iteration)
    loss, logs, _ = gan.discriminator_update_loss(dict(batch))
    return float(_np(loss)), logs


@pytest.mark.parametrize("interval", [1, 4])
def test_lazy_r1_is_added_on_every_interval_th_update_times_the_interval(interval):
    gamma = 2.0
    gan = kerasgan.GAN(
        mlp_generator(SHAPE, LATENT_DIM, hidden_units=(16,)),
        _linear_discriminator(),
        r1_weight=gamma,
        r1_interval=interval,
        seed=0,
    )
    gan.compile()
    images = keras.ops.convert_to_tensor(random_images(4, SHAPE))
    batch = gan.prepare_batch(images)
    squared_norm = float(np.sum(_np(gan.discriminator.get_layer("logits").kernel) ** 2))
    reference = kerasgan.GAN(gan.generator, gan.discriminator, seed=0)
    reference.compile()
    state = _seed_state(gan)
    reference.seed_generator.state.assign(state)
    plain, _ = reference.discriminator_update_loss(dict(batch))[:2]
    for iteration in range(2 * interval):
        loss, logs = _d_loss_at_iteration(gan, batch, iteration, state)
        due = iteration % interval == 0
        expected = float(_np(plain)) + (0.5 * gamma * interval * squared_norm if due else 0.0)
        np.testing.assert_allclose(loss, expected, rtol=1e-4, err_msg=f"iteration {iteration}")
        value, weight = logs["r1"] if interval > 1 else (logs["r1"], 1.0)
        assert float(_np(weight)) == float(due)
        if due:
            np.testing.assert_allclose(_np(value), squared_norm, rtol=1e-4)


def test_the_old_r1_and_gradient_penalty_options_mean_the_penalty_parts():
    networks = (mlp_generator(SHAPE, LATENT_DIM, hidden_units=(16,)), _linear_discriminator())
    old = kerasgan.GAN(*networks, r1_weight=2.0, r1_interval=4, gradient_penalty_weight=10.0)
    assert old.penalties == [losses.GradientPenalty(10.0), losses.R1(2.0, 4)]
    assert kerasgan.GAN(*networks, penalties=[losses.R1(2.0, 4)]).get_config()["penalties"] == [
        keras.saving.serialize_keras_object(losses.R1(2.0, 4))
    ]
    with pytest.raises(ValueError, match="at most one penalty of each kind"):
        kerasgan.GAN(*networks, penalties=[losses.R1(1.0)], r1_weight=2.0)


def test_r1_and_r2_together_add_gamma_over_2_times_both_squared_norms():
    # A linear D: R1 = R2 = ||w||^2, so the D loss gains gamma / 2 * 2 ||w||^2.
    gamma = 0.5
    networks = (mlp_generator(SHAPE, LATENT_DIM, hidden_units=(16,)), _linear_discriminator())
    gan = kerasgan.GAN(*networks, loss="relativistic", penalties=[losses.R1(gamma), losses.R2(gamma)], seed=0)
    reference = kerasgan.GAN(*networks, loss="relativistic", seed=0)
    for model in (gan, reference):
        model.compile()
    batch = gan.prepare_batch(keras.ops.convert_to_tensor(random_images(4, SHAPE)))
    state = _seed_state(gan)
    reference.seed_generator.state.assign(state)
    plain = float(_np(reference.discriminator_update_loss(dict(batch))[0]))
    loss, logs = _d_loss_at_iteration(gan, batch, 0, state)
    squared_norm = float(np.sum(_np(gan.discriminator.get_layer("logits").kernel) ** 2))
    np.testing.assert_allclose(loss, plain + gamma * squared_norm, rtol=1e-4)
    np.testing.assert_allclose([_np(logs["r1"]), _np(logs["r2"])], [squared_norm, squared_norm], rtol=1e-4)


class _QuadraticDiscriminator(keras.Model):
    """D(x) = 0.5 * w * sum(x^2), w = 1: its input gradient is the image itself."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(), initializer="ones", name="w")

    def call(self, images):
        return 0.5 * self.w * keras.ops.sum(keras.ops.square(images), axis=(1, 2, 3))[:, None]


def test_r1_reads_the_real_images_and_r2_the_generated_ones():
    # With grad D(x) = x: R1 = E||real||^2 and R2 = E||fake||^2, two different numbers.
    gan = kerasgan.GAN(
        mlp_generator(SHAPE, LATENT_DIM, hidden_units=(16,)), _QuadraticDiscriminator(),
        latent_dim=LATENT_DIM, loss="relativistic", penalties=[losses.R1(1.0), losses.R2(1.0)], seed=0,
    )
    gan.compile()
    real = random_images(4, SHAPE)
    batch = gan.prepare_batch(keras.ops.convert_to_tensor(real))
    state = _seed_state(gan)
    _, logs = _d_loss_at_iteration(gan, batch, 0, state)
    gan.seed_generator.state.assign(state)
    fakes = _np(gan.generator(gan.sample_latents(4)))
    squared = lambda images: float(np.mean(np.sum(np.square(images), axis=(1, 2, 3))))
    np.testing.assert_allclose(_np(logs["r1"]), squared(real), rtol=1e-4)
    np.testing.assert_allclose(_np(logs["r2"]), squared(fakes), rtol=1e-4)
    assert abs(squared(real) - squared(fakes)) > 0.1


def test_a_saved_config_with_the_old_penalty_options_loads_as_the_parts():
    gan = kerasgan.GAN(mlp_generator(SHAPE, LATENT_DIM, hidden_units=(16,)), _linear_discriminator(), seed=0)
    config = gan.get_config()
    del config["penalties"]  # as files saved before `penalties` hold them
    config.update(gradient_penalty_weight=10.0, r1_weight=0.05, r1_interval=16)
    restored = kerasgan.GAN.from_config(config)
    assert restored.penalties == [losses.GradientPenalty(10.0), losses.R1(0.05, 16)]
    assert (restored.gradient_penalty_weight, restored.r1_weight, restored.r1_interval) == (10.0, 0.05, 16)


def test_relativistic_generator_update_pairs_each_fake_with_a_real():
    # The G loss is mean softplus(D(x_i) - D(G(z_i))): it changes with the real batch.
    networks = (mlp_generator(SHAPE, LATENT_DIM, hidden_units=(16,)), _linear_discriminator())
    gan = kerasgan.GAN(*networks, loss="relativistic", seed=0)
    gan.compile()
    state = _seed_state(gan)
    results = []
    for real in (random_images(4, SHAPE, seed=1), random_images(4, SHAPE, seed=2)):
        batch = gan.prepare_batch(keras.ops.convert_to_tensor(real))
        gan.seed_generator.state.assign(state)
        loss = float(_np(gan.generator_update_loss(batch)[0]))
        gan.seed_generator.state.assign(state)
        fakes = gan.generator(gan.sample_latents(4))
        real_logits, fake_logits = (_np(gan.discriminator(images))[:, 0] for images in (batch["real_images"], fakes))
        expected = np.mean(np.logaddexp(0.0, real_logits - fake_logits))  # softplus
        np.testing.assert_allclose(loss, expected, rtol=1e-5)
        results.append(loss)
    assert abs(results[0] - results[1]) > 1e-4


def test_lazy_r1_logs_the_mean_over_the_steps_that_compute_it():
    gan = kerasgan.GAN(
        mlp_generator(SHAPE, LATENT_DIM, hidden_units=(16,)),
        _linear_discriminator(),
        r1_weight=1.0,
        r1_interval=3,
        seed=0,
    )
    # lr 0 keeps the discriminator, hence its R1 = ||w||^2, fixed.
    gan.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0))
    history = gan.fit(random_images(28, SHAPE), batch_size=4, epochs=1, verbose=0)
    squared_norm = float(np.sum(_np(gan.discriminator.get_layer("logits").kernel) ** 2))
    # 7 steps, R1 on steps 0, 3 and 6: a mean that counted the others as 0 would be 3/7.
    np.testing.assert_allclose(history.history["r1"][-1], squared_norm, rtol=1e-4)


# ---- skippable updates ------------------------------------------------------------------


class _AlwaysSkipD(kerasgan.GAN):
    def update_order(self):
        return [(Update(*self.D_UPDATE[:4], skip="skip_d"), 1), (self.G_UPDATE, 1)]

    def discriminator_logs(self, real_outputs, fake_outputs):
        return {**super().discriminator_logs(real_outputs, fake_outputs), "skip_d": keras.ops.ones(())}


def test_a_skipped_update_leaves_its_networks_and_optimizer_untouched():
    keras.utils.set_random_seed(0)
    gan = _AlwaysSkipD(mlp_generator(SHAPE, LATENT_DIM, hidden_units=(16,)), mlp_discriminator(SHAPE, hidden_units=(16,)), seed=0)
    gan.track([*gan.trackers, "skip_d"])
    gan.compile()
    d_before = [_np(w).copy() for w in gan.discriminator.weights]
    optimizer_before = [_np(v).copy() for v in gan.d_optimizer.variables]
    g_before = [_np(w).copy() for w in gan.generator.trainable_weights]
    history = gan.fit(random_images(16, SHAPE), batch_size=4, epochs=1, verbose=0)
    assert history.history["skip_d"] == [1.0]
    for before, after in zip(d_before, gan.discriminator.weights):
        np.testing.assert_array_equal(before, _np(after))
    for before, after in zip(optimizer_before, gan.d_optimizer.variables):
        np.testing.assert_array_equal(before, _np(after))  # iterations and moments
    assert int(_np(gan.g_optimizer.iterations)) == 4
    assert any(not np.array_equal(b, _np(a)) for b, a in zip(g_before, gan.generator.trainable_weights))


# ---- feature matching --------------------------------------------------------------------


def test_feature_matching_loss_is_the_squared_distance_of_feature_means():
    real = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
    fake = np.array([[0.0, 0.0], [1.0, 0.0]], "float32")
    # means (2, 3) and (0.5, 0): squared differences 2.25 and 9, averaged.
    np.testing.assert_allclose(_np(losses.feature_matching_loss(real, fake)), (2.25 + 9.0) / 2)


def test_feature_matching_reads_the_features_feeding_the_logit_and_shares_its_weights():
    gan = tiny_gan("dcgan", feature_matching=True)
    plain = tiny_gan("dcgan")
    assert len(gan.trainable_weights) == len(plain.trainable_weights)
    # DCGAN's D ends Flatten -> Dense(1) -> Reshape: the features are the flattened
    # activations the logit is computed from, not the logit.
    flatten = next(layer for layer in gan.discriminator.layers if isinstance(layer, keras.layers.Flatten))
    assert gan.feature_model.output.shape == flatten.output.shape
    assert gan.feature_model.output.shape[-1] > 1
    assert gan.feature_model.layers[1] is gan.discriminator.layers[1]
    sequential = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])
    assert kerasgan.GAN(generator, sequential, feature_matching=True).feature_model.output.shape == (None, 3)
    with pytest.raises(ValueError, match="FeatureMatching to name a layer"):
        tiny_gan("dcgan", feature_matching="no_such_layer")


def test_feature_matching_gan_saves_once_and_trains_on_after_loading(tmp_path):
    gan = tiny_gan("dcgan", feature_matching=True, seed=0)
    gan.compile()
    images = random_images(8, (16, 16, 1))
    gan.fit(images, batch_size=4, epochs=1, verbose=0)
    gan.save(tmp_path / "fm.keras")
    loaded = keras.models.load_model(tmp_path / "fm.keras")
    assert loaded.feature_matching == losses.FeatureMatching(True)
    assert len(loaded.weights) == len(gan.weights)  # the shared layers are not stored twice
    for saved, restored in zip(gan.weights, loaded.weights):
        np.testing.assert_array_equal(_np(saved), _np(restored))
    assert np.isfinite(loaded.fit(images, batch_size=4, epochs=1, verbose=0).history["g_loss"][-1])


# ---- the parts: each formula by hand, the old options, the errors ------------------------


def test_weight_clipping_projects_every_discriminator_weight_into_the_interval():
    discriminator = _linear_discriminator()
    kernel = discriminator.get_layer("logits").kernel
    values = np.linspace(-0.5, 0.5, kernel.shape[0], dtype="float32")[:, None]
    kernel.assign(values)
    losses.WeightClipping(0.1).project(discriminator)
    np.testing.assert_array_equal(_np(kernel), np.clip(values, -0.1, 0.1))


def test_ema_moves_the_average_by_the_ramped_up_decay():
    generator = mlp_generator(SHAPE, LATENT_DIM, hidden_units=(4,))
    for ema, step in ((kerasgan.parts.EMA(0.99, rampup=None), 1), (kerasgan.parts.EMA(0.999, rampup=0.05), 10)):
        average = ema.copy(generator)
        before = [_np(w) for w in average.weights]
        generator_weights = [_np(w) + 1.0 for w in generator.weights]
        for weight, value in zip(generator.weights, generator_weights):
            weight.assign(value)
        ema.update(average, generator, step)
        # beta_t = min(decay, 0.5 ** (1 / (rampup * t))): 0.99 without ramp-up; 0.5 ** 2 at t = 10.
        beta = 0.99 if ema.rampup is None else 0.25
        for mean, old, weight in zip(average.weights, before, generator_weights):
            np.testing.assert_allclose(_np(mean), beta * old + (1 - beta) * weight, rtol=1e-5, atol=1e-6)


def test_the_old_options_mean_the_parts_and_a_saved_old_config_loads_as_them():
    networks = (mlp_generator(SHAPE, LATENT_DIM, hidden_units=(16,)), _linear_discriminator())
    old_options = dict(
        clip_value=0.01, instance_noise=0.1, instance_noise_steps=100, ema_decay=0.99, ema_rampup=None,
        augment_target=0.7, augment_speed=1000,
    )
    old = kerasgan.GAN(*networks, augment="ada", **old_options)
    new = kerasgan.GAN(
        *networks, penalties=[losses.WeightClipping(0.01)], ema=kerasgan.parts.EMA(0.99, rampup=None),
        augment=[kerasgan.layers.InstanceNoise(0.1, 100), kerasgan.layers.ADA(0.7, 1000)],
    )
    for model in (old, new):
        assert model.penalties == [losses.WeightClipping(0.01)]
        assert model.augment == [kerasgan.layers.InstanceNoise(0.1, 100), kerasgan.layers.ADA(0.7, 1000)]
        assert model.ema == kerasgan.parts.EMA(0.99, rampup=None)
        assert (model.clip_value, model.ema_decay) == (0.01, 0.99)
    # As files saved before the parts hold them: every old key, the unused ones at their off values.
    config = kerasgan.GAN(*networks, seed=0).get_config()
    for key in ("penalties", "augment", "ema", "feature_matching"):
        del config[key]
    config.update(old_options, augment="ada", gradient_penalty_weight=0.0, r1_weight=0.0, r1_interval=1, feature_matching=None)
    restored = kerasgan.GAN.from_config(config)
    assert (restored.penalties, restored.augment, restored.ema) == (new.penalties, new.augment, new.ema)
    config.update(augment=None, clip_value=None, instance_noise=0.0, ema_decay=None)
    restored = kerasgan.GAN.from_config(config)
    assert (restored.penalties, restored.augment, restored.ema, restored.ema_generator) == ([], [], None, None)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"augment": "autoaugment"}, "Expected augment to be a ADA or DiffAugment or InstanceNoise.*Received: augment='autoaugment'$"),
        ({"augment": kerasgan.layers.InstanceNoise(0.1), "instance_noise": 0.2}, "Expected instance_noise or the part, not both"),
        ({"augment": kerasgan.layers.ADA(target=0.8), "augment_speed": 1000}, "Expected augment_target/augment_speed or the part, not both"),
        ({"ema": 0.99, "ema_rampup": None}, "Expected ema_rampup or the part, not both"),
        ({"augment": ["ada", "diffaugment"]}, "at most one augmentation policy"),
        ({"ema": 1.5}, "Expected EMA decay in"),
        ({"ema": True}, "Expected ema to be a EMA"),
        ({"penalties": ["r1"]}, "R1\\(0.05\\), R2\\(0.05\\), GradientPenalty\\(10\\) or WeightClipping"),
        ({"penalties": [losses.WeightClipping(0.1), losses.WeightClipping(0.2)]}, "at most one penalty of each kind"),
        ({"feature_matching": 3}, "Expected feature_matching to be a FeatureMatching object"),
    ],
)
def test_a_wrong_part_is_refused_with_what_was_expected(options, message):
    networks = (mlp_generator(SHAPE, LATENT_DIM, hidden_units=(16,)), _linear_discriminator())
    with pytest.raises(ValueError, match=message):
        kerasgan.GAN(*networks, **options)


def test_a_part_refuses_invalid_options():
    for make in (
        lambda: kerasgan.layers.InstanceNoise(0.1, steps=0), lambda: kerasgan.layers.InstanceNoise(-1.0),
        lambda: kerasgan.layers.ADA(target=1.0), lambda: kerasgan.layers.ADA(speed=0),
        lambda: losses.WeightClipping(0.0), lambda: losses.WeightClipping(float("nan")),
        lambda: kerasgan.parts.EMA(0.0), lambda: kerasgan.parts.EMA(0.99, rampup=-1.0),
    ):
        with pytest.raises(ValueError, match="Expected"):
            make()


# ---- learning with each option on a 2-D Gaussian ------------------------------------------

OPTIONS = {
    "r1_lazy": {"r1_weight": 1.0, "r1_interval": 4},
    "feature_matching": {"feature_matching": True},
}


@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_each_option_still_moves_samples_to_the_data(option):
    before, after, samples = train_on_one_gaussian(
        OPTIONS[option], keras.optimizers.Adam(2e-3, 0.5), keras.optimizers.Adam(2e-3, 0.5)
    )
    assert after < 0.2 * before, (option, before, after)
    assert np.linalg.norm(samples.mean(axis=0) - TARGET_MEAN) < 0.2, (option, samples.mean(axis=0))


# ---- augmentation on a GAN ----------------------------------------------------------------


@pytest.mark.parametrize("augment", ["ada", "diffaugment"])
def test_augment_option_is_saved_and_its_probability_restored(augment, tmp_path):
    gan = tiny_gan("dcgan", augment=augment, seed=0)
    gan.compile()
    gan.fit(random_images(16, (16, 16, 1)), batch_size=4, epochs=1, verbose=0)
    if augment == "diffaugment":
        assert float(_np(gan.augmenter.probability)) == 1.0
    else:  # a short run leaves ADA's p at 0, which a lost p would equal too
        gan.augmenter.probability.assign(0.37)
    probability = float(_np(gan.augmenter.probability))
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.augment == [{"ada": kerasgan.layers.ADA(), "diffaugment": kerasgan.layers.DiffAugment()}[augment]]
    assert float(_np(loaded.augmenter.probability)) == probability


def test_ada_raises_p_when_the_discriminator_is_sure_of_the_reals_and_lowers_it_otherwise():
    gan = tiny_gan("dcgan", augment="ada", augment_speed=100, seed=0)
    gan.compile()
    batch = {"batch_size": 4}
    for real_sign, direction in ((1.0, 1), (-1.0, -1)):
        start = 0.5
        gan.augmenter.probability.assign(start)
        gan.after_update(gan.D_UPDATE, {**batch, "real_sign": keras.ops.convert_to_tensor(real_sign)})
        moved = float(_np(gan.augmenter.probability)) - start
        np.testing.assert_allclose(moved, direction * 4 / 100, rtol=1e-5)
