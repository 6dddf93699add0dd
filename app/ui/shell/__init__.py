"""The window's frame: start-up, the main window, the status bar and the shared AppContext."""
