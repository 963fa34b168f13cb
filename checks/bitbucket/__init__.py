"""Built-in checks that only make sense for Bitbucket Server and Data Center. One check per module."""
