"""Built-in checks for Fisheye/Crucible: its repositories. One check per module."""
