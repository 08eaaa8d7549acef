"""numba kernels, one module per concern. Imported by ``skmi._backends`` only."""
