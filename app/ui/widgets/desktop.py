"""Opening things with the desktop (a folder in the file manager, a page in the browser).

One seam, so tests record what would be opened instead of starting a file manager or browser.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices


def _open(url: QUrl) -> bool:
    return QDesktopServices.openUrl(url)


opener: Callable[[QUrl], bool] = _open  # tests replace it


def open_url(url: str | QUrl) -> bool:
    return opener(url if isinstance(url, QUrl) else QUrl(url))


def open_folder(path: str | Path) -> bool:
    """The folder itself, or the folder holding a file."""
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    return opener(QUrl.fromLocalFile(str(folder)))
