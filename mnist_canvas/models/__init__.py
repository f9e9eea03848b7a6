"""Models: the registry of architectures, checkpoints, and running a model."""
