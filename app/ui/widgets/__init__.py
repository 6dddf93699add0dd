"""Small Qt building blocks every area uses: colours, the row table model, an eliding label."""
