"""Train the DCGAN preset on the bundled MNIST sample; save grids, curves and the model.

Usage: python examples/dcgan_mnist.py [--epochs 30] [--steps-per-epoch N] [--out runs/example_dcgan]
"""

import argparse
import os

import kerasgan


def main(epochs=30, steps_per_epoch=None, out="runs/example_dcgan"):
    dataset = kerasgan.datasets.load("mnist_sample", batch_size=64, seed=0)
    if steps_per_epoch:
        dataset = dataset.take(steps_per_epoch)
    gan = kerasgan.presets.dcgan(seed=0)
    gan.fit(
        dataset,
        epochs=epochs,
        callbacks=[
            kerasgan.callbacks.SampleGrid(out),
            kerasgan.callbacks.TrainingCurves(os.path.join(out, "training_curves.png")),
            kerasgan.callbacks.Checkpoint(os.path.join(out, "model.keras")),
        ],
    )
    kerasgan.callbacks.save_image_grid(gan.generate(64, seed=1), os.path.join(out, "final.png"))


def parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--steps-per-epoch", type=int, default=None)
    parser.add_argument("--out", default="runs/example_dcgan")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse()
    main(args.epochs, args.steps_per_epoch, args.out)
