"""Built-in checks for Bamboo: server state, remote agents, build queue. One check per module."""
