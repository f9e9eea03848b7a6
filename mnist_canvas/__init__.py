"""mnist-canvas: draw digits and see why an MNIST model reads them right or wrong."""

__version__ = "0.1.0"
