"""Built-in checks that only make sense for Crowd: its directories and their synchronisation. One check
per module."""
