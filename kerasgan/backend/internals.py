"""Every Keras internal kerasgan relies on, in one list, each with its check.

Keras has no public API for three things kerasgan needs: a JAX trainer that carries
several optimizers through `fit()`, the random state of the model's `SeedGenerator`s in
its saved files, and the epoch count inside a `.keras` checkpoint (and tf.data none for
the datasets a pipeline was built from). Each use of an
internal is named here: what is relied on, where, why, and a check that fails, with
that explanation, when a Keras release changes it (`tests/test_backend.py` runs the
checks of its backend). Everything else in kerasgan uses Keras's public API.

(Tried and left: Keras 3.15's public `keras.optimizers.MultiOptimizer` maps variables
to optimizers, but refuses a `LossScaleOptimizer` inside it, which every kerasgan
optimizer is under mixed_float16, so it cannot replace the JAX trainer's overrides.)
"""

import collections
import inspect
import os
import tempfile
import zipfile

import keras

Internal = collections.namedtuple("Internal", ["what", "where", "why", "check", "backends"])

ALL_BACKENDS = ("tensorflow", "jax", "torch")


def _jax_trainer():
    from keras.src.backend.jax.trainer import JAXTrainer

    return JAXTrainer


def _parameters(function, names):
    found = list(inspect.signature(function).parameters)
    missing = [name for name in names if name not in found]
    assert not missing, f"parameters {missing} are gone (now {found})"


def _check_jax_state_methods():
    trainer = _jax_trainer()
    _parameters(trainer._get_jax_state, ("trainable_variables", "non_trainable_variables", "optimizer_variables", "metrics_variables", "purge_model_variables"))
    _parameters(trainer.train_step, ("state", "data"))
    for name in ("jax_state_sync", "_get_state_sharding_spec"):
        assert callable(getattr(trainer, name, None)), f"{trainer.__name__}.{name} is gone"
    source = inspect.getsource(trainer)
    for attribute in ("_jax_state", "_jax_state_synced", '"optimizer_variables"'):
        assert attribute in source, f"{trainer.__name__} no longer uses {attribute}"


def _check_stateless_scope():
    from keras.src.backend.common.stateless_scope import get_stateless_scope

    variable, value = keras.Variable(1.0), keras.ops.ones(())
    with keras.StatelessScope(state_mapping=[(variable, value)]) as scope:
        assert get_stateless_scope() is scope, "get_stateless_scope() does not return the active scope"
    assert scope.state_mapping == {id(variable): value}, "StatelessScope.state_mapping is not keyed by id(variable)"


def _check_seed_state_name():
    generator = keras.random.SeedGenerator(0)
    assert generator.state.name == "seed_generator_state", f"the state variable is named {generator.state.name!r}"
    _parameters(keras.random.SeedGenerator.next, ("ordered",))


def _check_extra_member_in_keras_file():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("kerasgan_check.json", "{}")
        keras.models.load_model(path)


def _check_dataset_inputs():
    import tensorflow as tf

    source = tf.data.Dataset.range(3)
    assert source.map(lambda x: x)._inputs() == [source], "Dataset._inputs() no longer lists a transformation's input"


INTERNALS = (
    Internal(
        "JAXTrainer's `_get_jax_state`, `jax_state_sync`, `_get_state_sharding_spec`, `train_step(state, data)` "
        "and its `_jax_state` / `_jax_state_synced` attributes",
        "kerasgan/backend/jax.py (AdversarialTrainer)",
        "the JAX trainer reads and writes one optimizer's variables; kerasgan puts every optimizer's in that slot",
        _check_jax_state_methods,
        ("jax",),
    ),
    Internal(
        "`get_stateless_scope()` and `StatelessScope.state_mapping`, keyed by `id(variable)`",
        "kerasgan/backend/jax.py (value_and_grad, vjp, cond, ...)",
        "gradients inside the trainer's stateless step, which reads and writes variables through the scope",
        _check_stateless_scope,
        ("jax",),
    ),
    Internal(
        "a `SeedGenerator`'s state variable is named 'seed_generator_state'; `SeedGenerator.next(ordered)`",
        "kerasgan/engine.py (_seed_states), kerasgan/backend/__init__.py (seed_generator on torch)",
        "Keras saves no random state: kerasgan finds every generator's state to save it, for an exact resume",
        _check_seed_state_name,
        ALL_BACKENDS,
    ),
    Internal(
        "`keras.models.load_model` ignores a member it does not know in a `.keras` zip",
        "kerasgan/callbacks.py (Checkpoint)",
        "the epoch count goes inside the checkpoint, so one rename puts the model and its count in place",
        _check_extra_member_in_keras_file,
        ALL_BACKENDS,
    ),
    Internal(
        "tf.data's `Dataset._inputs()` (TensorFlow's, not Keras's)",
        "kerasgan/datasets/order.py (epoch counters)",
        "fit sets each epoch's number on the counters inside the user's pipeline, for an order that resumes exactly",
        _check_dataset_inputs,
        ALL_BACKENDS,
    ),
)


def check(internal):
    """Runs `internal`'s check; raises an AssertionError that says what to adapt."""
    try:
        internal.check()
    except (AssertionError, AttributeError, ImportError, OSError, TypeError, ValueError) as error:
        raise AssertionError(
            f"Keras {keras.__version__} changed {internal.what} ({error}). kerasgan relies on it in "
            f"{internal.where}: {internal.why}. Adapt that code to the new Keras."
        ) from error
