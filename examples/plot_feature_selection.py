"""
=======================================
Feature selection with histogram MI
=======================================

:class:`~skmi.HistogramMI` is a score function: scikit-learn's
:class:`~sklearn.feature_selection.SelectKBest` takes it as it takes
:func:`~sklearn.feature_selection.mutual_info_classif`, and a grid search can tune its bin
count through ``<step>__score_func__n_bins``. :class:`~skmi.MISelector` does the same job
as one step. Here both select features of the breast cancer data set for a logistic
regression, and the histogram scores, with their standard errors, are drawn beside the
nearest-neighbour (KSG) scores of :func:`~sklearn.feature_selection.mutual_info_classif`.
"""

# %%
# A score function in a pipeline
# -------------------------------
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import spearmanr
from sklearn.datasets import load_breast_cancer
from sklearn.feature_selection import SelectKBest, mutual_info_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skmi import HistogramMI, MISelector

data = load_breast_cancer()
X_train, X_test, y_train, y_test = train_test_split(
    data.data, data.target, test_size=0.3, stratify=data.target, random_state=0
)

pipe = Pipeline(
    [
        ("scale", StandardScaler()),
        ("select", SelectKBest(HistogramMI())),
        ("model", LogisticRegression(max_iter=1000)),
    ]
)
grid = GridSearchCV(
    pipe,
    {"select__score_func__n_bins": [4, 8, "hacine-gharbi"], "select__k": [3, 10]},
    cv=StratifiedKFold(5, shuffle=True, random_state=0),
)
grid.fit(X_train, y_train)
print("best parameters:", grid.best_params_)
print(f"test accuracy: {grid.score(X_test, y_test):.3f}")

# %%
# The same with MISelector
# ------------------------
# :class:`~skmi.MISelector` fits a :class:`~skmi.HistogramMI` of its own (``estimator``), so
# the grid reaches the binning as ``select__estimator__n_bins``; its fitted ``estimator_``
# keeps the p-values and standard errors.
pipe = Pipeline(
    [
        ("scale", StandardScaler()),
        ("select", MISelector(HistogramMI())),
        ("model", LogisticRegression(max_iter=1000)),
    ]
)
grid = GridSearchCV(
    pipe,
    {"select__estimator__n_bins": [4, 8, "hacine-gharbi"], "select__k": [3, 10]},
    cv=StratifiedKFold(5, shuffle=True, random_state=0),
)
grid.fit(X_train, y_train)
print("best parameters:", grid.best_params_)
print(f"test accuracy: {grid.score(X_test, y_test):.3f}")
selected = grid.best_estimator_.named_steps["select"].get_support()
print("selected:", ", ".join(data.feature_names[selected]))

# %%
# Scores, standard errors and the KSG estimate
# --------------------------------------------
# The fitted :class:`~skmi.HistogramMI` gives each score a delta-method standard error.
# The KSG estimator of scikit-learn measures the same quantity without bins; it ranks the
# features much as the histogram does.
mi = HistogramMI().fit(X_train, y_train)
ksg = mutual_info_classif(X_train, y_train, random_state=0)
order = np.argsort(mi.scores_)[::-1]
position = np.arange(order.size)

fig, ax = plt.subplots(figsize=(7, 7))
ax.barh(
    position - 0.2,
    mi.scores_[order],
    height=0.4,
    xerr=mi.standard_errors_[order],
    label="HistogramMI ± 1 standard error",
)
ax.barh(position + 0.2, ksg[order], height=0.4, label="mutual_info_classif (KSG)")
ax.set_yticks(position, labels=data.feature_names[order], fontsize=8)
ax.invert_yaxis()
ax.set_xlabel("mutual information with the diagnosis (nats)")
ax.set_ylabel("feature (sorted by HistogramMI score)")
ax.set_title("Breast cancer features: histogram MI beside KSG")
ax.legend(loc="lower right")
fig.tight_layout()

# %%
# Rank agreement between the two estimators:
print(f"Spearman correlation of the scores: {spearmanr(mi.scores_, ksg).statistic:.2f}")
