"""The numbers for the tricks on every GAN (docs/presets.md): feature matching and minibatch layers.

Protocol: the dcgan preset's networks and optimizers (base 32, Adam(2e-4, 0.5), seed 0)
on the bundled 10,000-digit MNIST sample, batch 64, `--epochs` epochs, once as they
are and once per trick: `feature_matching=True` (the layer feeding D's output),
`minibatch="stddev"` and `minibatch="discrimination"` in the discriminator. Each is
scored by the Frechet distance in the MNIST domain classifier's features (`cfd`) of
2,000 samples against the 10,000 training digits, and its grid goes to `--out`.

    python benchmarks/tricks.py --epochs 5
"""

import argparse
import json
import os
import time

import keras

import kerasgan
from kerasgan.callbacks import save_image_grid
from kerasgan.families.preset import adam, seeded
from kerasgan.networks import dcgan_discriminator, dcgan_generator

VARIANTS = {
    "plain": ({}, None),
    "feature_matching": ({"feature_matching": True}, None),
    "minibatch_stddev": ({}, "stddev"),
    "minibatch_discrimination": ({}, "discrimination"),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS))
    parser.add_argument("--out", default="runs/tricks")
    parser.add_argument("--results", default="docs/results/tricks_cpu.jsonl")
    args = parser.parse_args()
    images, _ = kerasgan.datasets.load_mnist_sample()
    real = images.astype("float32")[..., None] / 127.5 - 1.0
    os.makedirs(args.out, exist_ok=True)
    for name in args.variants:
        options, minibatch = VARIANTS[name]
        seeded(0)
        gan = kerasgan.GAN(
            dcgan_generator((28, 28, 1), 100, 32),
            dcgan_discriminator((28, 28, 1), 32, minibatch=minibatch),
            seed=0,
            **options,
        )
        gan.compile(d_optimizer=adam(2e-4), g_optimizer=adam(2e-4))
        start = time.time()
        gan.fit(kerasgan.datasets.load("mnist_sample", batch_size=64, seed=0), epochs=args.epochs, verbose=0)
        seconds = time.time() - start
        save_image_grid(gan.generate(64, seed=0), os.path.join(args.out, f"{name}.png"))
        cfd = kerasgan.metrics.frechet_distance(real, gan.generate(2000, seed=1), features="mnist", verbose=False)
        row = {"variant": name, "epochs": args.epochs, "seconds": round(seconds, 1), "cfd": round(float(cfd), 2),
               "backend": keras.backend.backend(), "samples": 2000, "reference": "mnist_sample (10,000)"}
        print(json.dumps(row), flush=True)
        with open(args.results, "a") as file:
            file.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
