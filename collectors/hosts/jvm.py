"""Java processes: found by command line (a process's name is only its 15-character `comm`), and
their options read the way the JVM reads them: for a repeated option, the last one wins.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from collectors.hosts.model import HostErrorKind, JvmProcess
from collectors.hosts.parsers import (
    count_by_user,
    parse_cmdline,
    parse_java_release,
    parse_limits,
    parse_processes,
)
from collectors.hosts.session import Ask, HostSession
from collectors.hosts.target import ProductDirs
from collectors.model import Product

TOMCAT_MAIN = "org.apache.catalina.startup.Bootstrap"

# What in a command line says which product a JVM runs (Atlassian's launchers and setenv.sh files).
_PRODUCT_MARKERS: tuple[tuple[Product, tuple[str, ...]], ...] = (
    (
        Product.BITBUCKET,
        ("com.atlassian.bitbucket.internal.launcher", "com.atlassian.stash.internal.launcher"),
    ),
    (Product.JIRA, ("-Datlassian.standalone=JIRA", "-Djira.home=")),
    (Product.CONFLUENCE, ("-Dconfluence.home=", "-Dconfluence.context.path=")),
    (Product.BAMBOO, ("-Dbamboo.home=",)),
    (Product.CROWD, ("-Dcrowd.home=",)),
    (Product.FECRU, ("fisheyeboot.jar", "-Dfisheye.inst=")),
)
# A Tomcat whose catalina.base names the product (Jira, Confluence, Bamboo and Crowd ship Tomcat).
_TOMCAT_PRODUCTS = (Product.JIRA, Product.CONFLUENCE, Product.BAMBOO, Product.CROWD)

# Options that take the next argument as their value (so it is not the main class).
_WITH_VALUE = frozenset(
    {
        "-cp",
        "-classpath",
        "--class-path",
        "-p",
        "--module-path",
        "--add-modules",
        "--add-opens",
        "--add-exports",
        "--add-reads",
        "--patch-module",
        "--limit-modules",
        "--upgrade-module-path",
    }
)

_LEGACY_GC_LOGGING = frozenset({"-verbose:gc", "-XX:+PrintGC", "-XX:+PrintGCDetails"})
_SIZE = re.compile(r"^(\d+)([kKmMgGtT]?)$")
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_GCS = {
    "UseG1GC": "G1",
    "UseParallelGC": "Parallel",
    "UseParallelOldGC": "Parallel",
    "UseZGC": "ZGC",
    "UseShenandoahGC": "Shenandoah",
    "UseConcMarkSweepGC": "CMS",
    "UseSerialGC": "Serial",
}


def is_java(args: Sequence[str]) -> bool:
    return bool(args) and posixpath.basename(args[0]) == "java"


def parse_size(text: str) -> int | None:
    """A JVM size ("2g", "512m", "1048576") in bytes."""
    match = _SIZE.match(text)
    if not match:
        return None
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def split_command(args: Sequence[str]) -> tuple[list[str], str | None]:
    """(JVM options, main class or jar) of a java command line."""
    options: list[str] = []
    i = 1
    while i < len(args):
        arg = args[i]
        if arg in ("-jar", "--jar") and i + 1 < len(args):
            return options, args[i + 1]
        if arg in ("-m", "--module") and i + 1 < len(args):
            return options, args[i + 1]
        if not arg.startswith("-"):
            return options, arg
        options.append(arg)
        if arg in _WITH_VALUE and i + 1 < len(args):
            options.append(args[i + 1])
            i += 1
        i += 1
    return options, None


def _last_size(options: Sequence[str], prefixes: Sequence[str]) -> int | None:
    value = None
    for option in options:
        for prefix in prefixes:
            if option.startswith(prefix):
                size = parse_size(option[len(prefix) :])
                if size is not None:
                    value = size
    return value


def garbage_collector(options: Sequence[str]) -> str | None:
    chosen = None
    for option in options:
        match = re.match(r"^-XX:([+-])(\w+)$", option)
        if match and match.group(2) in _GCS:
            if match.group(1) == "+":
                chosen = _GCS[match.group(2)]
            elif chosen == _GCS[match.group(2)]:
                chosen = None
    return chosen


def gc_logging(options: Sequence[str]) -> str | None:
    """The option that turns GC logging on (the last one that decides), or None."""
    enabling = None
    for option in options:
        if option.startswith("-Xlog:"):
            spec = option[len("-Xlog:") :]
            if spec.startswith("disable"):
                enabling = None
            elif re.match(r"^[^:]*\bgc\b", spec):
                enabling = option
        elif option.startswith("-Xloggc:") or option in _LEGACY_GC_LOGGING:
            enabling = option
        elif option in ("-XX:-PrintGC", "-XX:-PrintGCDetails") and enabling in (
            "-XX:+PrintGC",
            "-XX:+PrintGCDetails",
        ):
            enabling = None
    return enabling


def max_ram_percentage(options: Sequence[str]) -> float | None:
    value = None
    for option in options:
        if option.startswith("-XX:MaxRAMPercentage="):
            try:
                value = float(option.split("=", 1)[1])
            except ValueError:
                continue
    return value


def system_property(options: Sequence[str], name: str) -> str | None:
    value = None
    for option in options:
        if option.startswith(f"-D{name}="):
            value = option.split("=", 1)[1]
    return value


def detect_product(args: Sequence[str]) -> Product | None:
    line = " ".join(args)
    for product, markers in _PRODUCT_MARKERS:
        if any(marker in line for marker in markers):
            return product
    options, main = split_command(args)
    base = (system_property(options, "catalina.base") or "").lower()
    if main == TOMCAT_MAIN and base:
        for product in _TOMCAT_PRODUCTS:
            if product.value in base:
                return product
    return None


def _mentions(args: Sequence[str], dirs: ProductDirs) -> bool:
    paths = [p.rstrip("/") for p in (dirs.install, dirs.home, dirs.shared_home) if p]
    return any(path and (path + "/" in arg or arg.endswith(path)) for arg in args for path in paths)


def jvm_from_args(
    pid: int,
    args: Sequence[str],
    *,
    host_product: Product | None,
    dirs: ProductDirs,
    user: str | None = None,
) -> JvmProcess:
    """A JvmProcess from an exact command line; the caller fills in what /proc and limits say."""
    options, main = split_command(args)
    product = detect_product(args)
    role = "other"
    if _mentions(args, dirs) or (product is not None and product == host_product):
        role = "product"
        product = product or host_product
    elif product is not None and host_product is None:
        role = "product"
    executable = args[0] if args and args[0].startswith("/") else None
    return JvmProcess(
        pid=pid,
        user=user,
        product=product,
        role=role,
        main=main,
        arguments=list(options),
        executable=executable,
        java_home=java_home_of(executable) if executable else None,
        xms=_last_size(options, ("-Xms", "-XX:InitialHeapSize=")),
        xmx=_last_size(options, ("-Xmx", "-XX:MaxHeapSize=")),
        max_ram_percentage=max_ram_percentage(options),
        garbage_collector=garbage_collector(options),
        gc_logging=gc_logging(options) is not None,
        gc_log_option=gc_logging(options),
    )


def java_home_of(executable: str) -> str | None:
    """/opt/jdk-17/bin/java -> /opt/jdk-17."""
    bin_dir = posixpath.dirname(executable)
    return posixpath.dirname(bin_dir) if posixpath.basename(bin_dir) == "bin" else None


def release_files(java_home: str) -> list[str]:
    """Where a JDK or JRE keeps its ``release`` file (a Java 8 JRE inside a JDK: one level up)."""
    paths = [posixpath.join(java_home, "release")]
    if posixpath.basename(java_home) == "jre":
        paths.append(posixpath.join(posixpath.dirname(java_home), "release"))
    return paths


def dump_tools(java_home: str | None) -> list[str]:
    """jcmd first (it is what Atlassian support asks for), then jstack; the JVM's own, then the PATH's."""
    homes = [java_home] if java_home else []
    if java_home and posixpath.basename(java_home) == "jre":
        homes.append(posixpath.dirname(java_home))
    tools = [posixpath.join(home, "bin", name) for home in homes for name in ("jcmd", "jstack")]
    return [*tools, "jcmd", "jstack"]


# --- discovery over the fixed commands (SSH; the local collector uses psutil) -------------------------


def discover_jvms(session: HostSession, now: datetime) -> list[JvmProcess] | None:
    """Every Java process with its options; for the product's JVMs also limits, files, threads, version.

    A few round trips whatever the number of JVMs: the process list, the exact command lines of the
    Java ones in one batch, then (with a product JVM) the threads per user, and per product JVM its
    limits and descriptors in one batch and its JDK's release file.
    """
    rows = session.parsed("jvms", parse_processes, "processes")
    if not isinstance(rows, list):
        return None
    java = [row for row in rows if is_java(row.args.split(" ", 1))]
    lines = session.batch(
        [Ask(f"jvm.{row.pid}.cmdline", "proc_cmdline", {"pid": row.pid}, quiet=True) for row in java]
    )
    target = session.target
    jvms = []
    for row, raw in zip(java, lines, strict=True):
        # /proc/PID/cmdline keeps arguments with spaces apart; ps's text is the fallback
        args = parse_cmdline(raw.stdout) if raw is not None and raw.stdout else row.args.split()
        jvm = jvm_from_args(row.pid, args, host_product=target.product, dirs=target.dirs, user=row.user)
        started = now - timedelta(seconds=row.elapsed_s) if row.elapsed_s is not None else None
        jvms.append(
            jvm.model_copy(
                update={
                    "uptime_s": row.elapsed_s,
                    "started_at": started,
                    "rss": row.rss_kb * 1024 if row.rss_kb is not None else None,
                    "threads": row.threads,
                }
            )
        )
    if not any(j.role == "product" for j in jvms):
        return jvms
    per_user = session.parsed("jvm.user_threads", count_by_user, "user_threads")  # what nproc counts
    counts = per_user if isinstance(per_user, Counter) else None
    return [_details(session, j, counts) if j.role == "product" else j for j in jvms]


def owner_switch(session: HostSession, owner: str | None) -> str | None:
    """The user to run as (sudo) to read a process's own files: None when the login user may already."""
    login = session.runner.login_user
    if owner is None or owner == login or login == "root":
        return None
    return owner


def _details(session: HostSession, jvm: JvmProcess, per_user: Counter[str] | None) -> JvmProcess:
    pid = jvm.pid
    switch = owner_switch(session, jvm.user)
    asks = [
        Ask(f"jvm.{pid}.limits", "proc_limits", {"pid": pid}),
        Ask(f"jvm.{pid}.open_files", "proc_fds", {"pid": pid}, switch),
    ]
    if jvm.java_home is None:  # started as plain "java": the executable says which JDK
        asks.append(Ask(f"jvm.{pid}.executable", "proc_exe", {"pid": pid}, switch))
    limits_out, fds_out, *exe_out = session.batch(asks)
    update: dict[str, object] = {}
    limits = session.parse(f"jvm.{pid}.limits", "proc_limits", limits_out, parse_limits)
    if isinstance(limits, dict):
        update["max_open_files"] = limits.get("Max open files")
        update["max_processes"] = limits.get("Max processes")
    if fds_out is not None:
        update["open_files"] = len([line for line in fds_out.stdout.splitlines() if line.strip()])
    if per_user is not None and jvm.user:
        update["user_threads"] = per_user.get(jvm.user, 0)
    java_home = jvm.java_home
    exe = exe_out[0].stdout.decode("utf-8", "replace").strip() if exe_out and exe_out[0] is not None else ""
    if java_home is None and exe.startswith("/"):
        java_home = java_home_of(exe)
        update["executable"], update["java_home"] = exe, java_home
    if java_home:
        paths = release_files(java_home)
        results = session.batch(
            [Ask(f"jvm.{pid}.java_version", "java_release", {"path": p}, quiet=True) for p in paths]
        )
        found = next((r for r in results if r is not None and r.stdout), None)
        if found is not None:
            version, vendor = parse_java_release(found.stdout.decode("utf-8", "replace"))
            update["java_version"], update["java_vendor"] = version, vendor
        else:
            kind, message = session.last_failure or (HostErrorKind.NOT_FOUND, "no release file")
            session.fail(f"jvm.{pid}.java_version", kind, f"Java version of {java_home}: {message}")
    return jvm.model_copy(update=update)
