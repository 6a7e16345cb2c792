"""Every loss of kerasgan.losses against values computed by hand."""

import math

import keras
import numpy as np
import pytest
from keras import ops

from kerasgan import losses

REAL = [0.0, 2.0, -0.5]
FAKE = [-1.0, 0.5, -2.0]


def _t(values):
    return ops.convert_to_tensor(np.asarray(values, dtype="float32"))


def _value(tensor):
    return float(ops.convert_to_numpy(tensor))


def _mean(values):
    return sum(values) / len(values)


def _sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


# ---- cross-entropy ------------------------------------------------------------------


def test_bce_discriminator_loss():
    # -log sigmoid(r) = log(1 + exp(-r)); -log(1 - sigmoid(f)) = log(1 + exp(f)).
    expected = _mean([math.log(1 + math.exp(-r)) for r in REAL]) + _mean(
        [math.log(1 + math.exp(f)) for f in FAKE]
    )
    assert _value(losses.bce_discriminator_loss(_t(REAL), _t(FAKE))) == pytest.approx(
        expected, abs=1e-5
    )
    # Spelled out for two logits: real [0, 2], fake [-1, 0.5].
    by_hand = (math.log(2.0) + math.log(1 + math.exp(-2.0))) / 2 + (
        math.log(1 + math.exp(-1.0)) + math.log(1 + math.exp(0.5))
    ) / 2
    assert _value(
        losses.bce_discriminator_loss(_t([0.0, 2.0]), _t([-1.0, 0.5]))
    ) == pytest.approx(by_hand, abs=1e-5)


@pytest.mark.parametrize("smoothing", [0.1, 0.3])
def test_bce_discriminator_loss_one_sided_label_smoothing(smoothing):
    target = 1.0 - smoothing  # real target 1 - s; fake target stays 0
    real_terms = [
        -target * math.log(_sigmoid(r)) - (1 - target) * math.log(1 - _sigmoid(r)) for r in REAL
    ]
    fake_terms = [-math.log(1 - _sigmoid(f)) for f in FAKE]
    expected = _mean(real_terms) + _mean(fake_terms)
    got = _value(losses.bce_discriminator_loss(_t(REAL), _t(FAKE), label_smoothing=smoothing))
    assert got == pytest.approx(expected, abs=1e-5)
    # One-sided: smoothing changes only the real half of the loss.
    unsmoothed_fake = _value(losses.bce_discriminator_loss(_t(REAL), _t(FAKE))) - _mean(
        [-math.log(_sigmoid(r)) for r in REAL]
    )
    assert got - _mean(real_terms) == pytest.approx(unsmoothed_fake, abs=1e-5)


def test_bce_discriminator_loss_is_stable_for_large_logits():
    got = _value(losses.bce_discriminator_loss(_t([100.0, -100.0]), _t([-100.0, 100.0])))
    # real: (log(1 + e^-100) + 100) / 2 ~= 50; fake: (0 + 100) / 2 = 50.
    assert got == pytest.approx(100.0, abs=1e-3)


def test_minimax_generator_loss():
    # Minimises log(1 - sigmoid(f)).
    expected = _mean([math.log(1 - _sigmoid(f)) for f in FAKE])
    assert _value(losses.minimax_generator_loss(_t(FAKE))) == pytest.approx(expected, abs=1e-5)
    by_hand = -(math.log(1 + math.exp(0.0)) + math.log(1 + math.exp(2.0))) / 2
    assert _value(losses.minimax_generator_loss(_t([0.0, 2.0]))) == pytest.approx(
        by_hand, abs=1e-5
    )


def test_non_saturating_generator_loss():
    # The brief's example: logits [0, 2] -> mean(log(1 + exp(-0)), log(1 + exp(-2))).
    by_hand = (math.log(1 + math.exp(-0.0)) + math.log(1 + math.exp(-2.0))) / 2
    assert _value(losses.non_saturating_generator_loss(_t([0.0, 2.0]))) == pytest.approx(
        by_hand, abs=1e-5
    )
    expected = _mean([-math.log(_sigmoid(f)) for f in FAKE])
    assert _value(losses.non_saturating_generator_loss(_t(FAKE))) == pytest.approx(
        expected, abs=1e-5
    )


# ---- least squares, hinge, Wasserstein --------------------------------------------


def test_least_squares_losses():
    d_expected = 0.5 * _mean([(r - 1) ** 2 for r in REAL]) + 0.5 * _mean([f**2 for f in FAKE])
    # real (0-1)^2=1, (2-1)^2=1, (-0.5-1)^2=2.25; fake 1, 0.25, 4.
    assert d_expected == pytest.approx(0.5 * 4.25 / 3 + 0.5 * 5.25 / 3)
    assert _value(losses.least_squares_discriminator_loss(_t(REAL), _t(FAKE))) == pytest.approx(
        d_expected, abs=1e-6
    )
    g_expected = 0.5 * _mean([(f - 1) ** 2 for f in FAKE])  # 0.5 * (4 + 0.25 + 9) / 3
    assert g_expected == pytest.approx(0.5 * 13.25 / 3)
    assert _value(losses.least_squares_generator_loss(_t(FAKE))) == pytest.approx(
        g_expected, abs=1e-6
    )


def test_hinge_losses():
    # real: relu(1-0)=1, relu(1-2)=0, relu(1+0.5)=1.5; fake: relu(1-1)=0, relu(1.5)=1.5, relu(-1)=0.
    d_expected = (1.0 + 0.0 + 1.5) / 3 + (0.0 + 1.5 + 0.0) / 3
    assert d_expected == pytest.approx(
        _mean([max(0.0, 1 - r) for r in REAL]) + _mean([max(0.0, 1 + f) for f in FAKE])
    )
    assert _value(losses.hinge_discriminator_loss(_t(REAL), _t(FAKE))) == pytest.approx(
        d_expected, abs=1e-6
    )
    assert _value(losses.hinge_generator_loss(_t(FAKE))) == pytest.approx(
        -(-1.0 + 0.5 - 2.0) / 3, abs=1e-6
    )


def test_wasserstein_losses():
    d_expected = (-1.0 + 0.5 - 2.0) / 3 - (0.0 + 2.0 - 0.5) / 3
    assert _value(losses.wasserstein_discriminator_loss(_t(REAL), _t(FAKE))) == pytest.approx(
        d_expected, abs=1e-6
    )
    assert _value(losses.wasserstein_generator_loss(_t(FAKE))) == pytest.approx(
        -(-1.0 + 0.5 - 2.0) / 3, abs=1e-6
    )


# ---- families ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, generator_loss, discriminator_loss, smoothing",
    [
        ("non_saturating", losses.non_saturating_generator_loss, losses.bce_discriminator_loss, True),
        ("minimax", losses.minimax_generator_loss, losses.bce_discriminator_loss, True),
        (
            "least_squares",
            losses.least_squares_generator_loss,
            losses.least_squares_discriminator_loss,
            False,
        ),
        ("hinge", losses.hinge_generator_loss, losses.hinge_discriminator_loss, False),
        ("wasserstein", losses.wasserstein_generator_loss, losses.wasserstein_discriminator_loss, False),
    ],
)
def test_get_returns_the_family(name, generator_loss, discriminator_loss, smoothing):
    family = losses.get(name)
    # The family's generator loss sees the real outputs too, and ignores them here.
    assert _value(family.generator_loss(_t(FAKE), _t(REAL))) == _value(generator_loss(_t(FAKE)))
    assert not family.relativistic
    assert family.discriminator_loss is discriminator_loss
    assert family.uses_label_smoothing is smoothing
    score = ops.convert_to_numpy(family.score(_t([0.0, 2.0])))
    if smoothing:  # a probability for the cross-entropy losses
        np.testing.assert_allclose(score, [0.5, _sigmoid(2.0)], atol=1e-6)
    else:  # the raw output otherwise
        np.testing.assert_allclose(score, [0.0, 2.0], atol=1e-6)


def test_loss_families_are_exactly_the_six():
    assert sorted(losses.LOSS_FAMILIES) == [
        "hinge",
        "least_squares",
        "minimax",
        "non_saturating",
        "relativistic",
        "wasserstein",
    ]


# ---- relativistic pairing (RpGAN) ----------------------------------------------------


def test_relativistic_losses_by_hand():
    # D: mean_i -log sigmoid(real_i - fake_i); G: mean_i -log sigmoid(fake_i - real_i).
    d_expected = _mean([-math.log(_sigmoid(r - f)) for r, f in zip(REAL, FAKE)])
    g_expected = _mean([-math.log(_sigmoid(f - r)) for r, f in zip(REAL, FAKE)])
    family = losses.get("relativistic")
    assert family.relativistic and not family.uses_label_smoothing
    assert _value(family.discriminator_loss(_t(REAL), _t(FAKE))) == pytest.approx(d_expected, rel=1e-6)
    assert _value(family.generator_loss(_t(FAKE), _t(REAL))) == pytest.approx(g_expected, rel=1e-6)
    # Pairs, not batch means: shuffling the fakes against the reals changes the loss.
    shuffled = _mean([-math.log(_sigmoid(r - f)) for r, f in zip(REAL, FAKE[1:] + FAKE[:1])])
    assert _value(family.discriminator_loss(_t(REAL), _t(FAKE[1:] + FAKE[:1]))) == pytest.approx(shuffled, rel=1e-6)
    assert abs(shuffled - d_expected) > 1e-3
    # A discriminator that cannot tell them apart: log 2 for both.
    zeros = _t([0.0, 0.0, 0.0])
    assert _value(family.discriminator_loss(zeros, zeros)) == pytest.approx(math.log(2.0), rel=1e-6)
    assert _value(family.generator_loss(zeros, zeros)) == pytest.approx(math.log(2.0), rel=1e-6)


# ---- penalties as parts -------------------------------------------------------------------


def test_r1_and_r2_of_a_linear_discriminator_are_its_squared_weight_norm():
    # D(x) = <w, x>: grad D = w for every image, so R1 = R2 = ||w||^2 whatever the images.
    w = [[0.3, -0.4], [1.2, 0.0], [0.5, 2.0]]
    squared_norm = float(np.sum(np.square(w)))
    rng = np.random.default_rng(0)
    real, fake = (_t(rng.normal(size=(4, 3, 2))) for _ in range(2))
    critic = _linear_critic(w)
    assert _value(losses.R1(1.0).value(critic, real, fake, None)) == pytest.approx(squared_norm, rel=1e-5)
    assert _value(losses.R2(1.0).value(critic, real, fake, None)) == pytest.approx(squared_norm, rel=1e-5)
    # R2 reads the fakes: a quadratic critic 0.5 * sum(x^2) has gradient x, so R2 = E[||fake||^2].
    quadratic = lambda x: 0.5 * ops.sum(ops.square(x), axis=(1, 2))
    expected = float(np.mean(np.sum(np.square(ops.convert_to_numpy(fake)), axis=(1, 2))))
    assert _value(losses.R2(1.0).value(quadratic, real, fake, None)) == pytest.approx(expected, rel=1e-5)


def test_penalty_parts_carry_their_weights_names_and_configs():
    assert (losses.R1(0.05).name, losses.R2(0.05).name, losses.GradientPenalty(10).name) == ("r1", "r2", "gp")
    # gamma / 2 for R1 and R2; lambda for the gradient penalty.
    assert (losses.R1(0.05).coefficient, losses.R2(0.4, 4).coefficient, losses.GradientPenalty(10).coefficient) == (0.025, 0.2, 10.0)
    for part in (losses.R1(0.05, 16), losses.R2(0.1), losses.GradientPenalty(10.0)):
        restored = losses.penalty(keras.saving.serialize_keras_object(part))
        assert restored == part and type(restored) is type(part) and restored is not part
    assert losses.R1(0.05) != losses.R2(0.05)
    with pytest.raises(ValueError, match=r"Expected R1 weight >= 0 and interval an int >= 1. Received: weight=nan"):
        losses.R1(float("nan"))
    with pytest.raises(ValueError, match="interval=0"):
        losses.R2(1.0, interval=0)
    with pytest.raises(ValueError, match=r"Expected penalties to be a Penalty or WeightClipping object.*Received: penalties='r1'"):
        losses.penalty("r1")


def test_get_unknown_name_raises_and_names_the_received_value():
    with pytest.raises(ValueError, match=r"Unknown GAN loss.*Received: loss='wgan_typo'"):
        losses.get("wgan_typo")


# ---- gradient penalty ------------------------------------------------------------


def _linear_critic(w):
    w = _t(w)
    return lambda x: ops.sum(x * w, axis=tuple(range(1, len(x.shape))))


@pytest.mark.parametrize(
    "w, interpolation_weights",
    [
        ([[0.3, -0.4], [1.2, 0.0], [0.5, 2.0]], [0.0, 0.25, 1.0, 0.7]),
        ([[0.1, 0.2], [0.3, 0.1], [-0.2, 0.1]], [0.5, 0.5, 0.9, 0.01]),
        ([[0.6, 0.0], [0.0, 0.8], [0.0, 0.0]], [0.3, 0.2, 0.1, 0.0]),  # ||w|| = 1 -> 0
    ],
)
def test_gradient_penalty_of_linear_critic(w, interpolation_weights):
    rng = np.random.default_rng(0)
    real = _t(rng.uniform(-1, 1, (4, 3, 2)))
    fake = _t(rng.uniform(-1, 1, (4, 3, 2)))
    norm = math.sqrt(sum(v * v for row in w for v in row))
    expected = (norm - 1.0) ** 2  # the gradient is w for every sample and weight
    got = _value(losses.gradient_penalty(_linear_critic(w), real, fake, _t(interpolation_weights)))
    assert got == pytest.approx(expected, abs=1e-5)


def test_gradient_penalty_of_image_shaped_batch():
    # (batch, height, width, channels), as in training.
    rng = np.random.default_rng(1)
    w = rng.normal(size=(4, 4, 1)).astype("float32")
    real = _t(rng.uniform(-1, 1, (3, 4, 4, 1)))
    fake = _t(rng.uniform(-1, 1, (3, 4, 4, 1)))
    expected = (float(np.sqrt(np.sum(w.astype("float64") ** 2))) - 1.0) ** 2
    got = _value(losses.gradient_penalty(_linear_critic(w), real, fake, _t([0.1, 0.5, 0.9])))
    assert got == pytest.approx(expected, rel=1e-5, abs=1e-5)


def test_gradient_penalty_of_quadratic_critic_reads_each_samples_interpolate():
    # D(x) = ||x||^2 / 2 has gradient x: the penalty depends on both batches and on
    # each sample's own weight, which a linear critic cannot show.
    rng = np.random.default_rng(2)
    real, fake = rng.uniform(-1, 1, (4, 3, 2)), rng.uniform(-1, 1, (4, 3, 2))
    weights = np.array([0.0, 0.3, 0.8, 1.0])
    interpolates = weights[:, None, None] * real + (1 - weights[:, None, None]) * fake
    expected = np.mean((np.sqrt(np.sum(interpolates**2, axis=(1, 2))) - 1.0) ** 2)

    def quadratic_critic(x):
        return 0.5 * ops.sum(ops.square(x), axis=(1, 2))

    got = _value(losses.gradient_penalty(quadratic_critic, _t(real), _t(fake), _t(weights)))
    assert got == pytest.approx(expected, rel=1e-5)


def test_gradient_penalty_of_zero_gradient_critic_is_finite():
    real = _t(np.ones((3, 2, 2)))
    fake = _t(-np.ones((3, 2, 2)))

    def constant_critic(x):
        return 0.0 * ops.sum(x, axis=(1, 2)) + 3.0

    got = _value(losses.gradient_penalty(constant_critic, real, fake, _t([0.0, 0.5, 1.0])))
    assert not math.isnan(got)
    # sqrt(0 + 1e-12) = 1e-6, and (1e-6 - 1)^2 ~= 1.
    assert got == pytest.approx((math.sqrt(1e-12) - 1.0) ** 2, abs=1e-6)
    assert got == pytest.approx(1.0, abs=1e-5)


def test_auxiliary_classifier_loss_by_hand():
    # softmax([0, ln 3]) = [1/4, 3/4]; labels 1 and 0 cost -log(3/4) and -log(1/4).
    logits = np.array([[0.0, math.log(3.0)], [0.0, math.log(3.0)]], "float32")
    labels = np.array([1, 0], "int32")
    expected = (-math.log(0.75) - math.log(0.25)) / 2
    got = float(keras.ops.convert_to_numpy(losses.auxiliary_classifier_loss(labels, logits)))
    assert got == pytest.approx(expected, rel=1e-5)


def test_l1_reconstruction_loss_by_hand():
    outputs = np.array([[0.5, -1.0], [0.0, 1.0]], "float32")
    targets = np.array([[0.0, -1.0], [1.0, 0.5]], "float32")
    got = float(keras.ops.convert_to_numpy(losses.l1_reconstruction_loss(outputs, targets)))
    assert got == pytest.approx((0.5 + 0.0 + 1.0 + 0.5) / 4)
