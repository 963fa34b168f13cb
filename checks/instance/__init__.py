"""Built-in checks that apply to any product instance: reachability, credentials, the API itself,
licences, version support, ATST, cluster nodes and apps. One check per module."""
