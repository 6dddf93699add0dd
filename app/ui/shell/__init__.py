"""The window's frame: start-up, the main window holding every area, the status bar."""
