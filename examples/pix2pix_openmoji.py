"""Pix2Pix: colour OpenMoji line art, then score held-out emoji (L1, PSNR, SSIM).

The OpenMoji pairs are fetched from the npm registry and converted on first use.

Usage: python examples/pix2pix_openmoji.py [--epochs 20] [--image-size 32] [--steps-per-epoch N] [--out runs/example_pix2pix]
"""

import argparse
import os

import kerasgan


def main(epochs=20, image_size=32, steps_per_epoch=None, out="runs/example_pix2pix"):
    train = kerasgan.datasets.load_pairs("openmoji", image_size=image_size, batch_size=16, seed=0)
    if steps_per_epoch:
        train = train.take(steps_per_epoch)
    test = kerasgan.datasets.load_pairs("openmoji", split="test", image_size=image_size, shuffle=False, drop_remainder=False)
    line_art, colour = next(iter(test))
    model = kerasgan.presets.pix2pix(image_shape=(image_size, image_size, 3), seed=0)
    model.fit(
        train,
        epochs=epochs,
        callbacks=[
            kerasgan.callbacks.SampleGrid(out, num_images=8, examples=(line_art, colour)),
            kerasgan.callbacks.TrainingCurves(os.path.join(out, "training_curves.png")),
            kerasgan.callbacks.Checkpoint(os.path.join(out, "model.keras")),
        ],
    )
    scores = kerasgan.metrics.evaluate_translation(model, test, metrics=["l1", "psnr", "ssim"])
    print("held-out OpenMoji:", {name: round(value, 4) for name, value in scores.items()})


def parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--steps-per-epoch", type=int, default=None)
    parser.add_argument("--out", default="runs/example_pix2pix")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse()
    main(args.epochs, args.image_size, args.steps_per_epoch, args.out)
