"""The only place in kerasgan with backend-specific gradient code.

Each backend module provides the same three names:

- `value_and_grad(loss_fn, variables)`: calls `loss_fn()`, which returns
  `(loss, aux)`, and returns `(loss, aux, gradients)` with one gradient per variable
  (zeros for a variable that does not reach the loss).
  Under `tf.distribute` the gradient is of the per-replica loss divided by the number
  of replicas, because Keras optimizers sum gradients across replicas.
- `input_gradients(fn, inputs)`: the gradient of `sum(fn(inputs))` with respect to
  `inputs`, itself differentiable (a gradient of a gradient, for gradient penalties).
  State that `fn` writes (BatchNorm statistics) is kept, as in any forward pass.
- `GANTrainer`: a mixin for `keras.Model` that adapts Keras's backend trainer to a
  model with two networks and two optimizers. Its `train_step` calls the model's
  backend-neutral `alternating_step(data)`, which returns the logs.
"""

import keras

_BACKEND = keras.backend.backend()

if _BACKEND == "tensorflow":
    from kerasgan.backend.tensorflow import GANTrainer, input_gradients, value_and_grad
elif _BACKEND == "jax":
    from kerasgan.backend.jax import GANTrainer, input_gradients, value_and_grad
elif _BACKEND == "torch":
    from kerasgan.backend.torch import GANTrainer, input_gradients, value_and_grad
else:
    raise ImportError(
        "kerasgan runs on the 'tensorflow', 'jax' and 'torch' Keras backends. "
        f"Received: KERAS_BACKEND={_BACKEND!r}"
    )

__all__ = ["GANTrainer", "input_gradients", "value_and_grad"]
