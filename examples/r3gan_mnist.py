"""Train R3GAN (relativistic pairing loss with R1 + R2, a plain ResNet) on the bundled
MNIST sample; save grids, curves, the model, and the penalties the discriminator paid.

Usage: python examples/r3gan_mnist.py [--epochs 10] [--steps-per-epoch N] [--out runs/example_r3gan]
"""

import argparse
import os

import kerasgan


def main(epochs=10, steps_per_epoch=None, out="runs/example_r3gan"):
    dataset = kerasgan.datasets.load("mnist_sample", batch_size=32, seed=0)
    if steps_per_epoch:
        dataset = dataset.take(steps_per_epoch)
    gan = kerasgan.presets.r3gan(image_shape=(28, 28, 1), seed=0)
    print("loss:", gan.loss_name, "penalties:", gan.penalties)  # relativistic, [R1(5.0), R2(5.0)]
    history = gan.fit(
        dataset,
        epochs=epochs,
        callbacks=[
            kerasgan.callbacks.SampleGrid(out),
            kerasgan.callbacks.TrainingCurves(os.path.join(out, "training_curves.png")),
            kerasgan.callbacks.Checkpoint(os.path.join(out, "model.keras")),
        ],
    )
    print("last epoch: R1 %.4f, R2 %.4f" % (history.history["r1"][-1], history.history["r2"][-1]))
    # Samples come from the moving average of the generator, clipped to [-1, 1].
    kerasgan.callbacks.save_image_grid(gan.generate(64, seed=1), os.path.join(out, "final.png"))


def parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--steps-per-epoch", type=int, default=None)
    parser.add_argument("--out", default="runs/example_r3gan")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse()
    main(args.epochs, args.steps_per_epoch, args.out)
