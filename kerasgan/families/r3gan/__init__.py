"""The R3GAN family (Huang et al. 2024): a relativistic pairing loss with R1 and R2 on
a normalisation-free ResNet."""
