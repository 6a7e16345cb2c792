"""GAN losses from the literature, as pure functions of discriminator outputs.

Every function takes the discriminator's raw outputs (logits, or critic values for
Wasserstein and hinge losses) and returns a float32 scalar mean over the batch. A loss
*family* pairs a generator loss, a discriminator loss and a `score` (what is logged as
`real_score` / `fake_score`); `get(name)` returns one by name.

References:
    Goodfellow et al. 2014, "Generative Adversarial Nets" (minimax, non-saturating).
    Mao et al. 2017, "Least Squares Generative Adversarial Networks".
    Lim and Ye 2017, "Geometric GAN"; Miyato et al. 2018 (hinge).
    Arjovsky et al. 2017, "Wasserstein GAN".
    Gulrajani et al. 2017, "Improved Training of Wasserstein GANs" (gradient penalty).
    Mescheder et al. 2018, "Which Training Methods for GANs do actually Converge?" (R1).
    Salimans et al. 2016, "Improved Techniques for Training GANs" (feature matching).
"""

import collections
import functools

from keras import ops

from kerasgan import backend


def _in_float32(loss):
    """Runs `loss` on float32 copies of its tensor arguments: under a mixed-precision
    policy networks output float16 or bfloat16, and a loss summed in those loses digits
    (and float16 overflows)."""

    @functools.wraps(loss)
    def float32_loss(*tensors, **kwargs):
        return loss(*(ops.cast(t, "float32") for t in tensors), **kwargs)

    return float32_loss


# ---- binary cross-entropy on logits (minimax and non-saturating) -----------------


@_in_float32
def bce_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Binary cross-entropy discriminator loss with one-sided label smoothing.

    With real target `t = 1 - label_smoothing` and fake target 0:
    `-t log sigmoid(real) - (1 - t) log(1 - sigmoid(real)) - log(1 - sigmoid(fake))`,
    averaged over the batch. Smoothing only the real side (Salimans et al. 2016)
    keeps the optimal discriminator from rewarding fakes.
    """
    target = 1.0 - label_smoothing
    # -log sigmoid(x) = softplus(-x); -log(1 - sigmoid(x)) = softplus(x)
    real_loss = target * ops.softplus(-real_logits) + (1.0 - target) * ops.softplus(real_logits)
    fake_loss = ops.softplus(fake_logits)
    return ops.mean(real_loss) + ops.mean(fake_loss)


@_in_float32
def minimax_generator_loss(fake_logits):
    """The original, saturating generator loss: minimise `log(1 - sigmoid(fake))`."""
    return -ops.mean(ops.softplus(fake_logits))


@_in_float32
def non_saturating_generator_loss(fake_logits):
    """Non-saturating generator loss: minimise `-log sigmoid(fake)`."""
    return ops.mean(ops.softplus(-fake_logits))


# ---- least squares (LSGAN, a=0, b=c=1) -----------------------------------------


@_in_float32
def least_squares_discriminator_loss(real_outputs, fake_outputs):
    """`0.5 (D(x) - 1)^2 + 0.5 D(G(z))^2`, averaged over the batch."""
    return 0.5 * ops.mean(ops.square(real_outputs - 1.0)) + 0.5 * ops.mean(
        ops.square(fake_outputs)
    )


@_in_float32
def least_squares_generator_loss(fake_outputs):
    """`0.5 (D(G(z)) - 1)^2`, averaged over the batch."""
    return 0.5 * ops.mean(ops.square(fake_outputs - 1.0))


# ---- hinge ------------------------------------------------------------------------


@_in_float32
def hinge_discriminator_loss(real_outputs, fake_outputs):
    """`relu(1 - D(x)) + relu(1 + D(G(z)))`, averaged over the batch."""
    return ops.mean(ops.relu(1.0 - real_outputs)) + ops.mean(ops.relu(1.0 + fake_outputs))


@_in_float32
def hinge_generator_loss(fake_outputs):
    """`-D(G(z))`, averaged over the batch."""
    return -ops.mean(fake_outputs)


# ---- Wasserstein --------------------------------------------------------------------


@_in_float32
def wasserstein_discriminator_loss(real_outputs, fake_outputs):
    """Critic loss `D(G(z)) - D(x)`: minimising it widens the critic's margin."""
    return ops.mean(fake_outputs) - ops.mean(real_outputs)


@_in_float32
def wasserstein_generator_loss(fake_outputs):
    """`-D(G(z))`, averaged over the batch."""
    return -ops.mean(fake_outputs)


# ---- auxiliary classifier (AC-GAN) ------------------------------------------------------


def auxiliary_classifier_loss(labels, class_logits):
    """Sparse categorical cross-entropy of the discriminator's class logits, batch mean."""
    class_logits = ops.cast(class_logits, "float32")
    return ops.mean(ops.sparse_categorical_crossentropy(labels, class_logits, from_logits=True))


# ---- reconstruction (Pix2Pix's L1, CycleGAN's cycle and identity terms) -------------


@_in_float32
def l1_reconstruction_loss(outputs, targets):
    """`mean(|outputs - targets|)` over every pixel and image: the L1 term that ties a
    translation to its target (Isola et al. 2017) or to the original after a cycle
    (Zhu et al. 2017)."""
    return ops.mean(ops.abs(outputs - targets))


# ---- penalties ---------------------------------------------------------------------


def gradient_penalty(discriminator_fn, real_images, fake_images, interpolation_weights, epsilon=1e-12):
    """WGAN-GP penalty `mean((||grad D(x_hat)||_2 - 1)^2)` (unweighted).

    `x_hat = w real + (1 - w) fake` with one weight per sample, `w ~ U[0, 1]`
    (Gulrajani et al. 2017). The norm is `sqrt(sum(g^2) + epsilon)` so that a zero
    gradient gives a finite value and a finite gradient, never NaN.

    Args:
        discriminator_fn: callable. Maps a batch of images to critic outputs.
        real_images: tensor `(batch, ...)`.
        fake_images: tensor of the same shape.
        interpolation_weights: tensor `(batch,)` of weights in [0, 1].
        epsilon: float. Keeps the norm differentiable at zero. Defaults to 1e-12.
    """
    weights_shape = (-1,) + (1,) * (len(real_images.shape) - 1)
    weights = ops.cast(ops.reshape(interpolation_weights, weights_shape), real_images.dtype)
    interpolates = weights * real_images + (1.0 - weights) * ops.cast(fake_images, real_images.dtype)
    # The penalty in float32 under a mixed-precision policy.
    gradients = ops.cast(backend.input_gradients(discriminator_fn, interpolates), "float32")
    squared = ops.sum(ops.square(gradients), axis=tuple(range(1, len(real_images.shape))))
    norms = ops.sqrt(squared + epsilon)
    return ops.mean(ops.square(norms - 1.0))


def r1_penalty(discriminator_fn, real_images):
    """R1 penalty `mean(||grad D(x)||_2^2)` over real images (unweighted).

    Mescheder et al. 2018 penalise the discriminator's gradient on the data only; the
    regulariser added to the discriminator's loss is `gamma / 2 * r1_penalty`. For a
    linear `D(x) = <w, x>` it is exactly `||w||^2`.

    Args:
        discriminator_fn: callable. Maps a batch of images to discriminator logits.
        real_images: tensor `(batch, ...)`.
    """
    gradients = ops.cast(backend.input_gradients(discriminator_fn, real_images), "float32")
    return ops.mean(ops.sum(ops.square(gradients), axis=tuple(range(1, len(real_images.shape)))))


# ---- feature matching ------------------------------------------------------------------


@_in_float32
def feature_matching_loss(real_features, fake_features):
    """`mean_k (E[f_k(x)] - E[f_k(G(z))])^2`: the squared distance between the batch means
    of an intermediate discriminator layer on real and generated images (Salimans et al.
    2016), averaged over features so its scale does not grow with the layer's width."""
    # Means over the batch: one per feature (per position and channel for a conv layer).
    difference = ops.mean(real_features, axis=0) - ops.mean(fake_features, axis=0)
    return ops.mean(ops.square(difference))


# ---- families ----------------------------------------------------------------------

LossFamily = collections.namedtuple(
    "LossFamily", ["generator_loss", "discriminator_loss", "score", "uses_label_smoothing"]
)


def _identity(values):
    return values


LOSS_FAMILIES = {
    "non_saturating": LossFamily(
        non_saturating_generator_loss, bce_discriminator_loss, ops.sigmoid, True
    ),
    "minimax": LossFamily(minimax_generator_loss, bce_discriminator_loss, ops.sigmoid, True),
    "least_squares": LossFamily(
        least_squares_generator_loss, least_squares_discriminator_loss, _identity, False
    ),
    "hinge": LossFamily(hinge_generator_loss, hinge_discriminator_loss, _identity, False),
    "wasserstein": LossFamily(
        wasserstein_generator_loss, wasserstein_discriminator_loss, _identity, False
    ),
}


def smoothed_discriminator_loss(family, real_outputs, fake_outputs, label_smoothing=0.0):
    """`family`'s discriminator loss, with one-sided label smoothing where the family
    uses it (the cross-entropy losses); other families ignore `label_smoothing`."""
    if family.uses_label_smoothing:
        return family.discriminator_loss(real_outputs, fake_outputs, label_smoothing=label_smoothing)
    return family.discriminator_loss(real_outputs, fake_outputs)


def get(name):
    """Returns the `LossFamily` called `name` (one of `LOSS_FAMILIES`)."""
    if name not in LOSS_FAMILIES:
        raise ValueError(
            f"Unknown GAN loss. Expected one of {sorted(LOSS_FAMILIES)}. Received: loss={name!r}"
        )
    return LOSS_FAMILIES[name]
