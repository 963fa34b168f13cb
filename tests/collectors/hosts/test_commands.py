"""The fixed command list (quoting, refusals) and the parsers of its output. In process, no server."""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime

import pytest

from collectors.hosts.commands import COMMANDS, CommandError, command
from collectors.hosts.jvm import detect_product, gc_logging, jvm_from_args, parse_size, split_command
from collectors.hosts.parsers import (
    OutputError,
    mount_for,
    parse_df,
    parse_df_inodes,
    parse_file_listing,
    parse_limits,
    parse_meminfo,
    parse_oom_events,
    parse_processes,
)
from collectors.hosts.target import ProductDirs
from collectors.model import Product

READ_ONLY_PROGRAMS = {
    "uname",
    "cat",
    "getconf",
    "df",
    "stat",
    "date",
    "ps",
    "ls",
    "readlink",
    "find",
    "tail",
    "dmesg",
    "journalctl",
    "grep",
}


SAMPLE_ARGS = {"pid": 4242, "count": 1, "path": "/opt/x", "paths": ["/opt/x", "/opt/y"], "program": "jcmd"}


def test_every_listed_command_runs_one_read_only_program_and_nothing_else():
    for cmd in COMMANDS.values():
        line = cmd.render(**{name: SAMPLE_ARGS[kind] for name, kind in cmd.args.items()})
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        tokens = [t for t in lexer if not re.match(r"^[A-Z_]+=", t)]  # LC_ALL=C for the program
        assert tokens[0] in READ_ONLY_PROGRAMS | {"jcmd"}, cmd.name
        operators = [t for t in tokens if t and set(t) <= set("|&;<>()")]
        assert operators == [], (cmd.name, operators)  # no pipes, redirections or second commands


def test_arguments_are_quoted_so_they_cannot_become_commands():
    line = command("read_file").render(path="/opt/x; rm -rf / #")
    assert shlex.split(line) == ["cat", "--", "/opt/x; rm -rf / #"]
    line = command("list_logs").render(paths=["/a b", "/c$(id)"], as_user="jira", timeout_s=20)
    assert shlex.split(line)[:8] == ["timeout", "-k", "5", "20", "sudo", "-n", "-u", "jira"]
    assert "/a b" in shlex.split(line) and "/c$(id)" in shlex.split(line)


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("rm", {}, "'rm' is not on the list of commands the agent may run"),
        ("read_file", {"path": "relative/path"}, "read_file: 'relative/path' is not an absolute path"),
        ("proc_limits", {"pid": "1; reboot"}, "proc_limits: pid must be a process id, got '1; reboot'"),
        ("jcmd_threads", {"program": "/bin/sh", "pid": 1}, "jcmd_threads: '/bin/sh' is not jcmd or jstack"),
        ("uname", {"extra": 1}, "uname takes [], got ['extra']"),
    ],
)
def test_anything_off_the_list_is_refused(name, args, message):
    with pytest.raises(CommandError) as caught:
        command(name).render(**args)
    assert str(caught.value) == message


def test_only_commands_that_may_switch_user_take_a_user_and_it_must_be_a_user_name():
    with pytest.raises(CommandError, match="never runs as another user"):
        command("uname").render(as_user="jira")
    with pytest.raises(CommandError, match="not a valid user name"):
        command("read_file").render(path="/x", as_user="jira; id")


DF = """Filesystem     Type     1-blocks        Used   Available Capacity Mounted on
/dev/vda1      ext4  52710469632 20340113408 29664886784      41% /
tmpfs          tmpfs  1661194240     1187840  1660006400       1% /run
/dev/vdb1      xfs  536608768000 1234567890 535374200110       1% /var/atlassian application data
"""
DF_I = """Filesystem      Inodes  IUsed   IFree IUse% Mounted on
/dev/vda1      3276800 412345 2864455   13% /
/dev/vdb1            -      -       -     - /var/atlassian application data
"""


def test_df_and_inodes_with_a_mount_point_holding_spaces():
    filesystems = parse_df(DF)
    assert [(f.mount, f.fstype, f.size) for f in filesystems] == [
        ("/", "ext4", 52710469632),
        ("/run", "tmpfs", 1661194240),
        ("/var/atlassian application data", "xfs", 536608768000),
    ]
    assert parse_df_inodes(DF_I) == {"/": (3276800, 412345), "/var/atlassian application data": (None, None)}
    assert mount_for("/var/atlassian application data/jira", [f.mount for f in filesystems]) == (
        "/var/atlassian application data"
    )
    with pytest.raises(OutputError):
        parse_df("df: invalid option -- 'T'\n")


def test_meminfo_uses_available_not_free():
    memory = parse_meminfo(
        "MemTotal:       16000000 kB\nMemFree:          200000 kB\nMemAvailable:    9000000 kB\n"
        "SwapTotal:       2000000 kB\nSwapFree:        1500000 kB\n"
    )
    assert (memory.total, memory.available, memory.swap_used) == (
        16000000 * 1024,
        9000000 * 1024,
        500000 * 1024,
    )


def test_limits_and_processes():
    limits = parse_limits(
        "Limit                     Soft Limit           Hard Limit           Units     \n"
        "Max processes             4096                 127431               processes \n"
        "Max open files            65536                65536                files     \n"
        "Max locked memory         unlimited            unlimited            bytes     \n"
    )
    assert (limits["Max processes"].soft, limits["Max open files"].hard) == (4096, 65536)
    assert limits["Max locked memory"].soft is None
    [row] = parse_processes("   4242 jira      259200 9437184  412 /opt/jira/jre/bin/java -Xmx8g -Dx=a b c\n")
    assert (row.pid, row.user, row.elapsed_s, row.threads, row.args) == (
        4242,
        "jira",
        259200,
        412,
        "/opt/jira/jre/bin/java -Xmx8g -Dx=a b c",
    )


def test_file_listing():
    [entry] = parse_file_listing("12350\t1764151763.2005250000\t/var/log/atlassian-jira.log\nbroken line\n")
    assert (entry.path, entry.size, entry.modified.year) == ("/var/log/atlassian-jira.log", 12350, 2025)


BOOT = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_oom_kills_from_dmesg_the_journal_and_syslog():
    dmesg = (
        "[86400.123456] Out of memory: Killed process 4242 (java) total-vm:12345678kB, anon-rss:9000000kB, "
        "file-rss:0kB, shmem-rss:0kB, UID:1001 pgtables:20000kB oom_score_adj:0\n"
        "[86401.000000] oom_reaper: reaped process 4242 (java)\n"
    )
    [event] = parse_oom_events(dmesg, BOOT, NOW)
    assert (event.pid, event.process, event.rss_kb) == (4242, "java", 9000000)
    assert event.at == datetime(2026, 11, 21, 0, 0, 0, 123456, tzinfo=UTC)
    journal = "2026-11-25T03:14:15+0000 node1 kernel: Memory cgroup out of memory: Killed process 77 (node) total-vm:1kB\n"
    [event] = parse_oom_events(journal, None, NOW)
    assert (event.pid, event.at) == (77, datetime(2026, 11, 25, 3, 14, 15, tzinfo=UTC))
    syslog = "Nov 24 08:00:01 node1 kernel: [1234.5] Killed process 99 (java) total-vm:1kB, anon-rss:2kB\n"
    [event] = parse_oom_events(syslog, None, NOW)
    assert event.at == datetime(2026, 11, 24, 8, 0, 1, tzinfo=UTC)
    older = "Out of memory: Kill process 4242 (java) score 912 or sacrifice child\n"
    assert parse_oom_events(older, BOOT, NOW) == []  # the choice, not the kill: the kill line follows


def test_jvm_options_the_last_one_wins():
    args = [
        "/opt/jdk/bin/java",
        "-Xms1g",
        "-Xmx2g",
        "-XX:+UseParallelGC",
        "-Xmx4096m",
        "-XX:+UseG1GC",
        "-cp",
        "/opt/jira/lib/*",
        "org.apache.catalina.startup.Bootstrap",
        "start",
    ]
    options, main = split_command(args)
    assert main == "org.apache.catalina.startup.Bootstrap" and options[-2:] == ["-cp", "/opt/jira/lib/*"]
    jvm = jvm_from_args(1, args, host_product=Product.JIRA, dirs=ProductDirs(install="/opt/jira"))
    assert (jvm.xmx, jvm.xms, jvm.garbage_collector, jvm.role) == (4096 * 1024**2, 1024**3, "G1", "product")
    assert (parse_size("512k"), parse_size("2G"), parse_size("x")) == (512 * 1024, 2 * 1024**3, None)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["-Xlog:gc*:file=/x/gc.log:time"], "-Xlog:gc*:file=/x/gc.log:time"),
        (["-Xlog:safepoint,gc+heap=debug:file=/x"], "-Xlog:safepoint,gc+heap=debug:file=/x"),
        (["-Xlog:gc*:file=/x", "-Xlog:disable"], None),
        (["-Xloggc:/x/gc.log", "-XX:+PrintGCDetails"], "-XX:+PrintGCDetails"),
        (["-Xlog:safepoint:file=/x"], None),
        ([], None),
    ],
)
def test_gc_logging(options, expected):
    assert gc_logging(options) == expected


@pytest.mark.parametrize(
    ("args", "product"),
    [
        (["java", "-Datlassian.standalone=JIRA", "org.apache.catalina.startup.Bootstrap"], Product.JIRA),
        (
            ["java", "-Dcatalina.base=/opt/atlassian/confluence", "org.apache.catalina.startup.Bootstrap"],
            Product.CONFLUENCE,
        ),
        (
            [
                "java",
                "-jar",
                "/opt/bb/app/WEB-INF/lib/x.jar",
                "com.atlassian.bitbucket.internal.launcher.BitbucketServerLauncher",
            ],
            Product.BITBUCKET,
        ),
        (["java", "-Xmx1g", "org.elasticsearch.bootstrap.Elasticsearch"], None),
    ],
)
def test_products_are_recognised_by_their_command_line(args, product):
    assert detect_product(args) == product


def test_several_files_read_by_one_grep_split_back():
    from collectors.hosts.parsers import file_errors, parse_cpu_list, split_files

    paths = ["/proc/uptime", "/etc/os-release", "/opt/jira/conf/server.xml"]
    text = (
        '/proc/uptime:5435.28 4278.58\n/etc/os-release:NAME="Debian"\n/etc/os-release:ID=debian\n'
        '/opt/jira/conf/server.xml:<Server port="8005">\n'
    )
    assert split_files(text, paths) == {
        "/proc/uptime": "5435.28 4278.58\n",
        "/etc/os-release": 'NAME="Debian"\nID=debian\n',
        "/opt/jira/conf/server.xml": '<Server port="8005">\n',
    }
    errors = file_errors("grep: /opt/jira/conf/server.xml: Permission denied\n", paths)
    assert errors == {"/opt/jira/conf/server.xml": "grep: /opt/jira/conf/server.xml: Permission denied"}
    assert (parse_cpu_list("0-7\n"), parse_cpu_list("0,2-5,9")) == (8, 6)
    with pytest.raises(OutputError):
        parse_cpu_list("zero")
