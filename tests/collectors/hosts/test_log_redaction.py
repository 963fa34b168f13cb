"""Log lines are redacted by LineFilter exactly as the Redactor would, only faster: lines that no rule
could touch are copied without running the rules. Every redaction rule must have a sample here."""

from __future__ import annotations

from collectors.hosts.log_transfer import LineFilter
from collectors.redaction import DEFAULT_RULES, Redactor

# One or more log-like lines per kind of secret the redaction rules know.
SAMPLES = [
    "GET https://svc:Hunter2@jira.acme.example/rest/api/2/myself 200",
    "/rest/api/2/search?jql=x&os_password=Hunter2&x=1",
    "curl -H 'Authorization: Bearer abcdef.123456'",
    "proxy-authorization: Basic dXNlcjpwYXNz",
    "token was Bearer abcdefgh123456 for the call",
    "header Basic dXNlcjpwYXNzd29yZA==",
    "<password>Hunter2</password>",
    '<property name="hibernate.connection.password">Hunter2</property>',
    "url=jdbc:oracle:thin:jira/Hunter2@db:1521:ORCL",
    '-Djavax.net.ssl.keyStorePassword="a b" -Xmx2g',
    "jdbc.password = Hunter2",
    '{"apiToken": "Hunter2"}',
    'keystorePass="changeit"',
    "session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig123",
    "licence AAAB" + "x1Y2z3" * 10,
    "blob " + "Qm9i" * 45,
    "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-----END PRIVATE KEY-----",
    "request Cookie: JSESSIONID=0A1B2C3D",
    "remember seraph.rememberme.cookie=12345%3Aabcdef",
    "<property name = 'jdbc.password'><![CDATA[Hunter2]]></property>",
]
PLAIN = [
    "2026-11-26 10:00:00,000+0000 main INFO  [c.a.jira.startup.JiraStartupLogger] Jira started",
    "Server startup in [12345] milliseconds",
]


def test_every_redaction_rule_has_a_sample_here():
    unmatched = [p.pattern[:60] for p, _ in DEFAULT_RULES if not any(p.search(s) for s in SAMPLES)]
    assert unmatched == [], (
        "a redaction rule has no sample in this test: add one, and check that "
        "collectors.hosts.log_transfer.TRIGGERS lets its lines through to the Redactor"
    )


def test_the_filter_redacts_every_line_as_the_redactor_does():
    redactor = Redactor(["Known-Secret-77"])
    lines = LineFilter(redactor, ["Known-Secret-77"])
    text = "\n".join([*SAMPLES, *PLAIN, "a line quoting Known-Secret-77 and Known%2DSecret%2D77"]) + "\n"
    assert lines.block(text.encode()).decode() == "\n".join(redactor.text(line) for line in text.split("\n"))
    assert "Hunter2" not in lines.block(text.encode()).decode()


def test_clean_lines_are_copied_byte_for_byte():
    data = "\n".join(PLAIN).encode() + b"\n\xff\xfe not utf-8 but harmless\n"
    assert LineFilter(Redactor()).block(data) == data
