"""
=====================================
Selecting the words that name a topic
=====================================

Text enters scikit-learn as a sparse matrix: ``TfidfVectorizer`` gives one column a word,
zero in most documents. skmi counts such a matrix from its stored values (its zeros are one
count a column, never a dense copy), and a column that is mostly zero keeps its zeros in a
bin of their own, so a word's presence is read as exactly as its weight. This example
labels the paragraphs of a few standard-library modules' docstrings by module, and asks
which words tell one module's paragraphs from the rest.
"""

# %%
# Paragraphs of docstrings, labelled by module
# --------------------------------------------
import importlib
import inspect

import matplotlib.pyplot as plt
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.feature_selection import chi2

from skmi import HistogramMI, MISelector

modules = ["json", "re", "datetime", "pathlib", "collections", "itertools"]
texts, labels = [], []
for label, name in enumerate(modules):
    module = importlib.import_module(name)
    for obj in [module] + [value for _, value in inspect.getmembers(module)]:
        for paragraph in (inspect.getdoc(obj) or "").split("\n\n"):
            words = paragraph.split()
            if len(words) >= 8 and getattr(obj, "__module__", name) in (name, "_" + name):
                texts.append(" ".join(words))
                labels.append(label)
labels = np.array(labels)
vectorizer = TfidfVectorizer(min_df=2, stop_words="english")
X = vectorizer.fit_transform(texts)
words = vectorizer.get_feature_names_out()
print(f"{X.shape[0]} paragraphs x {X.shape[1]} words, {X.nnz} stored values")
print(f"paragraphs per module: {dict(zip(modules, np.bincount(labels).tolist(), strict=True))}")

# %%
# The words that tell ``re``'s paragraphs from the others
# -------------------------------------------------------
# One target, one column a word: ``HistogramMI`` scores every word from the sparse matrix,
# with a p-value each. A word's zeros are a point mass; the weights it takes are binned, and
# a rare word's few weights are bins of one paragraph each, whose score its p-value weighs:
# ``MISelector`` with ``alpha`` keeps the best words among those significant at a false
# discovery rate of 5% (Benjamini-Hochberg over every word).
is_re = labels == modules.index("re")
mi = HistogramMI().fit(X, is_re)
selector = MISelector(HistogramMI(), k=12, alpha=0.05).fit(X, is_re)
top = np.flatnonzero(selector.get_support())
top = top[np.argsort(-mi.scores_[top])]
for j in top:
    print(f"{words[j]:>12}  MI {mi.scores_[j]:.4f} nats   p = {mi.pvalues_[j]:.1e}")
best_unfiltered = np.argsort(-mi.scores_)[:12]
print("by score alone:", ", ".join(words[best_unfiltered]))
chi2_top = np.argsort(-np.nan_to_num(chi2(X, is_re)[0]))[:12]
print("chi2's first 12:", ", ".join(words[chi2_top]))
print(f"in both skmi's and chi2's: {np.intersect1d(top, chi2_top).size} of {top.size}")

# %%
# The same matrix, dense, gives the same scores
# ---------------------------------------------
dense = HistogramMI().fit(X.toarray(), is_re)
print(f"largest difference from the dense matrix: {np.abs(dense.scores_ - mi.scores_).max():.1e}")

# %%
# The best words of each module
# -----------------------------
fig, axes = plt.subplots(2, 3, figsize=(10, 6), constrained_layout=True)
for ax, (label, name) in zip(axes.ravel(), enumerate(modules), strict=True):
    scores = HistogramMI().fit(X, labels == label).scores_
    best = np.argsort(-scores)[:8][::-1]
    ax.barh(words[best], scores[best], color="tab:blue")
    ax.set_title(name)
    ax.set_xlabel("MI (nats)")
fig.suptitle("Words that name each module's docstrings (skmi on TF-IDF, sparse)")
plt.show()
