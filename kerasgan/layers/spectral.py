"""Spectrally normalised Conv2D and Dense layers (Miyato et al. 2018).

Each training call runs one power iteration to estimate the kernel's largest singular
value sigma and uses `kernel / sigma`, keeping the trained kernel itself untouched
(`keras.layers.SpectralNormalization` instead overwrites the kernel in place, which
PyTorch's autograd rejects). The power-iteration vector is a non-trainable weight;
at inference the last estimate is used.
"""

import keras
from keras import layers, ops


def _l2_normalize(vector, epsilon=1e-12):
    return vector / ops.sqrt(ops.sum(ops.square(vector)) + epsilon)


class _SpectralKernel:
    """Mixin: `spectral_kernel(training)` returns `kernel / sigma`."""

    def _build_vector(self):
        self.vector_u = self.add_weight(
            name="vector_u",
            shape=(1, self.kernel.shape[-1]),
            initializer=keras.initializers.RandomNormal(),
            trainable=False,
        )

    # Conv2D and Dense save only their kernel and bias; save every weight instead.
    def save_own_variables(self, store):
        layers.Layer.save_own_variables(self, store)

    def load_own_variables(self, store):
        layers.Layer.load_own_variables(self, store)

    def spectral_kernel(self, training):
        matrix = ops.reshape(self.kernel, (-1, self.kernel.shape[-1]))
        # Normalised here too: the initial draw is not a unit vector, and sigma scales
        # with |u| (an untrained layer's inference would be off by that factor).
        vector_u = _l2_normalize(self.vector_u)
        if training:
            # One power iteration; u and v carry no gradient (Miyato et al., Alg. 1).
            vector_v = _l2_normalize(ops.matmul(vector_u, ops.transpose(matrix)))
            vector_u = ops.stop_gradient(_l2_normalize(ops.matmul(vector_v, matrix)))
            self.vector_u.assign(vector_u)
        vector_v = ops.stop_gradient(_l2_normalize(ops.matmul(vector_u, ops.transpose(matrix))))
        sigma = ops.sum(ops.matmul(vector_v, matrix) * vector_u)
        return self.kernel / sigma


@keras.saving.register_keras_serializable(package="kerasgan")
class SpectralConv2D(_SpectralKernel, layers.Conv2D):
    """`keras.layers.Conv2D` whose kernel is divided by its spectral norm."""

    def build(self, input_shape):
        super().build(input_shape)
        self._build_vector()

    def call(self, inputs, training=False):
        outputs = self.convolution_op(inputs, self.spectral_kernel(training))
        if self.use_bias:
            outputs = outputs + ops.reshape(self.bias, (1,) * (len(outputs.shape) - 1) + (self.filters,))
        return self.activation(outputs) if self.activation is not None else outputs


@keras.saving.register_keras_serializable(package="kerasgan")
class SpectralDense(_SpectralKernel, layers.Dense):
    """`keras.layers.Dense` whose kernel is divided by its spectral norm."""

    def build(self, input_shape):
        super().build(input_shape)
        self._build_vector()

    def call(self, inputs, training=False):
        outputs = ops.matmul(inputs, self.spectral_kernel(training))
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs) if self.activation is not None else outputs
