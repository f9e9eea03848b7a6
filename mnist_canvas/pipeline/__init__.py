"""The preprocessing pipeline: named, switchable steps from ink to a model's input."""
