"""The image-to-image family: Pix2Pix (paired) and CycleGAN (unpaired)."""
