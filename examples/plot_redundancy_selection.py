"""
=================================================
Selection that sees copies and interactions
=================================================

Univariate selection ranks each feature by its own mutual information with the target. On
data with copies of a strong feature it keeps the copies, and a pair of features that
matter only together (an XOR) looks like noise to it. :class:`~skmi.MISelector`'s greedy
methods judge each candidate by what it adds to the features already picked, from two- and
three-way count tables. Here the target is ``b XOR c`` in 80% of the rows, otherwise ``b``:
``c`` says nothing of ``y`` on its own, but a lot once ``b`` is known. The data hold ``b``,
two exact copies of it, ``c`` and 16 noise columns, all binary and measured with noise.
"""

# %%
# The data
# --------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from skmi import MISelector

rng = np.random.default_rng(0)
n = 3000
X = rng.integers(0, 2, size=(n, 18)) + 0.2 * rng.normal(size=(n, 18))
b, c = X[:, 0] > 0.5, X[:, 1] > 0.5
y = np.where(rng.random(n) < 0.8, b ^ c, b).astype(int)
X = np.column_stack([X[:, 0], X[:, 0], X[:, 0], X[:, 1:]])  # two exact copies of b
names = ["b", "b copy", "b copy", "c"] + [f"noise {i}" for i in range(16)]

# %%
# What each method keeps
# ----------------------
# With ``k = 2`` univariate selection keeps ``b`` and a copy: each is as informative as
# ``b``, and ``c`` says nothing of ``y`` alone. JMI, CMIM and DISR judge each candidate
# together with ``b`` and take ``c``. mRMR skips the copies too, but judges ``c`` by its
# own relevance, which is at the noise level: its second pick is a coin toss between ``c``
# and the noise columns. A gradient-boosting model on the kept columns shows what each
# choice is worth.
methods = ["univariate", "mrmr", "jmi", "cmim", "disr"]
cv = StratifiedKFold(3, shuffle=True, random_state=0)
for method in methods:
    selector = MISelector(k=2, method=method).fit(X, y)
    kept = [names[j] for j in selector.ranking_[:2]]
    model = make_pipeline(
        MISelector(k=2, method=method), HistGradientBoostingClassifier(max_iter=30)
    )
    accuracy = cross_val_score(model, X, y, cv=cv).mean()
    print(f"{method:>10}: {', '.join(kept):<24} accuracy {accuracy:.3f}")

# %%
# Where adding features stops paying
# ----------------------------------
# ``criterion_`` holds the value each pick maximised. For CMIM it is what the pick adds
# given the picked feature that explains it best, in nats: after ``b`` and ``c`` it drops
# to the noise level, which says that ``k = 2`` is enough. JMI's value is what a pick says
# of ``y`` together with each earlier pick, on average: a copy of ``b`` says as much with
# ``c`` as ``b`` does, so JMI takes the copies third and fourth, and its value decays
# slowly. Copies of a strong pick are JMI's weak spot, and CMIM's minimum its remedy.
fig, ax = plt.subplots(figsize=(6, 3.5))
for method in ["jmi", "cmim"]:
    selector = MISelector(k=8, method=method).fit(X, y)
    ax.plot(np.arange(1, 9), selector.criterion_[:8], "o-", label=method)
ax.set_xlabel("pick")
ax.set_ylabel("criterion at the pick (nats)")
ax.legend()
ax.set_title("Greedy criteria, pick by pick")
fig.tight_layout()
plt.show()
