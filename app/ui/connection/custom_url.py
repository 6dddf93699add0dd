"""The Custom URL dialog: a self-hosted proxy or another Axiom-compatible endpoint, by its base
URL, with an optional edge URL for ingest (as AXIOM_URL and AXIOM_EDGE_URL are for the CLI; the
routing is core/axiom/routing.from_urls), and the profile's name. Sized for its placeholders."""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit

from app.ui.widgets.fitting import fit_line_edit

BASE_EXAMPLE = "https://axiom.example.com"
EDGE_EXAMPLE = "https://eu-central-1.aws.edge.axiom.co"


def validate_url(url: str, what: str = "base URL") -> str | None:
    """A sentence saying what is wrong with a URL, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"Enter a full {what} starting with https:// (for example {BASE_EXAMPLE})."
    return None


class CustomUrlDialog(QDialog):
    """Base URL, optional edge URL, and name."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Custom URL")
        self.setAccessibleName("Custom URL dialog")
        self.url_edit = QLineEdit(self)
        self.url_edit.setPlaceholderText(BASE_EXAMPLE)
        self.url_edit.setAccessibleName("Base URL")
        self.url_edit.setToolTip("The base URL: API calls and ingest (/v1/datasets/<dataset>/ingest) go under it, "
                                 "as with AXIOM_URL. An Axiom edge (…edge.axiom.co) takes ingest only")
        self.edge_edit = QLineEdit(self)
        self.edge_edit.setPlaceholderText(f"optional, e.g. {EDGE_EXAMPLE}")
        self.edge_edit.setAccessibleName("Edge URL")
        self.edge_edit.setToolTip("Where ingest goes (/v1/ingest/<dataset>), as with AXIOM_EDGE_URL; API calls "
                                  "stay on the base URL. Empty: ingest goes to the base URL's legacy path")
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("defaults to the host name")
        self.name_edit.setAccessibleName("Profile name")
        self.name_edit.setToolTip("How this endpoint is named in the profile list")
        for edit in (self.url_edit, self.edge_edit, self.name_edit):
            fit_line_edit(edit, BASE_EXAMPLE)
        note = QLabel("API calls go to the base URL; uploads go to the edge URL when one is given.", self)
        note.setWordWrap(True)
        note.setAccessibleName("How the URLs are used")
        form = QFormLayout(self)
        form.addRow("Base URL:", self.url_edit)
        form.addRow("Edge URL:", self.edge_edit)
        form.addRow("Name:", self.name_edit)
        form.addRow(note)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
