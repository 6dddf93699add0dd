"""The Files tab's upper half: dropped files as cards, their overrides and a preview."""
