"""The 3-D family: voxel GANs (Wu et al. 2016)."""
