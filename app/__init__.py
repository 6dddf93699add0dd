"""Axiom Drop: send files and pasted JSON to Axiom datasets."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("axiom-drop")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+src"

APP_ID = "co.axiom.AxiomDrop"
APP_NAME = "Axiom Drop"
