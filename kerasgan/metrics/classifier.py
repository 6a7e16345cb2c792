"""Domain classifiers for digits and clothes: a fast feature extractor and class scores.

A small CNN trained on MNIST (or Fashion-MNIST) gives 128-d features for a Frechet
distance that runs in seconds on a CPU (the "classifier FD") and class probabilities
for a classifier score (the Inception Score formula with this classifier). These
numbers are kerasgan's own: they compare runs with each other, not with papers, which
use the Inception network (`kerasgan.metrics.frechet_inception_distance`).

The trained models ship as package data in `kerasgan/saved_models/`
(`scripts/train_domain_classifiers.py` makes them).
"""

import hashlib
import os

import keras
import numpy as np

from kerasgan.files import SAVED_MODELS_DIR

__all__ = ["DOMAINS", "DomainClassifier", "build_domain_classifier", "default_classifier_path"]

DOMAINS = ("mnist", "fashion_mnist")
IMAGE_SHAPE = (28, 28, 1)
FEATURE_DIM = 128


def default_classifier_path(domain):
    """`kerasgan/saved_models/<domain>_classifier.keras`, installed with the package."""
    if domain not in DOMAINS:
        raise ValueError(f"Unknown classifier domain. Expected one of {DOMAINS}. Received: {domain!r}.")
    return os.path.join(SAVED_MODELS_DIR, f"{domain}_classifier.keras")


def build_domain_classifier(num_classes=10):
    """28x28x1 images in [-1, 1] -> class logits; the layer "features" is 128-d."""
    layers = keras.layers
    inputs = keras.Input(IMAGE_SHAPE, name="images")
    x = inputs
    for filters in (32, 64):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(128, 3, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.GlobalAveragePooling2D()(x)
    features = layers.Dense(FEATURE_DIM, activation="relu", name="features")(x)
    logits = layers.Dense(num_classes, name="logits")(layers.Dropout(0.3)(features))
    return keras.Model(inputs, logits, name="domain_classifier")


def _file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class DomainClassifier:
    """Features and class probabilities of 28x28 grey images in [-1, 1].

    Args:
        domain: str. "mnist" or "fashion_mnist". Defaults to "mnist".
        path: str or None. A `.keras` classifier with a layer named "features"; None
            uses `saved_models/<domain>_classifier.keras`. Defaults to None.
    """

    has_probabilities = True

    def __init__(self, domain="mnist", path=None):
        path = path or default_classifier_path(domain)
        if not os.path.exists(path):
            raise FileNotFoundError(
                f"No {domain} classifier at {path}. Train it with "
                f"`python scripts/train_domain_classifiers.py --domains {domain}`."
            )
        try:
            model = keras.models.load_model(path, compile=False)
            features = model.get_layer("features").output
        except Exception as error:
            raise ValueError(
                f"{path} is not a kerasgan domain classifier (a .keras model with a layer named "
                f"'features'): {error}"
            ) from error
        self.model = keras.Model(model.inputs[0], [features, model.outputs[0]])
        self.name = domain
        self.dim = int(features.shape[-1])
        self.identity = f"{domain}-classifier-{_file_sha256(path)[:12]}"

    def __call__(self, images):
        images = np.asarray(images, np.float32)
        if images.shape[1:] != IMAGE_SHAPE:
            raise ValueError(
                f"The {self.name} classifier expects images of shape {IMAGE_SHAPE}. "
                f"Received: {images.shape[1:]}. Use the Inception metrics for other images."
            )
        features, logits = self.model.predict_on_batch(images)
        logits = np.asarray(logits, np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        return {
            "features": np.asarray(features, np.float32),
            "probabilities": probabilities / probabilities.sum(axis=1, keepdims=True),
        }
