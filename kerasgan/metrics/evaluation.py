"""FID, KID, IS and precision/recall of image sets: arrays, datasets or a GAN.

Every function takes images in [-1, 1], `(n, height, width, channels)` with 1 or 3
channels, as a numpy array, a (batched or unbatched) `tf.data.Dataset` or other
iterable of arrays (`(images, labels)` elements are fine), or a trained GAN (anything
with `generate(n, seed=...)`, which then needs `num_samples`). Features are extracted
batch by batch with a progress bar; the FID keeps only float64 sums, so its memory does
not grow with the number of samples (KID and precision/recall keep the features:
`n * 2048` float32). Real statistics are cached on disk, keyed by the images' content.
"""

import hashlib
import os

import keras
import numpy as np

from kerasgan.datasets.pixels import to_uint8
from kerasgan.metrics import inception
from kerasgan.metrics.classifier import DOMAINS, DomainClassifier
from kerasgan.metrics.statistics import (
    FeatureStatistics,
    frechet_distance_from_statistics,
    inception_score_from_probabilities,
    kernel_distance_from_features,
    precision_recall_from_features,
)

__all__ = [
    "METRICS",
    "compare",
    "evaluate",
    "extract_features",
    "feature_extractor",
    "frechet_distance",
    "frechet_inception_distance",
    "image_batches",
    "inception_score",
    "kernel_inception_distance",
    "precision_recall",
    "reference_features",
]

_EXTRACTORS = {}

# Metric name -> what it is, for `evaluate`, the CLI and their tables.
METRICS = {
    "fid": "Frechet Inception distance (comparable with papers)",
    "kid": "kernel Inception distance, x1000 in tables",
    "pr": "precision and recall, Inception features, k=3",
    "cfd": "classifier Frechet distance (kerasgan's own, domain classifier)",
    "is": "classifier score: the Inception Score formula with the domain classifier",
}


def feature_extractor(features="inception", weights=None):
    """A feature extractor by name ("inception", "mnist", "fashion_mnist"), kept for reuse.

    An object is returned as it is: it must be callable on a batch of images and return
    `{"features": (n, dim)}` (and "probabilities" for the classifier score), with
    attributes `name`, `dim`, `identity` (a cache key) and `has_probabilities`.
    """
    if not isinstance(features, str):
        return features
    if features not in ("inception", *DOMAINS):
        raise ValueError(
            f"Unknown features. Expected 'inception', one of {DOMAINS} or an extractor. "
            f"Received: {features!r}."
        )
    key = (features, weights)
    if key not in _EXTRACTORS:
        if features == "inception":
            _EXTRACTORS[key] = inception.InceptionFeatures(weights)
        else:
            _EXTRACTORS[key] = DomainClassifier(features, path=weights)
    return _EXTRACTORS[key]


def _check_images(images, role):
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(
            f"Expected {role} as a batch (n, height, width, 1 or 3). Received: shape {images.shape}."
        )
    if not np.isfinite(images).all():
        raise ValueError(f"Expected finite {role}. Received: NaN or infinite values.")
    low, high = float(images.min()), float(images.max())
    if low < -1.001 or high > 1.001:
        raise ValueError(
            f"Expected {role} in [-1, 1]. Received: values in [{low:g}, {high:g}]. "
            "kerasgan.datasets.to_unit_range maps [0, 255] images."
        )


def _first_of(element):
    if isinstance(element, dict):
        return element["images"] if "images" in element else element["image"]
    if isinstance(element, (tuple, list)):
        return element[0]
    return element


def image_batches(source, num_samples=None, batch_size=50, seed=0, role="images"):
    """Yields float32 batches in [-1, 1] from `source`, `num_samples` images in all.

    Args:
        source: numpy array, dataset/iterable of arrays, or a GAN (`generate`).
        num_samples: int or None. How many images; None takes all (a GAN needs it).
        batch_size: int. Images per batch for arrays and GANs. Defaults to 50.
        seed: int. Latent seed when `source` is a GAN. Defaults to 0.
        role: str. What the images are, for error messages.
    """
    if hasattr(source, "generate"):
        if not num_samples:
            raise ValueError(f"Expected num_samples when the {role} come from a GAN. Received: {num_samples}.")
        num_classes = getattr(source, "num_classes", None)
        for index, start in enumerate(range(0, num_samples, batch_size)):
            count = min(batch_size, num_samples - start)
            # Conditional GANs: classes in turn over the whole set, so every class is equally present.
            labels = np.arange(start, start + count) % num_classes if num_classes else None
            kwargs = {"labels": labels} if num_classes else {}
            batch = np.asarray(source.generate(count, seed=[seed, index], **kwargs), np.float32)
            _check_images(batch, role)
            yield batch
        return
    if isinstance(source, np.ndarray) or (hasattr(source, "shape") and not hasattr(source, "element_spec")):
        source = np.asarray(source, np.float32)  # numpy, or a tensor of any backend
        if source.ndim == 3 and source.shape[-1] not in (1, 3):
            source = source[..., None]  # (n, height, width) grey
        total = len(source) if num_samples is None else min(num_samples, len(source))
        if total == 0:
            raise ValueError(f"Expected at least one of the {role}. Received: an empty array.")
        for start in range(0, total, batch_size):
            batch = source[start : min(start + batch_size, total)]
            _check_images(batch, role)
            yield batch
        return
    if hasattr(source, "element_spec") and len(_first_of(source.element_spec).shape) == 3:
        source = source.batch(batch_size)
    taken = 0
    for element in source:
        batch = np.asarray(keras.ops.convert_to_numpy(_first_of(element)), np.float32)
        if num_samples is not None:
            batch = batch[: num_samples - taken]
        _check_images(batch, role)
        taken += len(batch)
        yield batch
        if num_samples is not None and taken >= num_samples:
            return
    if taken == 0:
        raise ValueError(f"Expected at least one of the {role}. Received: an empty dataset.")


def _digest_update(digest, batch):
    digest.update(to_uint8(batch).tobytes())


def extract_features(source, extractor, num_samples, batch_size, seed, role, keep_features, keep_probabilities, verbose):
    """One pass over `source` through `extractor`, with a progress bar.

    Returns:
        dict: "statistics" (`FeatureStatistics`), "features" and "probabilities"
        (arrays, or None unless asked for), "digest" (SHA-256 of the images as uint8).
    """
    statistics = FeatureStatistics(extractor.dim)
    features, probabilities = [], []
    digest = hashlib.sha256()
    progress = keras.utils.Progbar(num_samples, unit_name="image", verbose=1 if verbose else 0)
    if verbose:
        print(f"{extractor.name} features of the {role}:")
    for batch in image_batches(source, num_samples, batch_size, seed, role):
        _digest_update(digest, batch)
        outputs = extractor(batch)
        statistics.update(outputs["features"])
        if keep_features:
            features.append(outputs["features"])
        if keep_probabilities:
            probabilities.append(outputs["probabilities"])
        progress.add(len(batch))
    if num_samples is None and verbose:
        progress.update(statistics.count, finalize=True)
    return {
        "statistics": statistics,
        "features": np.concatenate(features) if keep_features else None,
        "probabilities": np.concatenate(probabilities) if keep_probabilities else None,
        "digest": digest.hexdigest(),
    }


def _content_digest(source, num_samples, batch_size, role):
    digest = hashlib.sha256()
    for batch in image_batches(source, num_samples, batch_size, role=role):
        _digest_update(digest, batch)
    return digest.hexdigest()


def reference_features(real_images, extractor, num_samples, batch_size, keep_features, cache, verbose):
    """Real statistics (and features), from the on-disk cache when the content matches.

    The cache key is a hash of the images as uint8, read in a first quick pass; a source
    that changes between passes (a shuffled dataset) is computed but not cached.
    """
    if isinstance(real_images, (FeatureStatistics, str, os.PathLike)):
        if keep_features:
            raise ValueError("KID and precision/recall need real images, not saved statistics.")
        statistics = real_images if isinstance(real_images, FeatureStatistics) else FeatureStatistics.load(real_images)
        if statistics.dim != extractor.dim:
            raise ValueError(f"Expected statistics of {extractor.dim}-d features. Received: {statistics.dim}-d.")
        return {"statistics": statistics, "features": None}
    cacheable = cache and not hasattr(real_images, "generate")
    if cacheable:
        digest = _content_digest(real_images, num_samples, batch_size, "real images")
        path = os.path.join(inception.cache_dir(), "statistics", f"{extractor.identity}-{digest[:24]}.npz")
        if os.path.exists(path):
            with np.load(path) as file:
                if not keep_features or "features" in file.files:
                    statistics = FeatureStatistics.load(path)
                    return {"statistics": statistics, "features": file["features"] if keep_features else None}
    result = extract_features(real_images, extractor, num_samples, batch_size, 0, "real images", keep_features, False, verbose)
    if cacheable and result["digest"] == digest:
        extra = {} if result["features"] is None else {"features": result["features"]}
        result["statistics"].save(path, **extra)
    elif cacheable:
        print("kerasgan: the real images changed between two passes (shuffled?); statistics not cached.")
    return result


def compare(real_images, fake_images, extractor, num_samples=None, batch_size=50, keep_features=False, cache=True, seed=0, verbose=True):
    """`(real, fake)`: `reference_features` of the real images, `extract_features` of the fakes."""
    real = reference_features(real_images, extractor, num_samples, batch_size, keep_features, cache, verbose)
    fake = extract_features(fake_images, extractor, num_samples, batch_size, seed, "generated images", keep_features, False, verbose)
    return real, fake


MINIMUM_SAMPLES = {"pr": 4, "is": 10}


def evaluate(
    real_images,
    fake_images,
    metrics=("fid",),
    num_samples=None,
    domain=None,
    batch_size=50,
    cache=True,
    seed=0,
    verbose=True,
    inception_weights=None,
):
    """Computes several metrics with one pass over each image set per network.

    Args:
        real_images: the reference images (see the module docstring), or saved
            `FeatureStatistics` (path or object) for "fid" alone.
        fake_images: the images to judge, or a GAN.
        metrics: iterable of names from `METRICS`. Defaults to ("fid",).
        num_samples: int or None. Images taken from each set. Defaults to None (all).
        domain: str or None. "mnist" or "fashion_mnist": the classifier for "cfd"/"is".
        batch_size: int. Images per network call. Defaults to 50.
        cache: bool. Whether real statistics are cached on disk. Defaults to True.
        seed: int. Latent seed for a GAN. Defaults to 0.
        verbose: bool. Progress bars. Defaults to True.
        inception_weights: str or None. See `inception.inception_weights_path`.

    Returns:
        dict with "fid", "kid" and "kid_std", "precision" and "recall", "cfd", "is" and
        "is_std", as asked, plus "num_real" and "num_fake".
    """
    metrics = list(metrics)
    unknown = [name for name in metrics if name not in METRICS]
    if unknown or not metrics:
        raise ValueError(f"Unknown metrics. Expected names from {sorted(METRICS)}. Received: {metrics}.")
    if {"cfd", "is"} & set(metrics) and domain not in DOMAINS:
        raise ValueError(f"'cfd' and 'is' need domain= one of {DOMAINS}. Received: domain={domain!r}.")
    # Checked before any features are computed: a covariance needs 2 samples, the
    # precision/recall neighbourhoods k + 1 = 4, the classifier score's 10 splits 10.
    minimum = max(MINIMUM_SAMPLES.get(name, 2) for name in metrics)
    if num_samples is not None and num_samples < minimum:
        raise ValueError(f"Expected num_samples >= {minimum} for {metrics}. Received: num_samples={num_samples}.")
    results = {}
    groups = [("inception", [m for m in metrics if m in ("fid", "kid", "pr")])]
    groups.append((domain, [m for m in metrics if m in ("cfd", "is")]))
    for features, names in groups:
        if not names:
            continue
        extractor = feature_extractor(features, inception_weights if features == "inception" else None)
        keep = bool({"kid", "pr"} & set(names))
        real = None
        if names != ["is"]:
            real = reference_features(real_images, extractor, num_samples, batch_size, keep, cache, verbose)
            results["num_real"] = real["statistics"].count
        fake = extract_features(fake_images, extractor, num_samples, batch_size, seed, "generated images", keep, "is" in names, verbose)
        results["num_fake"] = fake["statistics"].count
        for name in names:
            if name in ("fid", "cfd"):
                results[name] = frechet_distance_from_statistics(real["statistics"], fake["statistics"])
            elif name == "kid":
                results["kid"], results["kid_std"] = kernel_distance_from_features(real["features"], fake["features"])
            elif name == "pr":
                results["precision"], results["recall"] = precision_recall_from_features(
                    real["features"], fake["features"]
                )
            elif name == "is":
                results["is"], results["is_std"] = inception_score_from_probabilities(fake["probabilities"])
    return results


def frechet_distance(real_images, fake_images, features="inception", num_samples=None, batch_size=50, cache=True, seed=0, verbose=True):
    """Frechet distance between the feature Gaussians of two image sets.

    With `features="inception"` this is the FID (`frechet_inception_distance`); with
    "mnist" or "fashion_mnist" it is kerasgan's classifier FD (fast, not comparable with
    papers). Arguments as in `evaluate`.
    """
    extractor = feature_extractor(features)
    real, fake = compare(real_images, fake_images, extractor, num_samples, batch_size, False, cache, seed, verbose)
    return frechet_distance_from_statistics(real["statistics"], fake["statistics"])


def frechet_inception_distance(real_images, fake_images, num_samples=None, batch_size=50, cache=True, seed=0, verbose=True):
    """The FID, with the reference Inception network and preprocessing.

    Example:
    ```python
    fid = kerasgan.metrics.frechet_inception_distance(test_images, gan, num_samples=2000)
    ```

    Reference:
        Heusel et al., 2017, https://arxiv.org/abs/1706.08500
    """
    return frechet_distance(real_images, fake_images, "inception", num_samples, batch_size, cache, seed, verbose)


def kernel_inception_distance(
    real_images, fake_images, num_samples=None, num_subsets=100, subset_size=1000, batch_size=50, cache=True, seed=0, verbose=True
):
    """KID `(mean, std)`: unbiased polynomial-kernel MMD^2 of Inception features over subsets.

    Reference:
        Binkowski et al., 2018, https://arxiv.org/abs/1801.01401
    """
    extractor = feature_extractor("inception")
    real, fake = compare(real_images, fake_images, extractor, num_samples, batch_size, True, cache, seed, verbose)
    return kernel_distance_from_features(real["features"], fake["features"], num_subsets, subset_size)


def inception_score(images, classifier="mnist", num_samples=None, splits=10, batch_size=50, seed=0, verbose=True):
    """The Inception Score formula `(mean, std)` over `splits` parts, with a classifier.

    The reference Inception network's 1008-way head is not in the offline weights, so
    the score uses a classifier: "mnist" or "fashion_mnist" (kerasgan's domain
    classifiers) or any extractor whose output has "probabilities". Its values are
    kerasgan's own, not the ImageNet Inception Scores of papers.

    Reference:
        Salimans et al., 2016, https://arxiv.org/abs/1606.03498
    """
    extractor = feature_extractor(classifier)
    if not extractor.has_probabilities:
        raise ValueError(f"Expected a classifier with class probabilities. Received: {extractor.name!r} features.")
    outputs = extract_features(images, extractor, num_samples, batch_size, seed, "generated images", False, True, verbose)
    return inception_score_from_probabilities(outputs["probabilities"], splits)


def precision_recall(real_images, fake_images, num_samples=None, k=3, batch_size=50, cache=True, seed=0, verbose=True):
    """Improved precision and recall `(precision, recall)` of Inception features, k=3.

    Reference:
        Kynkaanniemi et al., 2019, https://arxiv.org/abs/1904.06991
    """
    extractor = feature_extractor("inception")
    real, fake = compare(real_images, fake_images, extractor, num_samples, batch_size, True, cache, seed, verbose)
    return precision_recall_from_features(real["features"], fake["features"], k)
