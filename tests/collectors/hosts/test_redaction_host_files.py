"""Redaction of what hosts hold: JVM flags, dbconfig.xml, server.xml, setenv.sh, *.cfg.xml, JDBC URLs."""

from __future__ import annotations

import pytest

from collectors.redaction import redact_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'JVM_SUPPORT_RECOMMENDED_ARGS="-Dmail.smtp.password=s3cret"',
            'JVM_SUPPORT_RECOMMENDED_ARGS="-Dmail.smtp.password=***"',
        ),  # the closing quote stays
        ("-Djavax.net.ssl.keyStorePassword='a b' -Xmx2g", "-Djavax.net.ssl.keyStorePassword='***' -Xmx2g"),
        ("export DB_PASSWORD=hunter2", "export DB_PASSWORD=***"),
        ("<password>hunter2</password>", "<password>***</password>"),
        (
            '<property name="hibernate.connection.password">s3cret!</property>',
            '<property name="hibernate.connection.password">***</property>',
        ),
        (
            '<property name="hibernate.connection.username">confluence</property>',
            '<property name="hibernate.connection.username">confluence</property>',
        ),
        (
            '<Connector port="8443" keystorePass="ks-pass" truststorePass="ts-pass"/>',
            '<Connector port="8443" keystorePass="***" truststorePass="***"/>',
        ),
        (
            '<Resource name="jdbc/JiraDS" username="jira" password="db-pass"/>',
            '<Resource name="jdbc/JiraDS" username="jira" password="***"/>',
        ),
        (
            "<url>jdbc:oracle:thin:jira/Sup3rSecret@//db.acme:1521/JIRA</url>",
            "<url>jdbc:oracle:thin:jira/***@//db.acme:1521/JIRA</url>",
        ),
        ("jdbc:oracle:thin:@//db.acme:1521/JIRA", "jdbc:oracle:thin:@//db.acme:1521/JIRA"),
        ("jdbc.password=bb-pass", "jdbc.password=***"),
    ],
)
def test_host_file_secrets_are_masked_and_the_rest_kept(text, expected):
    assert redact_text(text) == expected
