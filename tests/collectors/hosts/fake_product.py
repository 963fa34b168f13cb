"""A fake product installation on this machine: folders, config files and logs with planted secrets,
and a real JVM (compiled from jvm_app/) started with a product's command line.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

APP_SOURCE = Path(__file__).parent / "jvm_app" / "org" / "apache" / "catalina" / "startup" / "Bootstrap.java"

# Planted secrets: none of them may reach a bundle or a report.
DB_PASSWORD = "Planted-DB-Pa55word"
JVM_PASSWORD = "Planted-JVM-Secret-42"
KEYSTORE_PASSWORD = "Planted-Keystore-Pass"
SETENV_PASSWORD = "Planted-Setenv-Secret"
LOG_TOKEN = "Planted-Log-Token-0123456789"
SECRETS = (DB_PASSWORD, JVM_PASSWORD, KEYSTORE_PASSWORD, SETENV_PASSWORD, LOG_TOKEN)


def java_available() -> bool:
    return shutil.which("javac") is not None and shutil.which("java") is not None


@dataclass
class FakeInstall:
    root: Path

    @property
    def install(self) -> Path:
        return self.root / "opt" / "atlassian" / "jira"

    @property
    def home(self) -> Path:
        return self.root / "var" / "atlassian" / "application-data" / "jira"

    def create(self) -> FakeInstall:
        (self.install / "conf").mkdir(parents=True, exist_ok=True)
        (self.install / "bin").mkdir(parents=True, exist_ok=True)
        (self.install / "logs").mkdir(parents=True, exist_ok=True)
        (self.home / "log").mkdir(parents=True, exist_ok=True)
        (self.home / "dbconfig.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<jira-database-config>\n  <jdbc-datasource>\n'
            "    <url>jdbc:postgresql://db:5432/jira</url>\n    <username>jira</username>\n"
            f"    <password>{DB_PASSWORD}</password>\n    <pool-max-size>40</pool-max-size>\n"
            "  </jdbc-datasource>\n</jira-database-config>\n",
            encoding="utf-8",
        )
        (self.install / "conf" / "server.xml").write_text(
            '<Server port="8005" shutdown="SHUTDOWN">\n  <Service name="Catalina">\n'
            '    <Connector port="8443" maxThreads="150" SSLEnabled="true"\n'
            f'               keystoreFile="/opt/keystore" keystorePass="{KEYSTORE_PASSWORD}"/>\n'
            "  </Service>\n</Server>\n",
            encoding="utf-8",
        )
        (self.install / "bin" / "setenv.sh").write_text(
            'JVM_MINIMUM_MEMORY="2048m"\nJVM_MAXIMUM_MEMORY="4096m"\n'
            f'JVM_SUPPORT_RECOMMENDED_ARGS="-Dmail.smtp.password={SETENV_PASSWORD}"\n'
            f"export DB_PASSWORD={SETENV_PASSWORD}\n",
            encoding="utf-8",
        )
        now = datetime.now(UTC)
        log = self.home / "log" / "atlassian-jira.log"
        lines = [
            f"{now:%Y-%m-%d %H:%M:%S},000+0000 main INFO [c.a.jira.startup.JiraStartupLogger] started\n",
            f"{now:%Y-%m-%d %H:%M:%S},100+0000 http-nio-8080-exec-1 ERROR admin 1x2x3 - 10.0.0.1 "
            f"/rest/api/2/search?token={LOG_TOKEN} [c.a.jira.web] request failed\n",
        ]
        log.write_text("".join(lines * 50), encoding="utf-8")
        old = self.home / "log" / "atlassian-jira.log.1"
        old.write_text("".join(lines * 10), encoding="utf-8")
        week_ago = (now - timedelta(days=7)).timestamp()
        os.utime(old, (week_ago, week_ago))
        with gzip.open(
            self.home / "log" / "atlassian-jira-security.log.2.gz", "wt", encoding="utf-8"
        ) as zipped:
            zipped.write(
                f"{now:%Y-%m-%d %H:%M:%S},200+0000 http-nio-8080-exec-3 admin 1x1x1 - 10.0.0.2 "
                f"/login.jsp password={DB_PASSWORD} The user 'admin' has PASSED authentication.\n" * 20
            )
        (self.install / "logs" / "catalina.out").write_text("Server startup in [12345] milliseconds\n" * 100)
        return self


class FakeJvm:
    """The JVM of the fake installation; ``stop()`` ends it."""

    def __init__(self, install: FakeInstall, classes: Path, extra: tuple[str, ...] = ()) -> None:
        self.install = install
        self.classes = classes
        self.extra = extra
        self.process: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def command(self) -> list[str]:
        java = os.path.realpath(shutil.which("java") or "java")
        return [
            java,
            "-Xms64m",
            "-Xmx96m",
            "-XX:+UseG1GC",
            f"-Xlog:gc*:file={self.install.install}/logs/atlassian-jira-gc-%t.log:time,uptime",
            f"-Djira.home={self.install.home}",
            f"-Dcatalina.base={self.install.install}",
            "-Datlassian.standalone=JIRA",
            f"-Djavax.net.ssl.keyStorePassword={JVM_PASSWORD}",
            "-Xmx128m",  # set twice, as JAVA_OPTS and CATALINA_OPTS do: the last one wins
            *self.extra,
            "-classpath",
            str(self.classes),
            "org.apache.catalina.startup.Bootstrap",
            "start",
        ]

    def start(self) -> FakeJvm:
        self.process = subprocess.Popen(
            self.command(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            self.stop()
            raise RuntimeError(f"the test JVM did not start: {line!r}")
        time.sleep(0.5)  # the two lock holders take their second locks after 300 ms: deadlocked now
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def compile_app(into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["javac", "-d", str(into), str(APP_SOURCE)], check=True, capture_output=True)
    return into
