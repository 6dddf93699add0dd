"""The upload queue as a table, its actions, and the details of the selected upload."""
