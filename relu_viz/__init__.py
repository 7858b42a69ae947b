"""relu_viz: a desktop lab for the ReLU activation function and its family."""

__version__ = "0.1.0"
