"""The Paste JSON tab."""
