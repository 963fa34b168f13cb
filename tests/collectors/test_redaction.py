"""Redaction: every secret shape the design names is masked, harmless text survives."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from collectors.model import CallRecord, ErrorKind, Product, ProductStatus
from collectors.redaction import (
    DEFAULT_RULES,
    MASK,
    Redactor,
    credential_secrets,
    redact_text,
    redact_url,
    redact_urls_in,
)

LICENSE_BLOB = "AAAB" + "LQ0ODAoPeNp9kV1PwjAUhu/7K5p4XVjnBiAJiQqLJlQJiw+" * 6 + "\\nmM1ypw==X02ko"


@pytest.mark.parametrize(
    ("raw", "secret"),
    [
        ("https://bob:hunter2pw@jira.example.com/rest", "hunter2pw"),
        ("https://bob@jira.example.com/rest", "bob"),
        ("https://jira.example.com/login.jsp?os_username=x&os_password=Sup3rPw", "Sup3rPw"),
        ("https://x/?password=pw123456", "pw123456"),
        ("https://x/?token=tok123456", "tok123456"),
        ("https://x/?access_token=tok123456", "tok123456"),
        ("https://x/?api_key=key123456", "key123456"),
        ("https://x/?apikey=key123456", "key123456"),
        ("https://x/?secret=s3cr3tval", "s3cr3tval"),
        ("https://x/?jwt=abcdefgh", "abcdefgh"),
        ("https://x/?auth=abcdefgh", "abcdefgh"),
        ("https://x/?signature=abcdefgh", "abcdefgh"),
        ("https://x/?a=1&sig=abcdefgh", "abcdefgh"),
        ("https://x/cb#access_token=abcdefgh", "abcdefgh"),
    ],
)
def test_urls_lose_userinfo_and_secret_parameters(raw: str, secret: str) -> None:
    redacted = redact_url(raw)
    assert secret not in redacted
    assert MASK in redacted


def test_url_keeps_harmless_parts() -> None:
    url = "https://jira.example.com:8443/jira/rest/api/2/search?jql=project%3DX&author=me&key=ABC-1"
    assert redact_url(url) == url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Authorization: Bearer NjM0OTk2NzQ1MzQ2Ol9", "Authorization: Bearer ***"),
        ("authorization: Basic c3ZjOnNlY3JldA==", "authorization: Basic ***"),
        ("{'Authorization': 'Bearer abc.def-ghi'}", "{'Authorization': 'Bearer ***'}"),
        ("retrying with Bearer NjM0OTk2NzQ1MzQ2Ol9 now", "retrying with Bearer *** now"),
        ("sent Basic dXNlcjpwYXNz", "sent Basic ***"),
        ("password=hunter2 user=bob", "password=*** user=bob"),
        ("password=a b c", "password=***"),
        ("jdbc.password = two words, next", "jdbc.password = ***, next"),
        ("Cookie: JSESSIONID=0A1B2C3D4E; atlassian.xsrf.token=abc", "Cookie: ***"),
        ("{'Set-Cookie': 'JSESSIONID=0A1B2C3D4E; Path=/'}", "{'Set-Cookie': '***'}"),
        ("session JSESSIONID=0A1B2C3D4E expired", "session JSESSIONID=*** expired"),
        ("sent seraph.rememberme.cookie=12345%3Aabcdef back", "sent seraph.rememberme.cookie=*** back"),
        ("<password><![CDATA[pw<with>chars]]></password>", "<password>***</password>"),
        ('<password encrypted="no">hunter2</password>', '<password encrypted="no">***</password>'),
        (
            "<property name = 'hibernate.connection.password'>hunter2</property>",
            "<property name = 'hibernate.connection.password'>***</property>",
        ),
        (
            '<property name="jdbc.password"><![CDATA[hunter2]]></property>',
            '<property name="jdbc.password">***</property>',
        ),
        ("jdbc.password = hunter2", "jdbc.password = ***"),
        ('{"password": "hun\\"ter2", "user": "bob"}', '{"password": "***", "user": "bob"}'),
        ("<password>hunter2</password>", "<password>***</password>"),
        ('keystorePass="change it" port="8443"', 'keystorePass="***" port="8443"'),
        (
            "-Xmx4g -Djavax.net.ssl.trustStorePassword=changeit -Dfile.encoding=UTF-8",
            "-Xmx4g -Djavax.net.ssl.trustStorePassword=*** -Dfile.encoding=UTF-8",
        ),
        ('-Dcom.example.db.password="two words"', '-Dcom.example.db.password="***"'),
        ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl end", "token *** end"),
    ],
)
def test_text_rules(raw: str, expected: str) -> None:
    assert redact_text(raw) == expected


@pytest.mark.parametrize(
    "harmless",
    [
        "Basic authentication is enabled",
        "HTTP 401: credentials were rejected",
        "Index replication for cluster node 'node2' is behind by 763 seconds.",
        "The open files limit is 16384 and 1214 files are open (7%).",
        "connection refused by 127.0.0.1:5431",
    ],
)
def test_prose_is_left_alone(harmless: str) -> None:
    assert redact_text(harmless) == harmless


def test_pem_private_keys_are_masked_whole_or_cut_off() -> None:
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n"
    whole = f"key: -----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY----- done"
    assert redact_text(whole) == "key: -----BEGIN RSA PRIVATE KEY-----***-----END RSA PRIVATE KEY----- done"
    cut = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}"
    assert "MIIEvQ" not in redact_text(cut)
    public = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqh\n-----END PUBLIC KEY-----"
    assert redact_text(public) == public


def test_licence_blobs_and_long_opaque_strings_are_masked() -> None:
    assert LICENSE_BLOB[:40] not in redact_text(f'"rawLicense":"{LICENSE_BLOB}"')
    opaque = "Zm9v" * 60
    assert redact_text(f"key {opaque} end") == "key *** end"


def test_known_secrets_are_masked_literally_and_url_encoded() -> None:
    redactor = Redactor(["plain words/with+odd&chars", None, ""])
    text = "said plain words/with+odd&chars and plain%20words%2Fwith%2Bodd%26chars"
    assert redactor.text(text) == "said *** and ***"


def test_known_secrets_are_masked_in_base64_too() -> None:
    # a server that echoes the Basic credential without its "Basic " prefix
    redactor = Redactor(credential_secrets("svc-user", "pw-4711"))
    basic = base64.b64encode(b"svc-user:pw-4711").decode()
    assert basic.endswith("=")
    for echoed in (basic, basic.rstrip("="), quote(basic, safe=""), base64.b64encode(b"pw-4711").decode()):
        assert redactor.text(f"title {echoed} end") == "title *** end", echoed


def test_credential_secrets() -> None:
    assert credential_secrets("bob", "pw-4711") == ("pw-4711", "bob:pw-4711")
    assert credential_secrets(None, "tok-4711") == ("tok-4711",)
    assert credential_secrets("bob", None) == ()


def test_short_known_secrets_are_not_masked_everywhere() -> None:
    # A three-letter "secret" would mask ordinary words all over the snapshot.
    assert Redactor(["abc"]).text("abc def") == "abc def"


def test_redaction_is_idempotent() -> None:
    redactor = Redactor(["tok-123456"])
    text = "https://u:p@h/?token=tok-123456 Authorization: Bearer tok-123456 password=x"
    once = redactor.text(text)
    assert redactor.text(once) == once


def test_with_secrets_keeps_the_earlier_ones() -> None:
    redactor = Redactor(["first-secret"]).with_secrets(["second-secret"])
    assert redactor.text("first-secret second-secret") == "*** ***"


def test_rules_are_data_and_can_be_extended() -> None:
    redactor = Redactor(extra_rules=[(re.compile(r"(?<=ssh-key:)\S+"), MASK)])
    assert redactor.text("ssh-key:AAAAC3Nza password=x") == "ssh-key:*** password=***"
    assert len(DEFAULT_RULES) > 5
    assert Redactor(rules=[]).text("password=x") == "password=x"


def test_data_masks_nested_structures_and_models_but_not_enums() -> None:
    redactor = Redactor(["tok-123456"])
    record = CallRecord(
        call="status",
        url="http://u:pw@h/status?os_password=pw",
        started_at=datetime.now(UTC),
        elapsed_ms=1.0,
        ok=False,
        error=ErrorKind.UNAUTHORIZED,
    )
    status = ProductStatus(state="RUNNING", raw={"state": "RUNNING", "apiToken": "tok", "n": {"password": 5}})
    data = redactor.data(
        {"records": [record], "status": status, "product": Product.JIRA, "t": ("tok-123456",)}
    )
    assert data["records"][0].url == "http://***@h/status?os_password=***"
    assert data["records"][0].error is ErrorKind.UNAUTHORIZED
    assert data["status"].raw == {"state": "RUNNING", "apiToken": MASK, "n": {"password": MASK}}
    assert data["product"] is Product.JIRA
    assert data["t"] == (MASK,)
    assert record.url.startswith("http://u:pw@")  # the original is not modified


def test_redact_urls_in_masks_url_credentials_only() -> None:
    message = "'ftp://admin:Pw-4711@h/x?token=t0k3n' refused; cannot read /etc/app.token: No such file"
    assert (
        redact_urls_in(message)
        == "'ftp://***@h/x?token=***' refused; cannot read /etc/app.token: No such file"
    )
