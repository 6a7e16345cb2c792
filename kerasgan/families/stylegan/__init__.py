"""The style-based family: StyleGAN2 generator and residual discriminator at small resolution."""
