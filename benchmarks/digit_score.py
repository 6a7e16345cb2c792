"""A digit-classifier Inception Score for comparing GAN settings on MNIST.

A small CNN is trained on the bundled sample's first 9,000 digits (about 96.5% on the
other 1,000); the score is `exp(E_x KL(p(y|x) || p(y)))` over generated digits (10 =
confident and every class equally present; real held-out digits score about 7.3). It
is kerasgan's own yardstick, not comparable with papers' Inception scores or FIDs.
"""

import keras
import numpy as np

from kerasgan.datasets import load_mnist_sample


def train_classifier(images, labels):
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(images[:9000], labels[:9000], batch_size=128, epochs=4, verbose=0)
    accuracy = model.evaluate(images[9000:], labels[9000:], verbose=0)[1]
    print(f"classifier held-out accuracy: {accuracy:.3f}")
    return model


def classifier_score(classifier, images):
    probabilities = np.asarray(classifier.predict(images, batch_size=500, verbose=0), dtype=np.float64)
    marginal = probabilities.mean(axis=0, keepdims=True)
    kl = (probabilities * (np.log(probabilities + 1e-12) - np.log(marginal + 1e-12))).sum(axis=1)
    return float(np.exp(kl.mean())), float(probabilities.max(axis=1).mean())


def digits_and_classifier(seed):
    """The bundled sample as float images in [-1, 1], its labels, and a trained classifier.

    Numpy only (uint8 / 127.5 - 1, kerasgan's pixel convention), so it runs where
    TensorFlow is not installed, such as the GPU machine.
    """
    raw_images, labels = load_mnist_sample()
    images = raw_images[..., None].astype("float32") / 127.5 - 1.0
    keras.utils.set_random_seed(seed)
    return images, labels, train_classifier(images, labels)


def parse_options(text):
    """`"a=1,b=2e-4"` -> `{"a": 1, "b": 0.0002}`: one setting of a sweep."""
    options = {}
    for item in filter(None, text.split(",")):
        key, value = item.split("=")
        options[key] = float(value) if any(c in value for c in ".e") else int(value)
    return options
