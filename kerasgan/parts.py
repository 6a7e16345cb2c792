"""The parts a GAN composes beyond its networks, and the generator's moving average.

A part is one named technique of the literature (a penalty, an augmentation, weight
clipping, feature matching, the generator's moving average) as a small object: its
options are its config, it checks them when made, and it has its formula in its
docstring. The parts themselves live where their kind lives: `kerasgan.losses`
(`R1`, `R2`, `GradientPenalty`, `WeightClipping`, `FeatureMatching`),
`kerasgan.layers` (`ADA`, `DiffAugment`, `InstanceNoise`) and here (`EMA`).
"""

import numbers

import keras
from keras import ops


class Part:
    """A serialisable piece of a GAN's training: its options are its config, and two
    parts of one kind with the same config are equal."""

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return type(other) is type(self) and other.get_config() == self.get_config()

    __hash__ = None  # mutable options: not a dict key

    def __repr__(self):
        options = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({options})"


def as_part(spec, kinds, argument, example):
    """`spec` as one of the part classes `kinds`: itself, or rebuilt from its serialised
    form (a model's saved config). Anything else is refused with what was expected."""
    if isinstance(spec, dict):
        spec = keras.saving.deserialize_keras_object(spec)
    if not isinstance(spec, kinds):
        names = " or ".join(kind.__name__ for kind in kinds)
        raise ValueError(f"Expected {argument} to be a {names} object, such as {example}. Received: {argument}={spec!r}")
    return spec


def is_real(value, low, high=None, low_open=False, high_open=True):
    """Whether `value` is a real number (not a bool, not NaN) in the given interval."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    above = value > low if low_open else value >= low
    return above and (high is None or (value < high if high_open else value <= high))


@keras.saving.register_keras_serializable(package="kerasgan")
class EMA(Part):
    """An exponential moving average of the generator's weights, which then generates.

    After every generator update, each weight of the average (BatchNorm statistics
    included) becomes `beta * average + (1 - beta) * weight`, with
    `beta_t = min(decay, 0.5 ** (1 / (rampup * t)))` at generator step t: StyleGAN2's
    ramp-up caps the average's half-life at `rampup` times the steps so far, so that a
    short run is not averaged with its untrained start. `generate`, `call` and `export`
    use the average; training updates the generator itself.

    Args:
        decay: float in (0, 1). The average's decay per step. Defaults to 0.999.
        rampup: float > 0 or None. None: `decay` from the first step. Defaults to 0.05.

    Example:

    ```python
    gan = kerasgan.GAN(generator, discriminator, ema=kerasgan.parts.EMA(0.999))
    ```

    Reference:
        Yazici et al. 2019, "The Unusual Effectiveness of Averaging in GAN Training";
        Karras et al. 2020 (the ramp-up).
    """

    def __init__(self, decay=0.999, rampup=0.05):
        if not is_real(decay, 0.0, 1.0, low_open=True) or not (rampup is None or is_real(rampup, 0.0, low_open=True)):
            raise ValueError(
                f"Expected EMA decay in (0, 1) and rampup > 0 or None. Received: decay={decay!r}, rampup={rampup!r}"
            )
        self.decay = float(decay)
        self.rampup = None if rampup is None else float(rampup)

    def get_config(self):
        return {"decay": self.decay, "rampup": self.rampup}

    def copy(self, generator):
        """The average's network: a frozen copy of `generator` with its weights."""
        average = keras.models.clone_model(generator)
        average.set_weights(generator.get_weights())
        average.trainable = False
        return average

    def update(self, average, generator, step):
        """Moves `average`'s weights toward `generator`'s after generator step `step` (>= 1)."""
        decay = self.decay
        if self.rampup is not None:
            decay = ops.minimum(decay, ops.power(0.5, 1.0 / (self.rampup * ops.cast(step, "float32"))))
        for mean, weight in zip(average.weights, generator.weights):
            mean.assign(decay * mean + (1.0 - decay) * weight)


def ema(spec):
    """`GAN(ema=...)`: None, a decay, an `EMA`, or its saved form."""
    if spec is None or isinstance(spec, EMA):
        return spec
    if is_real(spec, 0.0):
        return EMA(spec)
    return as_part(spec, (EMA,), "ema", "EMA(0.999) or a decay like 0.999")
