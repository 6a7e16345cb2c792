"""Metrics for image-to-image translation: L1, PSNR, SSIM against paired targets, and FID.

Images are in [-1, 1], `(n, height, width, channels)`, as numpy arrays or tensors.
L1 is measured in these [-1, 1] pixel units; PSNR and SSIM map images to [0, 1] first
(data range 1), so their values are comparable with `tf.image.psnr` / `tf.image.ssim`
(`max_val=1`) and skimage on [0, 1] images. Each is a mean over images of a per-image
value, computed in float64 with numpy and scipy, on any Keras backend.

Reference:
    Wang et al., 2004, "Image Quality Assessment: From Error Visibility to Structural
    Similarity" (SSIM). Isola et al., 2017, https://arxiv.org/abs/1611.07004 (Pix2Pix).
"""

import itertools

import keras
import numpy as np
import scipy.ndimage

from kerasgan.metrics.evaluation import (
    _check_images,
    extract_features,
    feature_extractor,
    image_batches,
    reference_features,
)
from kerasgan.metrics.statistics import frechet_distance_from_statistics

__all__ = ["TRANSLATION_METRICS", "evaluate_translation", "l1_error", "psnr", "ssim"]

# Metric name -> what it is, for `evaluate_translation` and its error messages.
TRANSLATION_METRICS = {
    "l1": "mean absolute error, [-1, 1] pixel units (lower is better)",
    "psnr": "peak signal-to-noise ratio in dB, data range 1, mean over images",
    "ssim": "structural similarity, 11x11 Gaussian window (sigma 1.5), mean over images",
    "fid": "Frechet Inception distance of the outputs to the targets (comparable with papers)",
}

# A per-image MSE floor (data range 1): identical images score 100 dB instead of an
# infinity that would swamp the mean over images.
PSNR_CAP_DB = 100.0

# Wang et al. (2004)'s settings, also TF's and skimage's (gaussian_weights=True).
SSIM_WINDOW_SIZE = 11
SSIM_SIGMA = 1.5
SSIM_K1 = 0.01
SSIM_K2 = 0.03


def _image_pair(predictions, targets):
    """Both as float64 numpy arrays in [-1, 1], after the shape, emptiness and range checks."""
    predictions = np.asarray(keras.ops.convert_to_numpy(predictions), np.float64)
    targets = np.asarray(keras.ops.convert_to_numpy(targets), np.float64)
    if predictions.shape != targets.shape:
        raise ValueError(
            "Expected predictions and targets of one shape. "
            f"Received: predictions.shape={predictions.shape}, targets.shape={targets.shape}."
        )
    if predictions.size == 0:
        raise ValueError(f"Expected at least one image. Received: shape {predictions.shape}.")
    _check_images(predictions, "predictions")
    _check_images(targets, "targets")
    return predictions, targets


def _l1_per_image(predictions, targets):
    return np.abs(predictions - targets).mean(axis=(1, 2, 3))


def _psnr_per_image(predictions, targets):
    # Halving maps [-1, 1] differences to [0, 1] ones: MSE / 4.
    mse = (((predictions - targets) / 2) ** 2).mean(axis=(1, 2, 3))
    return 10 * np.log10(1.0 / np.maximum(mse, 10 ** (-PSNR_CAP_DB / 10)))


def _gaussian_window():
    offsets = np.arange(SSIM_WINDOW_SIZE) - (SSIM_WINDOW_SIZE - 1) / 2
    window = np.exp(-(offsets**2) / (2 * SSIM_SIGMA**2))
    return window / window.sum()


def _filter_valid(images, window):
    """Separable correlation over height and width, keeping only the valid region (no padding)."""
    valid = slice(len(window) // 2, -(len(window) // 2))
    images = scipy.ndimage.correlate1d(images, window, axis=1)[:, valid]
    return scipy.ndimage.correlate1d(images, window, axis=2)[:, :, valid]


def _ssim_per_image(predictions, targets):
    height, width = predictions.shape[1:3]
    if min(height, width) < SSIM_WINDOW_SIZE:
        raise ValueError(
            f"SSIM needs images of at least {SSIM_WINDOW_SIZE}x{SSIM_WINDOW_SIZE} (its Gaussian window). "
            f"Received: {height}x{width}; leave 'ssim' out of the metrics for smaller images."
        )
    x, y = (predictions + 1) / 2, (targets + 1) / 2  # data range 1
    window = _gaussian_window()
    mean_x, mean_y = _filter_valid(x, window), _filter_valid(y, window)
    # Biased (population) local statistics, as Wang et al. and TF (skimage: use_sample_covariance=False).
    variance_x = _filter_valid(x * x, window) - mean_x**2
    variance_y = _filter_valid(y * y, window) - mean_y**2
    covariance = _filter_valid(x * y, window) - mean_x * mean_y
    c1, c2 = SSIM_K1**2, SSIM_K2**2
    ssim_map = ((2 * mean_x * mean_y + c1) * (2 * covariance + c2)) / (
        (mean_x**2 + mean_y**2 + c1) * (variance_x + variance_y + c2)
    )
    # Mean over positions and channels: one value per image.
    return ssim_map.mean(axis=(1, 2, 3))


_PER_IMAGE = {"l1": _l1_per_image, "psnr": _psnr_per_image, "ssim": _ssim_per_image}


def l1_error(predictions, targets):
    """Mean absolute error between two image batches, in [-1, 1] pixel units.

    Twice the error in [0, 1] units; 127.5 times the error in [0, 255] units.

    Args:
        predictions: array or tensor `(n, height, width, channels)` in [-1, 1].
        targets: array or tensor of the same shape, in [-1, 1].

    Returns:
        float.
    """
    return float(_l1_per_image(*_image_pair(predictions, targets)).mean())


def psnr(predictions, targets):
    """Peak signal-to-noise ratio in dB, images mapped to [0, 1] (data range 1).

    The mean over images of each image's `10 log10(1 / MSE)` (the convention of
    `tf.image.psnr` averaged over a batch), not the PSNR of the mean MSE. Identical
    images score `PSNR_CAP_DB` (100 dB) rather than infinity.

    Args:
        predictions: array or tensor `(n, height, width, channels)` in [-1, 1].
        targets: array or tensor of the same shape, in [-1, 1].

    Returns:
        float.
    """
    return float(_psnr_per_image(*_image_pair(predictions, targets)).mean())


def ssim(predictions, targets):
    """Structural similarity, with Wang et al. (2004)'s settings, in [-1, 1] (1: identical).

    Images are mapped to [0, 1] (data range 1); an 11x11 Gaussian window of sigma 1.5
    slides over the valid region only (no padding), with K1 = 0.01 and K2 = 0.03. The
    SSIM map is averaged over positions and channels, then over images: the values of
    `tf.image.ssim(..., max_val=1, filter_size=11, filter_sigma=1.5)` and of skimage's
    `structural_similarity(gaussian_weights=True, use_sample_covariance=False)`.

    Args:
        predictions: array or tensor `(n, height, width, channels)` in [-1, 1], at
            least 11x11.
        targets: array or tensor of the same shape, in [-1, 1].

    Returns:
        float.

    Reference:
        Wang et al., 2004, https://doi.org/10.1109/TIP.2003.819861
    """
    return float(_ssim_per_image(*_image_pair(predictions, targets)).mean())


def _check_pairs(pairs):
    if isinstance(pairs, (tuple, list)) and len(pairs) == 2:
        if len(pairs[0]) != len(pairs[1]):
            raise ValueError(
                f"Expected as many inputs as targets. Received: {len(pairs[0])} inputs, {len(pairs[1])} targets."
            )
    elif not (isinstance(getattr(pairs, "element_spec", None), tuple) and len(pairs.element_spec) == 2):
        raise ValueError(
            "Expected pairs as (inputs, targets) arrays or a tf.data.Dataset of (inputs, targets). "
            f"Received: {type(pairs).__name__}"
            + (f" of length {len(pairs)}." if isinstance(pairs, (tuple, list)) else ".")
        )


def _pair_batches(pairs, num_samples, batch_size):
    """`(inputs, targets)` numpy batches from one pass over `pairs`, through `image_batches`."""
    if isinstance(pairs, (tuple, list)):
        streams = pairs
    else:
        if len(pairs.element_spec[0].shape) == 3:
            pairs = pairs.batch(batch_size)
        # Iterate the dataset once (a shuffled one must keep its pairs), feeding two streams.
        first, second = itertools.tee(pairs)
        streams = ((inputs for inputs, _ in first), (targets for _, targets in second))
    return zip(
        image_batches(streams[0], num_samples, batch_size, role="inputs"),
        image_batches(streams[1], num_samples, batch_size, role="targets"),
    )


def _targets_of(pairs):
    if isinstance(pairs, (tuple, list)):
        return pairs[1]
    return pairs.map(lambda inputs, targets: targets)


def evaluate_translation(
    translate, pairs, metrics=("l1", "psnr", "ssim", "fid"), num_samples=None, batch_size=50, verbose=True
):
    """Scores a translation against paired targets, streaming batch by batch.

    The paired metrics ("l1", "psnr", "ssim") are computed in one pass over `pairs`.
    "fid" compares the set of outputs with the set of targets (it ignores the pairing):
    the targets' Inception statistics are cached on disk as `evaluate` caches real
    images', and the outputs' are taken in that same pass.

    Args:
        translate: a callable from a numpy batch of inputs in [-1, 1] to outputs in
            [-1, 1] of the targets' shape, or an object with such a `translate` method
            (a `Pix2Pix` model). For CycleGAN:
            `lambda images: model.translate(images, direction="a_to_b")`.
        pairs: `(inputs, targets)` numpy arrays or tensors, or a (batched or unbatched)
            `tf.data.Dataset` of `(inputs, targets)`.
        metrics: iterable of names from `TRANSLATION_METRICS`. Defaults to all four.
        num_samples: int or None. Pairs to take. Defaults to None (all).
        batch_size: int. Images per `translate` call for arrays and unbatched datasets.
            Defaults to 50.
        verbose: bool. Progress bars. Defaults to True.

    Returns:
        dict: the asked metrics by name, as floats.

    Example:
    ```python
    scores = kerasgan.metrics.evaluate_translation(model, (test_inputs, test_targets))
    ```
    """
    metrics = list(metrics)
    unknown = [name for name in metrics if name not in TRANSLATION_METRICS]
    if unknown or not metrics:
        raise ValueError(f"Unknown metrics. Expected names from {sorted(TRANSLATION_METRICS)}. Received: {metrics}.")
    _check_pairs(pairs)
    translate = getattr(translate, "translate", translate)
    if isinstance(pairs, (tuple, list)):
        # A known total for the progress bars.
        num_samples = len(pairs[0]) if num_samples is None else min(num_samples, len(pairs[0]))
    paired = [name for name in metrics if name in _PER_IMAGE]
    totals = dict.fromkeys(paired, 0.0)
    count = 0

    def outputs():
        nonlocal count
        for inputs, targets in _pair_batches(pairs, num_samples, batch_size):
            predictions, targets = _image_pair(translate(inputs), targets)
            for name in paired:
                totals[name] += _PER_IMAGE[name](predictions, targets).sum()
            count += len(predictions)
            yield predictions.astype(np.float32)

    results = {}
    if "fid" in metrics:
        # `evaluate`'s passes: the targets as the real images, the outputs as the fakes.
        extractor = feature_extractor("inception")
        real = reference_features(_targets_of(pairs), extractor, num_samples, batch_size, False, True, verbose)
        fake = extract_features(
            outputs(), extractor, num_samples, batch_size, 0, "translated images", False, False, verbose
        )
        results["fid"] = frechet_distance_from_statistics(real["statistics"], fake["statistics"])
    else:
        progress = keras.utils.Progbar(num_samples, unit_name="image", verbose=1 if verbose else 0)
        for batch in outputs():
            progress.add(len(batch))
        if num_samples is None and verbose:
            progress.update(count, finalize=True)
    for name in paired:
        results[name] = float(totals[name] / count)
    return {name: results[name] for name in metrics}
