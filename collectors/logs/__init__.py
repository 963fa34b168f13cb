"""Log intelligence: read Atlassian logs and support zips fast, and summarise what happened."""
