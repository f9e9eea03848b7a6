"""Training: batch augmentation, pen digits as images, and `fit`."""
