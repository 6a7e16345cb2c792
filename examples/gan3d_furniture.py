"""3D-GAN: 32^3 voxel furniture from the Sweet Home 3D catalogues, rendered as shaded views.

Chairs, tables, sofas and beds (164 training shapes), mirrored at random, batch 16: 150
epochs took 5.6 minutes on a 2-core CPU that another training job shared. The furniture
is fetched from Debian's archive and voxelised on first use.

Usage: python examples/gan3d_furniture.py [--epochs 150] [--steps-per-epoch N] [--out runs/example_gan3d]
"""

import argparse
import os

import kerasgan
from kerasgan.render import render_voxels

CATEGORIES = ["chair", "table", "sofa", "bed"]


def main(epochs=150, steps_per_epoch=None, out="runs/example_gan3d"):
    train = kerasgan.datasets.load_voxels("furniture", categories=CATEGORIES, batch_size=16, mirror=True, seed=0)
    if steps_per_epoch:
        train = train.take(steps_per_epoch)
    gan = kerasgan.presets.gan3d(seed=0)
    gan.fit(
        train,
        epochs=epochs,
        verbose=2,
        callbacks=[kerasgan.callbacks.SampleGrid(out, num_images=16, every_n_epochs=max(1, epochs // 10))],
    )
    gan.save(os.path.join(out, "model.keras"))
    kerasgan.callbacks.save_image_grid(render_voxels(gan.generate(16, seed=0)), os.path.join(out, "furniture.png"))
    # Coverage and minimum matching distance (1 - IoU) against the training shapes.
    real, _ = kerasgan.datasets.voxel_arrays("furniture", categories=CATEGORIES)
    scores = kerasgan.metrics.coverage_and_mmd(gan.generate(len(real), seed=1), real)
    print("against the training shapes:", {name: round(value, 3) for name, value in scores.items()})


def parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--steps-per-epoch", type=int, default=None)
    parser.add_argument("--out", default="runs/example_gan3d")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse()
    main(args.epochs, args.steps_per_epoch, args.out)
