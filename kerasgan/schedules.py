"""Learning-rate schedules of the papers kerasgan implements."""

import math

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


@keras.saving.register_keras_serializable(package="kerasgan")
class RampUpCosineDown(keras.optimizers.schedules.LearningRateSchedule):
    """StyleGAN2's projection schedule: a linear ramp up over the first `rampup` of
    `total_steps`, the initial rate, then a cosine ramp down to 0 over the last `rampdown`.

    Args:
        initial_learning_rate: float.
        total_steps: int.
        rampup: float. The fraction of the steps ramping up. Defaults to 0.05.
        rampdown: float. The fraction of the steps ramping down. Defaults to 0.25.
    """

    def __init__(self, initial_learning_rate, total_steps, rampup=0.05, rampdown=0.25):
        if total_steps < 1 or not (0 < rampup <= 1 and 0 < rampdown <= 1):
            raise ValueError(
                "Expected total_steps >= 1 and rampup, rampdown in (0, 1]. Received: "
                f"total_steps={total_steps!r}, rampup={rampup!r}, rampdown={rampdown!r}"
            )
        self.initial_learning_rate = float(initial_learning_rate)
        self.total_steps = int(total_steps)
        self.rampup = float(rampup)
        self.rampdown = float(rampdown)

    def __call__(self, step):
        t = ops.cast(step, "float32") / self.total_steps
        down = ops.minimum(1.0, (1.0 - t) / self.rampdown)
        down = 0.5 - 0.5 * ops.cos(down * math.pi)
        return self.initial_learning_rate * down * ops.minimum(1.0, t / self.rampup)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "total_steps": self.total_steps,
            "rampup": self.rampup,
            "rampdown": self.rampdown,
        }
