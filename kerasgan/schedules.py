"""Learning-rate schedules of the papers kerasgan implements."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class ConstantThenLinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant for `constant_steps`, then linear decay to 0 over `decay_steps`.

    CycleGAN and Pix2Pix train 100 epochs at the initial rate and 100 more decaying it
    linearly to zero.

    Args:
        initial_learning_rate: float.
        constant_steps: int. Optimizer steps at the initial rate.
        decay_steps: int. Optimizer steps of the linear decay; 0 after them.
    """

    def __init__(self, initial_learning_rate, constant_steps, decay_steps):
        if constant_steps < 0 or decay_steps < 1:
            raise ValueError(
                "Expected constant_steps >= 0 and decay_steps >= 1. Received: "
                f"constant_steps={constant_steps!r}, decay_steps={decay_steps!r}"
            )
        self.initial_learning_rate = float(initial_learning_rate)
        self.constant_steps = int(constant_steps)
        self.decay_steps = int(decay_steps)

    def __call__(self, step):
        progress = (ops.cast(step, "float32") - self.constant_steps) / self.decay_steps
        return self.initial_learning_rate * ops.clip(1.0 - progress, 0.0, 1.0)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "constant_steps": self.constant_steps,
            "decay_steps": self.decay_steps,
        }
