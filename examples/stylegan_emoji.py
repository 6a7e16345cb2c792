"""StyleGAN2 with adaptive augmentation on Noto Emoji at 32 px.

The emoji are fetched from npm and converted on first use. After training, it writes
grids with and without the truncation trick, and a style-mixing grid: each row keeps
the coarse styles (layers before the crossover) of one latent and takes the fine
styles of the latent of each column.

Usage: python examples/stylegan_emoji.py [--epochs 30] [--steps-per-epoch N] [--out runs/example_stylegan]
"""

import argparse
import os

import numpy as np

import kerasgan


def main(epochs=30, steps_per_epoch=None, out="runs/example_stylegan"):
    train = kerasgan.datasets.load("emoji", image_size=32, batch_size=32, seed=0)
    if steps_per_epoch:
        train = train.take(steps_per_epoch)
    gan = kerasgan.presets.stylegan(image_shape=(32, 32, 3), seed=0)
    gan.fit(
        train,
        epochs=epochs,
        callbacks=[
            kerasgan.callbacks.SampleGrid(out, num_images=64),
            kerasgan.callbacks.TrainingCurves(os.path.join(out, "training_curves.png")),
            kerasgan.callbacks.Checkpoint(os.path.join(out, "model.keras")),
        ],
    )
    for truncation in (1.0, 0.7):
        images = gan.generate(64, seed=1, truncation=truncation)
        kerasgan.callbacks.save_image_grid(images, os.path.join(out, f"truncation_{truncation:g}.png"))
    rows, columns = np.random.default_rng(2).standard_normal((2, 6, gan.latent_dim)).astype("float32")
    mixed = [gan.style_mix(np.repeat(rows[i : i + 1], 6, axis=0), columns, crossover=4) for i in range(6)]
    kerasgan.callbacks.save_image_grid(np.concatenate(mixed), os.path.join(out, "style_mixing.png"), rows=6)


def parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--steps-per-epoch", type=int, default=None)
    parser.add_argument("--out", default="runs/example_stylegan")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse()
    main(args.epochs, args.steps_per_epoch, args.out)
