"""Built-in checks for Atlassian Cloud sites (Jira, Confluence, Bitbucket Cloud). One check per module."""
