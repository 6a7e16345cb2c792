"""Sweeps DCGAN settings on the bundled MNIST sample and scores the samples.

Each setting gets, on 2,000 generated digits (benchmarks/digit_score.py): the share
that kerasgan's MNIST classifier reads with probability >= 0.9 ("readable"; the
bundled real digits score about 0.99), the classifier FD and the classifier score: fast
yardsticks for comparing settings, not numbers comparable with papers. A sample grid
per setting is written to --out. "Rarest digit" is the share of the rarest class among
the readable digits (0.1 at best): a collapsed generator can be all readable.

Usage: KERAS_BACKEND=tensorflow python benchmarks/tune_dcgan.py --epochs 30 --out /tmp/tune
       [--configs base_filters=32 base_filters=64,d_lr=4e-4 r1=0.1,ema=0.999 ...]

Options of a config: base_filters, g_filters, d_filters, lr, g_lr, d_lr, beta_2,
label_smoothing, r1 (weight of an R1 penalty), fresh_fakes (1: the generator update
draws its own fakes instead of reusing the discriminator update's), ema (decay; the EMA generator is
scored), minibatch (1: minibatch standard deviation in the discriminator), batch_size,
epochs, top_k (the share of fakes kept at the end of top-k training, after Sinha et al.
2020: the generator learns from the fakes the discriminator rates most real; here the
share falls linearly from 1 over the first 10 epochs, where the paper shrinks it by 0.99
an epoch), codes (InfoGAN, Chen et al. 2016: a categorical code
of that many values beside z, which the discriminator's second head must recover from
the fakes; samples cycle through the codes), conditional (1: the `cgan` preset, trained
on the sample's labels; samples cycle through the classes). codes and conditional take
no other option but epochs and batch_size.
"""

import argparse
import os
import time

import keras
import numpy as np
from digit_score import classifier_metrics, digits, parse_options, readable
from keras import ops

import kerasgan
from kerasgan import losses, parts
from kerasgan.callbacks import save_image_grid
from kerasgan.families.preset import adam
from kerasgan.guards import check_training_data
from kerasgan.models import ACGAN, GAN
from kerasgan.networks import acgan_discriminator, dcgan_discriminator, dcgan_generator


class TopKGAN(GAN):
    """The non-saturating generator loss on the top-k fakes only (Sinha et al. 2020)."""

    def __init__(self, *args, keep=0.5, anneal_steps=1570, **kwargs):
        super().__init__(*args, **kwargs)
        self.keep, self.anneal_steps = keep, anneal_steps

    def generator_loss(self, fake_outputs, labels=None, real_outputs=None):
        logits = ops.reshape(ops.cast(fake_outputs, "float32"), (-1,))
        progress = ops.cast(self.g_optimizer.iterations, "float32") / self.anneal_steps
        share = ops.maximum(self.keep, 1.0 - (1.0 - self.keep) * progress)
        k = ops.maximum(ops.floor(share * ops.cast(ops.shape(logits)[0], "float32")), 1.0)
        ranked = ops.flip(ops.sort(logits), axis=0)  # most real first
        kept = ops.cast(ops.arange(ops.shape(logits)[0]) < ops.cast(k, "int32"), "float32")
        return ops.sum(ops.softplus(-ranked) * kept) / k


class InfoGAN(ACGAN):
    """Unsupervised categorical codes: the ACGAN step with codes drawn at random for the
    fakes and no class term on the real images (they have no labels)."""

    def check_data(self, data):
        check_training_data(data, self.image_shape, None)  # images only

    def unpack(self, data):
        images = data[0] if isinstance(data, (tuple, list)) else data
        codes = keras.random.randint((ops.shape(images)[0],), 0, self.num_classes, seed=self.seed_generator)
        return images, codes

    def discriminator_loss(self, real_outputs, fake_outputs, labels=None):
        adversarial = GAN.discriminator_loss(self, real_outputs[0], fake_outputs[0])
        return adversarial + self.class_loss_weight * losses.auxiliary_classifier_loss(labels, fake_outputs[1])


def build(config, seed, steps_per_epoch):
    if config.get("conditional"):
        return kerasgan.presets.cgan(seed=seed)
    base_filters = config.get("base_filters", 32)
    g_filters, d_filters = config.get("g_filters", base_filters), config.get("d_filters", base_filters)
    if config.get("codes"):
        codes = config["codes"]
        gan = InfoGAN(
            dcgan_generator((28, 28, 1), 100, g_filters, num_classes=codes),
            acgan_discriminator((28, 28, 1), codes, d_filters),
            codes,
            latent_dim=100,
            reuse_fakes=True,
            seed=seed,
        )
        gan.compile(d_optimizer=adam(2e-4), g_optimizer=adam(2e-4))
        return gan
    model, options = GAN, {}
    if config.get("top_k"):
        model, options = TopKGAN, {"keep": config["top_k"], "anneal_steps": 10 * steps_per_epoch}
    gan = model(
        dcgan_generator((28, 28, 1), 100, base_filters=g_filters),
        dcgan_discriminator(
            (28, 28, 1),
            base_filters=d_filters,
            minibatch="stddev" if config.get("minibatch") else None,
        ),
        label_smoothing=config.get("label_smoothing", 0.0),
        penalties=[losses.R1(config["r1"])] if config.get("r1") else [],
        ema=parts.EMA(config["ema"]) if config.get("ema") else None,
        reuse_fakes=not config.get("fresh_fakes"),
        seed=seed,
        **options,
    )
    lr = config.get("lr", 2e-4)
    beta_2 = config.get("beta_2", 0.999)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(config.get("d_lr", lr), beta_1=0.5, beta_2=beta_2),
        g_optimizer=keras.optimizers.Adam(config.get("g_lr", lr), beta_1=0.5, beta_2=beta_2),
    )
    return gan


OPTIONS = {
    "base_filters", "g_filters", "d_filters", "lr", "g_lr", "d_lr", "beta_2", "label_smoothing", "r1",
    "fresh_fakes", "ema", "minibatch", "batch_size", "epochs", "top_k", "codes", "conditional",
}
ALONE = {"codes", "conditional"}  # other presets: only epochs and batch_size apply to them


def check_config(text, config):
    unknown = sorted(set(config) - OPTIONS)
    if unknown:
        raise SystemExit(f"error: {text!r}: unknown options {unknown}. Expected some of {sorted(OPTIONS)}.")
    if set(config) & ALONE and set(config) - ALONE - {"epochs", "batch_size"}:
        raise SystemExit(f"error: {text!r}: codes and conditional take no other option but epochs and batch_size.")


class ReadableEvery(keras.callbacks.Callback):
    """Prints the readable share every `every` epochs, of the 2,000 samples that are scored
    at the end drawn four ways (unconditional GANs)."""

    def __init__(self, every, text):
        super().__init__()
        self.every, self.text = every, text
        self.latents = np.random.default_rng(1).standard_normal((2000, 100)).astype("float32")  # generate(2000, seed=1)'s

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        scores = [f"{name} {readable(self.model.generate_from(scale * self.latents))[0]:.3f}" for name, scale in [("samples", 1.0), ("z x 0.7", 0.7), ("z x 0.5", 0.5)]]
        # A training-mode pass moves the BatchNorm statistics: put them back after it.
        generator = self.model.generator
        statistics = [ops.copy(variable.value) for variable in generator.non_trainable_variables]
        images = ops.convert_to_numpy(generator(self.latents, training=True))
        for variable, value in zip(generator.non_trainable_variables, statistics):
            variable.assign(value)
        scores.append(f"BatchNorm training mode {readable(images)[0]:.3f}")
        print(f"{self.text} epoch {epoch + 1}: readable " + ", ".join(scores), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--out", default="runs/tune_dcgan")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--configs", nargs="*", default=["base_filters=32"])
    parser.add_argument(
        "--every", type=int, default=0,
        help="also score every N epochs: the samples, the latents scaled by 0.7 and 0.5 (truncation), "
        "and the generator's BatchNorm in training mode (unconditional configs)",
    )
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    images, labels = digits()
    configs = {text: parse_options(text) for text in args.configs}
    for text, config in configs.items():  # every config is checked before the first trains
        check_config(text, config)
        if args.every and set(config) & ALONE:
            raise SystemExit(f"error: --every scores unconditional GANs only. Received: {text!r}")
    for text, config in configs.items():
        keras.utils.set_random_seed(args.seed)
        batch_size = config.get("batch_size", args.batch_size)
        gan = build(config, args.seed, steps_per_epoch=-(-len(images) // batch_size))
        epochs = config.get("epochs", args.epochs)
        start = time.perf_counter()
        callbacks = [ReadableEvery(args.every, text)] if args.every else []
        gan.fit(images, labels if config.get("conditional") else None, batch_size=batch_size, epochs=epochs, verbose=0, callbacks=callbacks)
        seconds = time.perf_counter() - start
        samples = gan.generate(2000, seed=1)
        scores = classifier_metrics(images, samples)
        name = text.replace(",", "_").replace("=", "") or "default"
        save_image_grid(samples[:64], os.path.join(args.out, f"{name}.png"), title=text)
        print(
            f"{text:45s} epochs {epochs}: readable {scores['readable']:.3f} (rarest digit {scores['rarest']:.3f}), classifier FD {scores['cfd']:.2f}, "
            f"score {scores['is']:.2f}, {seconds:.0f} s ({keras.backend.backend()})",
            flush=True,
        )


if __name__ == "__main__":
    main()
