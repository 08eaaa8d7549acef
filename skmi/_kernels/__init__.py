"""Compiled kernels (Cython, built at install), one module per concern. Imported by
``skmi._backends`` only."""
