"""Choosing where to send: profile, token and dataset."""
