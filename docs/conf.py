"""Sphinx configuration for skmi's documentation.

Build with ``sphinx-build -b html docs docs/_build/html`` (needs the ``docs`` extra).
"""

import os
import sys

# The docs document the checkout they sit in, not whatever skmi is installed.
sys.path.insert(0, os.path.abspath(".."))

import skmi

project = "skmi"
author = "skmi developers"
copyright = "skmi developers"
version = release = skmi.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
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

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "scipy": ("https://docs.scipy.org/doc/scipy/", None),
    "sklearn": ("https://scikit-learn.org/stable/", None),
}

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
}

html_theme = "alabaster"
html_title = f"skmi {release}"
