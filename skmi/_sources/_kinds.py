"""What kind of input an array is: the one place that asks.

Every source, and ``kind_of`` that picks one, reads the kind of an input from these
questions; no other module of skmi tests for dask, device or sparse arrays.
"""

import scipy.sparse as sp
from sklearn.externals.array_api_compat import (
    array_namespace,
    is_dask_array,
    is_numpy_array,
    is_pydata_sparse_array,
)


def is_dask_collection(a):
    """Whether ``a`` is a dask collection, without importing dask."""
    return type(a).__module__.partition(".")[0] in ("dask", "dask_expr")


def is_dask_frame(a):
    """Whether ``a`` is a dask DataFrame or Series, which becomes a dask array
    (``to_dask_array``)."""
    return is_dask_collection(a) and hasattr(a, "to_dask_array")


def is_device_array(a):
    """Whether ``a`` is an array of a namespace other than numpy (torch, cupy, ...). Dask
    arrays (chunks counted where they are, then summed) and sparse arrays are not: they
    have sources of their own."""
    if is_numpy_array(a) or is_dask_array(a) or is_pydata_sparse_array(a):
        return False
    try:
        array_namespace(a)
    except TypeError:
        return False
    return True


def is_numpy(a):
    """Whether ``a`` is a numpy array."""
    return is_numpy_array(a)


def is_sparse(a):
    """Whether ``a`` is a SciPy sparse matrix or array."""
    return sp.issparse(a)


def is_sparse_rows(a):
    """Whether ``a`` is a SciPy sparse matrix or array of compressed rows (CSR)."""
    return sp.issparse(a) and a.format == "csr"
