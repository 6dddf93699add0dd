"""Axiom Drop: send files and pasted JSON to Axiom datasets."""

# The one place the version is written (pyproject.toml reads it from here): no importlib.metadata
# look-up at start-up, and a frozen bundle needs no package metadata.
__version__ = "0.1.0"

APP_ID = "co.axiom.AxiomDrop"
APP_NAME = "Axiom Drop"
