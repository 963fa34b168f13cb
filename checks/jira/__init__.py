"""Built-in checks that only make sense for Jira (Software, Service Management). One check per module."""
