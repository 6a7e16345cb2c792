"""Train the DCGAN preset on the bundled MNIST sample and save grids and the model.

Usage: python examples/train_dcgan_mnist.py [epochs]
"""

import sys

import kerasgan


def main(epochs=30):
    dataset = kerasgan.datasets.load("mnist_sample", batch_size=64, seed=0)
    gan = kerasgan.presets.dcgan(seed=0)
    gan.fit(
        dataset,
        epochs=epochs,
        callbacks=[
            kerasgan.callbacks.SampleGrid("runs/example_dcgan"),
            kerasgan.callbacks.TrainingCurves("runs/example_dcgan/training_curves.png"),
            kerasgan.callbacks.Checkpoint("runs/example_dcgan/model.keras"),
        ],
    )
    kerasgan.callbacks.save_image_grid(gan.generate(64, seed=1), "runs/example_dcgan/final.png")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
