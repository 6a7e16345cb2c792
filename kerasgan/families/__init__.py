"""Model families, one folder each: its networks, its model class if it needs one, its
presets. A family imports the engine, layers and losses, never another family."""
