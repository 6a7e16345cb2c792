"""The dcgan family: networks and presets."""
