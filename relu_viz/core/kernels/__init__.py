"""Fast NumPy kernels: the ReLU family (masks, in place) and the smooth activations."""
