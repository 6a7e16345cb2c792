"""The mlp family: networks and presets."""
