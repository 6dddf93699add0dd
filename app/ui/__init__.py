"""The window: a thin Qt layer over app.core (no upload logic here)."""
