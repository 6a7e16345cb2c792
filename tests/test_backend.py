"""kerasgan.backend: value_and_grad and input_gradients, called directly."""

import contextlib

import keras
import numpy as np
import pytest
from keras import ops

from kerasgan import backend, losses
from kerasgan.backend import internals

IS_JAX = keras.backend.backend() == "jax"


def _np(tensor):
    return ops.convert_to_numpy(tensor)


def _scope(variables):
    """On JAX, value_and_grad reads the variables' values from a StatelessScope
    (AdversarialTrainer.train_step opens one during fit); eagerly, the test opens it."""
    if IS_JAX:
        return keras.StatelessScope(state_mapping=[(v, v.value) for v in variables])
    return contextlib.nullcontext()


def test_value_and_grad_of_sum_of_squares():
    start = np.array([1.0, -2.0, 3.0], "float32")
    v = keras.Variable(start)
    w = keras.Variable(np.array([[0.5, 4.0]], "float32"))

    def loss_fn():
        loss = ops.sum(ops.square(v)) + ops.sum(w**3)
        return loss, {"sum_v": ops.sum(v)}

    with _scope([v, w]):
        loss, aux, gradients = backend.value_and_grad(loss_fn, [v, w])
    assert float(_np(loss)) == pytest.approx(14.0 + 0.125 + 64.0)
    assert float(_np(aux["sum_v"])) == pytest.approx(2.0)
    assert len(gradients) == 2
    np.testing.assert_allclose(_np(gradients[0]), 2 * start, atol=1e-6)  # d sum(v^2) = 2v
    np.testing.assert_allclose(_np(gradients[1]), [[0.75, 48.0]], atol=1e-5)  # 3 w^2
    # Gradients only: the variables are not updated.
    np.testing.assert_array_equal(_np(v.value), start)


def test_value_and_grad_differentiates_only_the_given_variables():
    v = keras.Variable(np.array([1.0, 2.0], "float32"))
    other = keras.Variable(np.array([3.0], "float32"))

    def loss_fn():
        return ops.sum(v * other), None

    with _scope([v, other]):
        loss, aux, gradients = backend.value_and_grad(loss_fn, [v])
    assert float(_np(loss)) == pytest.approx(9.0)
    assert aux is None
    assert len(gradients) == 1
    np.testing.assert_allclose(_np(gradients[0]), [3.0, 3.0], atol=1e-6)


@pytest.mark.skipif(not IS_JAX, reason="JAX-only contract")
def test_jax_value_and_grad_outside_a_stateless_scope_says_where_to_call_it():
    v = keras.Variable(np.ones((2,), "float32"))
    with pytest.raises(RuntimeError, match="StatelessScope"):
        backend.value_and_grad(lambda: (ops.sum(v), None), [v])


def test_input_gradients_of_sum_of_cubes():
    x = np.array([[1.0, -2.0], [0.5, 3.0], [0.0, -1.5]], "float32")
    gradients = backend.input_gradients(lambda t: ops.sum(t**3, axis=1), ops.convert_to_tensor(x))
    np.testing.assert_allclose(_np(gradients), 3 * x**2, rtol=1e-6)


def test_input_gradients_of_a_keras_model_matches_its_weights():
    # A linear Dense layer: d sum(x W + b) / dx = the row sums of W, for every sample.
    layer = keras.layers.Dense(1)
    x = ops.convert_to_tensor(np.random.default_rng(0).normal(size=(4, 3)).astype("float32"))
    layer.build((None, 3))
    gradients = backend.input_gradients(layer, x)
    kernel = _np(layer.kernel)[:, 0]
    np.testing.assert_allclose(_np(gradients), np.tile(kernel, (4, 1)), rtol=1e-5, atol=1e-6)


def test_input_gradients_is_differentiable_again():
    # loss(v) = sum(d sum(v^3) / dv) = sum(3 v^2), so d loss / dv = 6 v: a gradient of
    # a gradient, as the gradient penalty needs.
    start = np.array([1.0, -2.0, 0.5], "float32")
    v = keras.Variable(start)

    def loss_fn():
        first = backend.input_gradients(lambda t: t**3, v.value)
        return ops.sum(first), None

    with _scope([v]):
        loss, _, (gradient,) = backend.value_and_grad(loss_fn, [v])
    assert float(_np(loss)) == pytest.approx(float(np.sum(3 * start**2)), rel=1e-6)
    np.testing.assert_allclose(_np(gradient), 6 * start, rtol=1e-6)


def test_gradient_penalty_has_a_finite_gradient_at_a_zero_gradient_critic():
    # w = 0 makes the critic's input gradient zero: without the epsilon in the norm,
    # d ||g|| / dw would be 0 / 0 = NaN.
    w = keras.Variable(np.zeros((3,), "float32"))
    real = ops.convert_to_tensor(np.ones((2, 3), "float32"))
    fake = ops.convert_to_tensor(-np.ones((2, 3), "float32"))

    def loss_fn():
        critic = lambda x: ops.sum(x * w.value, axis=1)
        weights = ops.convert_to_tensor(np.array([0.2, 0.7], "float32"))
        return losses.gradient_penalty(critic, real, fake, weights), None

    with _scope([w]):
        loss, _, (gradient,) = backend.value_and_grad(loss_fn, [w])
    assert float(_np(loss)) == pytest.approx(1.0, abs=1e-5)
    assert np.all(np.isfinite(_np(gradient)))


def test_gradient_penalty_gradient_of_linear_critic():
    # penalty(w) = (||w|| - 1)^2, so d penalty / dw = 2 (||w|| - 1) w / ||w||.
    start = np.array([0.3, -1.2, 2.0], "float32")
    w = keras.Variable(start)
    rng = np.random.default_rng(0)
    real = ops.convert_to_tensor(rng.uniform(-1, 1, (4, 3)).astype("float32"))
    fake = ops.convert_to_tensor(rng.uniform(-1, 1, (4, 3)).astype("float32"))

    def loss_fn():
        critic = lambda x: ops.sum(x * w.value, axis=1)
        weights = ops.convert_to_tensor(np.array([0.0, 0.3, 0.6, 1.0], "float32"))
        return losses.gradient_penalty(critic, real, fake, weights), None

    with _scope([w]):
        loss, _, (gradient,) = backend.value_and_grad(loss_fn, [w])
    norm = float(np.linalg.norm(start.astype("float64")))
    assert float(_np(loss)) == pytest.approx((norm - 1) ** 2, rel=1e-5)
    np.testing.assert_allclose(_np(gradient), 2 * (norm - 1) * start / norm, rtol=1e-5)


def test_unconnected_variables_and_inputs_get_zero_gradients():
    v = keras.Variable(np.array([1.0, 2.0], "float32"))
    unused = keras.Variable(np.array([5.0], "float32"))

    with _scope([v, unused]):
        _, _, gradients = backend.value_and_grad(lambda: (ops.sum(v), None), [v, unused])
    np.testing.assert_array_equal(_np(gradients[1]), [0.0])

    inputs = ops.convert_to_tensor(np.ones((2, 3), "float32"))
    gradients = backend.input_gradients(lambda x: ops.ones((2,)), inputs)
    np.testing.assert_array_equal(_np(gradients), np.zeros((2, 3)))


@pytest.mark.parametrize("internal", internals.INTERNALS, ids=lambda internal: internal.check.__name__)
def test_every_keras_internal_kerasgan_relies_on_is_still_there(internal):
    if keras.backend.backend() not in internal.backends:
        pytest.skip(f"used on {internal.backends} only")
    internals.check(internal)


def test_a_changed_internal_fails_with_what_to_adapt():
    def changed():
        raise AttributeError("'JAXTrainer' has no attribute '_get_jax_state'")

    internal = internals.Internal("the thing", "kerasgan/somewhere.py", "the reason", changed, internals.ALL_BACKENDS)
    with pytest.raises(AssertionError, match=r"changed the thing \('JAXTrainer' has no.*kerasgan/somewhere\.py: the reason\. Adapt"):
        internals.check(internal)