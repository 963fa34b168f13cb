"""JVM checks: run once per collected host, on the product JVMs found there (host scope)."""
