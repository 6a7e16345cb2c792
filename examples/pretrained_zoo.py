"""Sample from the shipped, pretrained models, then fine-tune the MNIST DCGAN on the bundled sample.

Usage: python examples/pretrained_zoo.py [--epochs 2] [--steps-per-epoch N] [--out runs/example_pretrained]
"""

import argparse
import os

import numpy as np

import kerasgan


def main(epochs=2, steps_per_epoch=None, out="runs/example_pretrained"):
    os.makedirs(out, exist_ok=True)
    for name, manifest in kerasgan.presets.pretrained().items():
        print(f"{name:22s} {manifest['check']['metric']} {manifest['check']['value']:.3g}  {manifest['description']}")

    # A conditional model: one row per digit, no training.
    cgan = kerasgan.presets.from_preset("cgan_mnist")
    labels = np.repeat(np.arange(10), 8)
    kerasgan.callbacks.save_image_grid(cgan.generate(80, seed=0, labels=labels), os.path.join(out, "digits.png"), rows=10)

    # A StyleGAN: the truncation trick trades variety for fidelity.
    stylegan = kerasgan.presets.from_preset("stylegan_emoji")
    kerasgan.callbacks.save_image_grid(stylegan.generate(16, seed=0, truncation=0.7), os.path.join(out, "emoji.png"))

    # Training goes on from the shipped generator, with a fresh discriminator.
    gan = kerasgan.presets.from_preset("dcgan_mnist", seed=0)
    dataset = kerasgan.datasets.load("mnist_sample", batch_size=64, seed=0)
    if steps_per_epoch:
        dataset = dataset.take(steps_per_epoch)
    gan.fit(dataset, epochs=epochs, callbacks=[kerasgan.callbacks.SampleGrid(out)])
    gan.save(os.path.join(out, "model.keras"))


def parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--steps-per-epoch", type=int, default=None)
    parser.add_argument("--out", default="runs/example_pretrained")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse()
    main(args.epochs, args.steps_per_epoch, args.out)
