"""The fixed list of read-only commands the agent may run on a customer's host.

Nothing else is ever run: a collector asks for a command by name, with typed arguments that are
validated and shell-quoted here. Every command only reads (files under /proc, `df`, `ps`, `find`,
`cat`/`tail` of product files, the kernel log, a JVM thread dump). Those that can hang (anything
touching a filesystem that may be a stale NFS mount, a JVM attach) are wrapped in `timeout`, so a
command the agent gave up on does not linger on the host.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

_USER = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}\$?$", re.I)
_PROGRAMS = frozenset({"jcmd", "jstack"})
_ASSIGNMENTS = re.compile(r"^((?:[A-Z_]+=\S+ )*)(.*)$", re.S)


class CommandError(ValueError):
    """A command was asked for with an argument that is not allowed; nothing was run."""


@dataclass(frozen=True)
class Command:
    name: str
    template: str  # {sudo} is the optional "sudo -n -u USER -- " prefix; other fields are arguments
    args: Mapping[str, str] = field(default_factory=dict)  # argument name -> kind
    sudo: bool = False  # may run as another user (the configured sudo user, or a JVM's owner)
    may_hang: bool = False  # touches product filesystems or a JVM: wrapped in timeout

    def render(self, *, as_user: str | None = None, timeout_s: float | None = None, **values: object) -> str:
        """The command line to run, every argument validated and quoted."""
        return self.line(values, as_user=as_user, timeout_s=timeout_s)

    def line(
        self, values: Mapping[str, object], *, as_user: str | None = None, timeout_s: float | None = None
    ) -> str:
        """``render`` with the arguments in a mapping, as a session holds them."""
        expected = dict(self.args)
        if set(values) != set(expected):
            raise CommandError(f"{self.name} takes {sorted(expected)}, got {sorted(values)}")
        if as_user is not None and not self.sudo:
            raise CommandError(f"{self.name} never runs as another user")
        quoted = {name: _quote(self.name, name, kind, values[name]) for name, kind in expected.items()}
        sudo = f"sudo -n -u {shlex.quote(_user(self.name, as_user))} -- " if as_user else ""
        line = self.template.format(sudo=sudo, **quoted)
        if timeout_s is not None and self.may_hang:
            # coreutils timeout ends the command on the host if the agent stopped waiting for it;
            # a leading VAR=value stays in front, for the shell to pass on
            assignments, command_line = _ASSIGNMENTS.match(line).groups()  # type: ignore[union-attr]  # matches any line
            line = f"{assignments}timeout -k 5 {max(1, round(timeout_s))} {command_line}"
        return line


def _user(command: str, user: str | None) -> str:
    if user is None or not _USER.match(user):
        raise CommandError(f"{command}: {user!r} is not a valid user name")
    return user


def _path(command: str, value: object) -> str:
    text = str(value)
    if not text.startswith("/") or any(c in text for c in "\0\n\r"):
        raise CommandError(f"{command}: {text!r} is not an absolute path")
    return text


def _quote(command: str, name: str, kind: str, value: object) -> str:
    if kind == "pid":
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise CommandError(f"{command}: {name} must be a process id, got {value!r}")
        return str(value)
    if kind == "count":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise CommandError(f"{command}: {name} must be a whole number, got {value!r}")
        return str(value)
    if kind == "path":
        return shlex.quote(_path(command, value))
    if kind == "paths":
        if isinstance(value, str) or not isinstance(value, Sequence) or not value:
            raise CommandError(f"{command}: {name} must be a non-empty list of paths")
        return " ".join(shlex.quote(_path(command, v)) for v in value)
    if kind == "program":
        text = str(value)
        base = text.rsplit("/", 1)[-1]
        bad_path = text != base and not text.startswith("/")
        if base not in _PROGRAMS or bad_path or any(c in text for c in "\0\n"):
            raise CommandError(f"{command}: {text!r} is not jcmd or jstack")
        return shlex.quote(text)
    raise CommandError(f"{command}: unknown argument kind {kind!r}")


def _cmd(name: str, template: str, sudo: bool = False, hangs: bool = False, **args: str) -> Command:
    return Command(name, template, args, sudo, hangs)


# The list. Keep it read-only: a reviewer must be able to check every line here at a glance.
# hangs=True: it reads a filesystem that may be a stale network mount, or attaches to a JVM.
_LOG_GREP = "grep -h -i -E 'out of memory|killed process|oom-kill' --"
COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        _cmd("uname", "uname -snrm"),
        # several small files in one process, each line prefixed with its file's name
        _cmd("system_files", "grep -a -H '' -- {paths}", paths="paths"),
        _cmd("read_files", "{sudo}grep -a -H '' -- {paths}", True, True, paths="paths"),
        _cmd("df", "LC_ALL=C df -P -T -B1", hangs=True),
        _cmd("df_inodes", "LC_ALL=C df -P -i", hangs=True),
        _cmd("mount_of", "{sudo}stat -L --printf '%n\\t%m\\n' -- {paths}", True, True, paths="paths"),
        _cmd("clock", "date +%s.%N"),
        _cmd("processes", "ps -e -ww -o pid=,user:32=,etimes=,rss=,nlwp=,args="),
        _cmd("user_threads", "ps -e -L -o user:32="),
        _cmd("proc_cmdline", "cat /proc/{pid}/cmdline", pid="pid"),
        _cmd("proc_limits", "cat /proc/{pid}/limits", pid="pid"),
        _cmd("proc_fds", "{sudo}ls -1U /proc/{pid}/fd", sudo=True, pid="pid"),
        _cmd("proc_exe", "{sudo}readlink /proc/{pid}/exe", sudo=True, pid="pid"),
        _cmd("java_release", "cat -- {path}", hangs=True, path="path"),
        _cmd("read_file", "{sudo}cat -- {path}", sudo=True, hangs=True, path="path"),
        _cmd(
            "list_logs",
            "{sudo}find {paths} -maxdepth 1 -type f -printf '%s\\t%T@\\t%p\\n'",
            sudo=True,
            hangs=True,
            paths="paths",
        ),
        _cmd("read_log", "{sudo}tail -c +{start} -- {path}", True, True, start="count", path="path"),
        _cmd("dmesg", "dmesg"),
        _cmd(
            "journal_kernel",
            "journalctl -k -q --no-pager -o short-iso --since=-{hours}h",
            hangs=True,
            hours="count",
        ),
        _cmd("kern_log", f"{_LOG_GREP} /var/log/kern.log"),
        _cmd("messages_log", f"{_LOG_GREP} /var/log/messages"),
        _cmd(
            "jcmd_threads", "{sudo}{program} {pid} Thread.print -l", True, True, program="program", pid="pid"
        ),
        _cmd("jstack", "{sudo}{program} -l {pid}", True, True, program="program", pid="pid"),
    )
}


def command(name: str) -> Command:
    try:
        return COMMANDS[name]
    except KeyError:
        raise CommandError(f"{name!r} is not on the list of commands the agent may run") from None
