"""Equalised learning rate layers (Karras et al. 2018), as used by StyleGAN2.

The stored weights are drawn from a unit normal (divided by `lr_multiplier` for
dense layers) and scaled at every call by a constant He factor, so that Adam-like
optimisers, whose steps do not depend on a weight's scale, change every layer at the
same relative speed.

Reference: Karras, Aila, Laine and Lehtinen, "Progressive Growing of GANs for Improved
Quality, Stability, and Variation", ICLR 2018 (section 4.1); NVlabs/stylegan2-ada-pytorch
`training/networks.py` (`FullyConnectedLayer`, `Conv2dLayer`).
"""

import math

import keras
from keras import ops

ACTIVATIONS = (None, "linear", "lrelu")


def _check_activation(activation):
    if activation not in ACTIVATIONS:
        raise ValueError(f"Expected activation in {ACTIVATIONS}. Received: activation={activation!r}")
    return None if activation == "linear" else activation


def activate(outputs, activation):
    """Applies StyleGAN2's activation: None, or "lrelu" = leaky_relu(0.2) * sqrt(2).

    The gain sqrt(2) keeps the second moment of unit-variance inputs near 1
    (`torch_utils/ops/bias_act.py`, `def_gain`).
    """
    if activation == "lrelu":
        return ops.leaky_relu(outputs, negative_slope=0.2) * math.sqrt(2.0)
    return outputs


@keras.saving.register_keras_serializable(package="kerasgan")
class EqualizedDense(keras.layers.Layer):
    """Dense layer with an equalised learning rate and a learning-rate multiplier.

    The stored kernel starts as N(0, 1 / lr_multiplier^2) (standard deviation
    `1 / lr_multiplier`) and is used as `kernel * lr_multiplier / sqrt(fan_in)`, so the
    effective weight starts with standard deviation `1 / sqrt(fan_in)` for any
    multiplier while its gradient, and so its learning rate, is scaled by
    `lr_multiplier / sqrt(fan_in)`. The stored bias is `bias_init / lr_multiplier`,
    used times `lr_multiplier`: the effective bias starts at `bias_init`.

    Args:
        units: int. Number of output features.
        lr_multiplier: float. Learning-rate multiplier (StyleGAN's mapping network
            uses 0.01). Defaults to 1.0.
        bias_init: float. Initial value of the effective bias (StyleGAN2's style
            affines use 1.0). Defaults to 0.0.
        activation: None, "linear" or "lrelu" (leaky ReLU with slope 0.2 times
            sqrt(2)), applied after the bias. Defaults to None.

    Example:
        >>> layer = EqualizedDense(8, lr_multiplier=0.01, activation="lrelu")
        >>> layer(keras.ops.ones((2, 4))).shape
        (2, 8)

    Reference: Karras et al., "Progressive Growing of GANs", ICLR 2018;
    NVlabs/stylegan2-ada-pytorch `FullyConnectedLayer`.
    """

    def __init__(self, units, lr_multiplier=1.0, bias_init=0.0, activation=None, **kwargs):
        super().__init__(**kwargs)
        if lr_multiplier <= 0:
            raise ValueError(f"Expected lr_multiplier > 0. Received: lr_multiplier={lr_multiplier}")
        self.units = int(units)
        self.lr_multiplier = float(lr_multiplier)
        self.bias_init = float(bias_init)
        self.activation = activation
        self._activation = _check_activation(activation)

    def build(self, input_shape):
        fan_in = input_shape[-1]
        if fan_in is None:
            raise ValueError(f"EqualizedDense expects a known last dimension. Received: input_shape={input_shape}")
        self.weight_gain = self.lr_multiplier / math.sqrt(fan_in)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(fan_in, self.units),
            initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier),
        )
        self.bias = self.add_weight(
            name="bias",
            shape=(self.units,),
            initializer=keras.initializers.Constant(self.bias_init / self.lr_multiplier),
        )

    def effective_kernel(self):
        """The kernel as used: `kernel * lr_multiplier / sqrt(fan_in)`."""
        return self.kernel * self.weight_gain

    def effective_bias(self):
        """The bias as used: `bias * lr_multiplier`."""
        return self.bias * self.lr_multiplier

    def call(self, inputs):
        outputs = ops.matmul(inputs, self.effective_kernel()) + self.effective_bias()
        return activate(outputs, self._activation)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "lr_multiplier": self.lr_multiplier,
            "bias_init": self.bias_init,
            "activation": self.activation,
        }


@keras.saving.register_keras_serializable(package="kerasgan")
class EqualizedConv2D(keras.layers.Layer):
    """Conv2D (stride 1, same padding, channels last) with an equalised learning rate.

    The stored kernel `(kernel_size, kernel_size, in_channels, filters)` starts as
    N(0, 1) and is used times `1 / sqrt(in_channels * kernel_size^2)`; the bias starts
    at 0 and is added before the activation.

    Args:
        filters: int. Number of output channels.
        kernel_size: int. Height and width of the square kernel.
        activation: None, "linear" or "lrelu" (leaky ReLU with slope 0.2 times
            sqrt(2)). Defaults to None.
        use_bias: bool. Adds a learned bias per output channel. Defaults to True.

    Example:
        >>> layer = EqualizedConv2D(8, 3, activation="lrelu")
        >>> layer(keras.ops.ones((2, 8, 8, 3))).shape
        (2, 8, 8, 8)

    Reference: Karras et al., "Progressive Growing of GANs", ICLR 2018;
    NVlabs/stylegan2-ada-pytorch `Conv2dLayer`.
    """

    def __init__(self, filters, kernel_size, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.activation = activation
        self._activation = _check_activation(activation)
        self.use_bias = bool(use_bias)

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(
                "EqualizedConv2D expects inputs (batch, height, width, channels) with known "
                f"channels. Received: input_shape={input_shape}"
            )
        in_channels = input_shape[-1]
        self.weight_gain = 1.0 / math.sqrt(in_channels * self.kernel_size**2)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(self.kernel_size, self.kernel_size, in_channels, self.filters),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")

    def effective_kernel(self):
        """The kernel as used: `kernel / sqrt(in_channels * kernel_size^2)`."""
        return self.kernel * self.weight_gain

    def call(self, inputs):
        outputs = ops.conv(
            inputs, self.effective_kernel(), strides=1, padding="same", data_format="channels_last"
        )
        if self.use_bias:
            outputs = outputs + self.bias
        return activate(outputs, self._activation)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "activation": self.activation,
            "use_bias": self.use_bias,
        }
