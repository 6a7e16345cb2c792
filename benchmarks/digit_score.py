"""A digit-classifier Inception Score for comparing GAN settings on MNIST.

A small CNN is trained on the bundled sample's first 9,000 digits (about 96.5% on the
other 1,000); the score is `exp(E_x KL(p(y|x) || p(y)))` over generated digits (10 =
confident and every class equally present; real held-out digits score about 7.3). It
is kerasgan's own yardstick, not comparable with papers' Inception scores or FIDs.
"""

import keras
import numpy as np


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
