"""GAN losses and regularisers from the literature: the parts a model composes.

Every loss function takes the discriminator's raw outputs (logits, or critic values for
Wasserstein and hinge losses) and returns a float32 scalar mean over the batch. A loss
*family* pairs a generator loss, a discriminator loss and a `score` (what is logged as
`real_score` / `fake_score`); `get(name)` returns one by name. A family's generator loss
sees the discriminator's outputs on generated and on real images, so that relativistic
losses fit (the others ignore the real ones).

The discriminator's regularisers are objects a model takes in a list (`GAN(penalties=[
R1(0.05), R2(0.05)])`): `R1`, `R2` and `GradientPenalty`, each with its formula, its
weight and its lazy interval.

References:
    Goodfellow et al. 2014, "Generative Adversarial Nets" (minimax, non-saturating).
    Mao et al. 2017, "Least Squares Generative Adversarial Networks".
    Lim and Ye 2017, "Geometric GAN"; Miyato et al. 2018 (hinge).
    Arjovsky et al. 2017, "Wasserstein GAN".
    Gulrajani et al. 2017, "Improved Training of Wasserstein GANs" (gradient penalty).
    Mescheder et al. 2018, "Which Training Methods for GANs do actually Converge?" (R1).
    Salimans et al. 2016, "Improved Techniques for Training GANs" (feature matching).
    Jolicoeur-Martineau 2019, "The relativistic discriminator"; Huang et al. 2024, "The
    GAN is dead; long live the GAN!" (relativistic pairing, R1 + R2).
"""

import collections
import functools

import keras
from keras import ops

from kerasgan import backend
from kerasgan.parts import Part, as_part, is_real


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


# ---- relativistic pairing (RpGAN) -----------------------------------------------------


@_in_float32
def relativistic_discriminator_loss(real_outputs, fake_outputs):
    """`softplus(-(D(x_i) - D(G(z_i))))` = `-log sigmoid(D(x_i) - D(G(z_i)))`, averaged
    over the pairs: each real image is paired with one generated image, element-wise."""
    return ops.mean(ops.softplus(fake_outputs - real_outputs))


@_in_float32
def relativistic_generator_loss(fake_outputs, real_outputs):
    """`softplus(-(D(G(z_i)) - D(x_i)))`, averaged over the pairs: the generator's
    gradient on each pair is weighted by how far its fake trails its real."""
    return ops.mean(ops.softplus(real_outputs - fake_outputs))


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


def r2_penalty(discriminator_fn, fake_images):
    """R2 penalty `mean(||grad D(x~)||_2^2)` over generated images (unweighted): R1's
    zero-centred gradient penalty on the fakes, with the generator held fixed
    (`fake_images` carry no gradient to it). Roth et al. 2017; Huang et al. 2024."""
    return r1_penalty(discriminator_fn, ops.stop_gradient(fake_images))


class Penalty(Part):
    """A regulariser of the discriminator: a term added to its loss.

    `value(...)` is the unweighted penalty; the discriminator's loss gains
    `coefficient * value`. With `interval` k > 1 the term is lazy (Karras et al. 2020):
    computed on every k-th discriminator update only, times k. The value is logged under
    `name`.

    Args:
        weight: float. The penalty's weight (its gamma for R1 and R2).
        interval: int. Discriminator updates between two computations. Defaults to 1.
    """

    name = None

    def __init__(self, weight, interval=1):
        valid_weight = is_real(weight, 0.0)
        if not valid_weight or isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
            raise ValueError(
                f"Expected {type(self).__name__} weight >= 0 and interval an int >= 1. "
                f"Received: weight={weight!r}, interval={interval!r}"
            )
        self.weight = float(weight)
        self.interval = interval

    @property
    def coefficient(self):
        return self.weight

    def value(self, discriminator_fn, real_images, fake_images, seed_generator):
        """The unweighted penalty for `discriminator_fn` (images -> outputs) on a batch of
        real and (gradient-free) generated images."""
        raise NotImplementedError

    def get_config(self):
        return {"weight": self.weight, "interval": self.interval}

    def __repr__(self):
        return f"{type(self).__name__}({self.weight!r}, interval={self.interval!r})"


@keras.saving.register_keras_serializable(package="kerasgan")
class R1(Penalty):
    """`gamma / 2 * E[||grad D(x)||^2]` on real images (Mescheder et al. 2018).

    For a linear `D(x) = <w, x>` the penalty is `||w||^2`.

    Args:
        weight: float. gamma.
        interval: int. Lazy interval (StyleGAN2: 16). Defaults to 1.
    """

    name = "r1"

    @property
    def coefficient(self):
        return 0.5 * self.weight

    def value(self, discriminator_fn, real_images, fake_images, seed_generator):
        return r1_penalty(discriminator_fn, real_images)


@keras.saving.register_keras_serializable(package="kerasgan")
class R2(R1):
    """`gamma / 2 * E[||grad D(G(z))||^2]` on generated images (Huang et al. 2024: with R1,
    it keeps the relativistic pairing loss convergent).

    Args:
        weight: float. gamma.
        interval: int. Lazy interval. Defaults to 1.
    """

    name = "r2"

    def value(self, discriminator_fn, real_images, fake_images, seed_generator):
        return r2_penalty(discriminator_fn, fake_images)


@keras.saving.register_keras_serializable(package="kerasgan")
class GradientPenalty(Penalty):
    """WGAN-GP: `weight * E[(||grad D(x^)||_2 - 1)^2]` at `x^ = w x + (1 - w) G(z)`,
    `w ~ U[0, 1]` per sample (Gulrajani et al. 2017); see `gradient_penalty`.

    Args:
        weight: float. lambda (the paper's 10).
        interval: int. Defaults to 1.
    """

    name = "gp"

    def value(self, discriminator_fn, real_images, fake_images, seed_generator):
        batch_size = ops.shape(real_images)[0]
        weights = keras.random.uniform((batch_size,), seed=seed_generator)
        return gradient_penalty(discriminator_fn, real_images, fake_images, weights)


@keras.saving.register_keras_serializable(package="kerasgan")
class WeightClipping(Part):
    """WGAN's weight clipping: after each of its updates, every weight `w` of the
    discriminator becomes `clip(w, -value, value)`, which keeps the critic (roughly)
    K-Lipschitz (Arjovsky et al. 2017). A projection, not a loss term: nothing is logged.

    Args:
        value: float > 0. The paper's 0.01.
    """

    def __init__(self, value):
        if not is_real(value, 0.0, low_open=True):
            raise ValueError(f"Expected WeightClipping value > 0. Received: value={value!r}")
        self.value = float(value)

    def get_config(self):
        return {"value": self.value}

    def project(self, discriminator):
        for variable in discriminator.trainable_variables:
            variable.assign(ops.clip(variable, -self.value, self.value))


PENALTIES = {"r1": R1, "r2": R2, "gp": GradientPenalty}


def penalty(spec):
    """A regulariser (`Penalty` or `WeightClipping`) from itself or its saved form."""
    return as_part(spec, (Penalty, WeightClipping), "penalties", "R1(0.05), R2(0.05), GradientPenalty(10) or WeightClipping(0.01)")


# ---- feature matching ------------------------------------------------------------------


@_in_float32
def feature_matching_loss(real_features, fake_features):
    """`mean_k (E[f_k(x)] - E[f_k(G(z))])^2`: the squared distance between the batch means
    of an intermediate discriminator layer on real and generated images (Salimans et al.
    2016), averaged over features so its scale does not grow with the layer's width."""
    # Means over the batch: one per feature (per position and channel for a conv layer).
    difference = ops.mean(real_features, axis=0) - ops.mean(fake_features, axis=0)
    return ops.mean(ops.square(difference))



@keras.saving.register_keras_serializable(package="kerasgan")
class FeatureMatching(Part):
    """Feature matching: the generator's loss becomes `feature_matching_loss`, the squared
    distance between the batch means of a discriminator layer's output on real and on
    generated images, `mean_k (E[f_k(x)] - E[f_k(G(z))])^2` (Salimans et al. 2016). The
    discriminator keeps its adversarial loss.

    Args:
        layer: str or True. The discriminator layer whose output is `f`; True: the input
            of its logit layer (its last layer with weights). Needs a functional or
            Sequential discriminator. Defaults to True.
    """

    def __init__(self, layer=True):
        if layer is not True and not isinstance(layer, str):
            raise ValueError(f"Expected FeatureMatching layer to be a layer name or True. Received: layer={layer!r}")
        self.layer = layer

    def get_config(self):
        return {"layer": self.layer}

    def feature_model(self, discriminator):
        """A model sharing `discriminator`'s layers that outputs `f`."""
        # A functional or built Sequential model has symbolic `inputs`; a subclassed one has none.
        if not isinstance(discriminator, keras.Model) or getattr(discriminator, "inputs", None) is None:
            raise ValueError(
                "Feature matching reads an intermediate layer, so it needs a functional or "
                f"Sequential discriminator. Received: {type(discriminator).__name__}."
            )
        if self.layer is True:
            # Past weightless reshapes after it (DCGAN's Reshape to a scalar logit): the
            # features are what the logit is computed from, not the logit itself.
            weighted = [layer for layer in discriminator.layers if layer.weights]
            features = weighted[-1].input if weighted else None
            if features is None or isinstance(features, (list, tuple)):
                raise ValueError(
                    "FeatureMatching(True) takes the input of the discriminator's logit layer (its "
                    "last layer with weights), and this discriminator has no such layer with one "
                    "input. Name a layer: FeatureMatching('...')."
                )
        else:
            names = [layer.name for layer in discriminator.layers]
            if self.layer not in names:
                raise ValueError(
                    f"Expected FeatureMatching to name a layer of the discriminator, one of {names}. "
                    f"Received: layer={self.layer!r}"
                )
            features = discriminator.get_layer(self.layer).output
        return keras.Model(discriminator.inputs, features, name=f"{discriminator.name}_features")


def feature_matching(spec):
    """`GAN(feature_matching=...)`: None, True, a layer name, a `FeatureMatching`, or its saved form."""
    if spec is None or isinstance(spec, FeatureMatching):
        return spec
    if spec is True or isinstance(spec, str):
        return FeatureMatching(spec)
    return as_part(spec, (FeatureMatching,), "feature_matching", "FeatureMatching(), True or a layer name")


# ---- families ----------------------------------------------------------------------

# generator_loss(fake_outputs, real_outputs): real_outputs are the discriminator's on a
# real batch, held fixed; relativistic: whether the generator loss uses them (the model
# then computes them in the generator update, and only then).
LossFamily = collections.namedtuple(
    "LossFamily", ["generator_loss", "discriminator_loss", "score", "uses_label_smoothing", "relativistic"],
    defaults=(False,),
)


def _identity(values):
    return values


def _on_fakes(loss):
    # A generator loss of the fakes' outputs only, in the families' two-argument form.
    return lambda fake_outputs, real_outputs=None: loss(fake_outputs)


LOSS_FAMILIES = {
    "non_saturating": LossFamily(_on_fakes(non_saturating_generator_loss), bce_discriminator_loss, ops.sigmoid, True),
    "minimax": LossFamily(_on_fakes(minimax_generator_loss), bce_discriminator_loss, ops.sigmoid, True),
    "least_squares": LossFamily(_on_fakes(least_squares_generator_loss), least_squares_discriminator_loss, _identity, False),
    "hinge": LossFamily(_on_fakes(hinge_generator_loss), hinge_discriminator_loss, _identity, False),
    "wasserstein": LossFamily(_on_fakes(wasserstein_generator_loss), wasserstein_discriminator_loss, _identity, False),
    "relativistic": LossFamily(relativistic_generator_loss, relativistic_discriminator_loss, _identity, False, True),
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
