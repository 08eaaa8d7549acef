"""Sphinx configuration for skmi's documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html`` (needs the ``docs`` extra); the
build needs no network, and CI (``.ci/run``) fails on any warning.
"""

import importlib
import sys
from pathlib import Path

# The docs document the checkout they sit in, not whatever skmi is installed, where the
# checkout imports in place. A compiled build's sources do not (their kernels are built by
# pip install): then the installed skmi is documented, which in CI is this checkout.
CHECKOUT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CHECKOUT))
try:
    import skmi
except ImportError:
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != CHECKOUT]
    for name in [name for name in sys.modules if name.split(".")[0] == "skmi"]:
        del sys.modules[name]
    skmi = importlib.import_module("skmi")

project = "skmi"
author = "skmi developers"
copyright = "skmi developers"
version = release = skmi.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "_templates", "Thumbs.db", ".DS_Store"]
root_doc = "index"
default_role = "literal"

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
# numpydoc lists members from the docstrings; autosummary's own member tables would repeat them.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# No intersphinx: the build must work offline, so references to numpy, scipy and
# scikit-learn objects render as code without links.

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "reference_url": {"skmi": None},
    "doc_module": ("skmi",),
    "backreferences_dir": "generated/backreferences",
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "remove_config_comments": True,
    # Run every example on every build (they take seconds), so that a build never shows the
    # output of an older skmi; a failing example fails the build.
    "run_stale_examples": True,
}

html_theme = "alabaster"
html_title = f"skmi {release}"


def _skip_scikit_learn_plumbing(app, what, name, obj, skip, options):
    """Leave out the members the estimators inherit from scikit-learn's private utilities.

    ``set_output``, ``get_metadata_routing`` and the ``set_*_request`` methods come from
    ``sklearn.utils``; their docstrings refer to labels of scikit-learn's own documentation,
    which do not exist here. The interface that scikit-learn's public mixins give the
    estimators (``fit_transform``, ``get_support``, ``get_params``...) is still documented,
    and api.rst points to scikit-learn for the rest.
    """
    module = getattr(obj, "__module__", None) or getattr(type(obj), "__module__", "")
    if what == "class" and module.startswith("sklearn.utils."):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_scikit_learn_plumbing)
