"""skmi: histogram mutual information and entropy for scikit-learn."""

from skmi._binner import EntropyBinner
from skmi._histogram_mi import HistogramMI
from skmi._mutual_info import (
    histogram_entropy,
    histogram_mi_classif,
    histogram_mi_regression,
)
from skmi._pairwise import pairwise_histogram_mi
from skmi._pairwise_estimator import PairwiseHistogramMI
from skmi._selector import MISelector

__version__ = "0.1.0"

__all__ = [
    "EntropyBinner",
    "HistogramMI",
    "MISelector",
    "PairwiseHistogramMI",
    "histogram_entropy",
    "histogram_mi_classif",
    "histogram_mi_regression",
    "pairwise_histogram_mi",
]
