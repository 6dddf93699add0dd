"""Qt building blocks every area uses: colours, the row table model and view, the failures table,
an eliding label, rich-text escaping, number formats, splitter sizing."""
