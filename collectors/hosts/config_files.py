"""The product's own configuration files (database, Tomcat connectors, JVM options), redacted.

They are what a consultant reads first: pool sizes in dbconfig.xml, maxThreads in server.xml, heap
flags in setenv.sh. Every one holds or may hold a password, so the text is redacted before it is
kept; a file that is not there is simply absent from the list (products differ).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from collectors.hosts.model import ConfigFile, HostErrorKind
from collectors.hosts.target import ProductDirs
from collectors.model import Product

CALL = "config_files"

# role -> (directory attribute of ProductDirs, path below it)
_COMMON = (("server_xml", "install", "conf/server.xml"), ("setenv", "install", "bin/setenv.sh"))
_BY_PRODUCT: dict[Product | None, tuple[tuple[str, str, str], ...]] = {
    Product.JIRA: (("dbconfig", "home", "dbconfig.xml"), *_COMMON),
    Product.CONFLUENCE: (("confluence_cfg", "home", "confluence.cfg.xml"), *_COMMON),
    Product.BAMBOO: (("bamboo_cfg", "home", "bamboo.cfg.xml"), *_COMMON),
    Product.CROWD: (
        ("crowd_cfg", "shared_home", "crowd.cfg.xml"),
        ("crowd_cfg", "home", "shared/crowd.cfg.xml"),
        ("server_xml", "install", "apache-tomcat/conf/server.xml"),
        ("setenv", "install", "apache-tomcat/bin/setenv.sh"),
    ),
    Product.BITBUCKET: (
        ("bitbucket_properties", "shared_home", "bitbucket.properties"),
        ("bitbucket_properties", "home", "shared/bitbucket.properties"),
    ),
    Product.FECRU: (("fecru_config", "home", "config.xml"),),
    None: _COMMON,
}


def config_paths(product: Product | None, dirs: ProductDirs) -> list[tuple[str, str]]:
    """(role, absolute path) of the configuration files to read for ``product``."""
    found = []
    for role, attribute, relative in _BY_PRODUCT.get(product, _COMMON):
        base = getattr(dirs, attribute)
        if base:
            found.append((role, posixpath.join(base, relative)))
    return found


Reader = Callable[[str], tuple[bytes | None, bool, tuple[HostErrorKind, str] | None]]


def collect_config_files(
    product: Product | None, dirs: ProductDirs, read: Reader, redact: Callable[[str], str]
) -> tuple[list[ConfigFile], list[tuple[str, HostErrorKind, str]]]:
    """The files that exist, redacted; and (path, kind, message) for those that could not be read.

    ``read(path)`` returns (content or None, truncated, failure or None).
    """
    files: list[ConfigFile] = []
    failures: list[tuple[str, HostErrorKind, str]] = []
    for role, path in config_paths(product, dirs):
        content, truncated, failure = read(path)
        if content is None:
            if failure is not None and failure[0] is not HostErrorKind.NOT_FOUND:
                failures.append((path, failure[0], failure[1]))
            continue
        text = redact(content.decode("utf-8", "replace"))
        files.append(ConfigFile(role=role, path=path, content=text, truncated=truncated))
    return files, failures
