"""The only place in kerasgan with backend-specific gradient code.

Each backend module provides the same eight names:

- `value_and_grad(loss_fn, variables)`: calls `loss_fn()`, which returns
  `(loss, aux)`, and returns `(loss, aux, gradients)` with one gradient per variable
  (zeros for a variable that does not reach the loss).
  Under `tf.distribute` the gradient is of the per-replica loss divided by the number
  of replicas, because Keras optimizers sum gradients across replicas.
- `vjp(fn, variables)`: calls `fn()`, which returns `(outputs, aux)`, and returns
  `(outputs, aux, pullback)`: `outputs` as constants, and `pullback(cotangents)`, the
  gradients of `sum(outputs * cotangents)` for `variables`, to call once, later in the
  same step (a network's forward pass that two updates share).
- `value_and_input_grad(loss_fn, inputs)`: calls `loss_fn(inputs)`, which returns
  `(loss, aux)`, and returns `(loss, aux, gradient)` with the gradient of the loss with
  respect to the tensor `inputs` (divided by the replicas under `tf.distribute`, as in
  `value_and_grad`); with `vjp`'s pullback it gives an update's gradients.
- `input_gradients(fn, inputs)`: the gradient of `sum(fn(inputs))` with respect to
  `inputs`, itself differentiable (a gradient of a gradient, for gradient penalties).
  State that `fn` writes (BatchNorm statistics) is kept, as in any forward pass.
- `apply_gradients(optimizer, gradients, variables)`: one optimizer step on `variables`,
  any Keras optimizer, a `LossScaleOptimizer` (whose skip of non-finite gradients is a
  `cond` writing state) included.
- `cond(pred, true_fn, false_fn)`: `true_fn()` if the scalar `pred` else `false_fn()`,
  under jit too; state the branch writes (seed state, BatchNorm statistics) is kept
  (lazy regularisation: a penalty computed every k-th step only).
- `replica_sum(value)`: the sum of a per-replica value over the replicas of a
  data-parallel step (under `tf.distribute` each replica sees its share of the batch;
  JAX's sharded step sees the whole batch, so there it is the value itself).
- `AdversarialTrainer`: a mixin for `keras.Model` that adapts Keras's backend trainer to a
  model with any number of networks and optimizers (`kerasgan.engine`). Its
  `train_step` calls the model's backend-neutral `adversarial_step(data)`, which
  returns the logs.

Every Keras internal kerasgan relies on (mostly the JAX trainer's) is named, with a
check that says what to adapt when Keras changes it, in `kerasgan.backend.internals`.
"""

import keras

_BACKEND = keras.backend.backend()

if _BACKEND == "tensorflow":
    from kerasgan.backend.tensorflow import (
        AdversarialTrainer,
        apply_gradients,
        cond,
        input_gradients,
        replica_sum,
        value_and_grad,
        value_and_input_grad,
        vjp,
    )
elif _BACKEND == "jax":
    from kerasgan.backend.jax import (
        AdversarialTrainer,
        apply_gradients,
        cond,
        input_gradients,
        replica_sum,
        value_and_grad,
        value_and_input_grad,
        vjp,
    )
elif _BACKEND == "torch":
    from kerasgan.backend.torch import (
        AdversarialTrainer,
        apply_gradients,
        cond,
        input_gradients,
        replica_sum,
        value_and_grad,
        value_and_input_grad,
        vjp,
    )
else:
    raise ImportError(
        "kerasgan runs on the 'tensorflow', 'jax' and 'torch' Keras backends. "
        f"Received: KERAS_BACKEND={_BACKEND!r}"
    )



class _HostSeedGenerator(keras.random.SeedGenerator):
    # Its state and the arithmetic that advances it stay on the host: Keras's torch
    # `next()` would move the state to the default device and copy it back.
    def next(self, ordered=True):
        with keras.device("cpu"):
            return super().next(ordered)


def seed_generator(seed=None, name=None):
    """A `keras.random.SeedGenerator`, its state kept and advanced on the host on torch.

    Keras's torch RNG reads the seed state as a Python int on every random draw; with
    the state on a GPU each read waits for the GPU to finish the queued work (2 host
    syncs a training step). On the host the read costs nothing and the draws still
    run on the GPU. (Not yet measured on a GPU: benchmarks/gpu_session.sh checks it
    with torch's sync debug mode.)
    """
    if _BACKEND == "torch":
        with keras.device("cpu"):
            return _HostSeedGenerator(seed, name=name)
    return keras.random.SeedGenerator(seed, name=name)


__all__ = [
    "AdversarialTrainer", "apply_gradients", "cond", "input_gradients", "seed_generator", "value_and_grad",
    "value_and_input_grad", "vjp",
]
