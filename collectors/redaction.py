"""Central redaction: secrets are masked before anything is stored, logged or rendered.

The rules are data, a list of (compiled pattern, replacement), so other collectors (host files, logs)
extend them by passing ``extra_rules`` instead of editing code. A replacement is a ``re.sub``
template or a function of the match. Known secrets (the configured credentials of a target) are
masked literally, first, so they disappear even where no pattern would recognise them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import Any
from urllib.parse import quote, quote_plus

from collectors.redaction_prefilter import union_of

MASK = "***"

Replacement = str | Callable[[re.Match[str]], str]
Rule = tuple[re.Pattern[str], Replacement]

# Names of query parameters, JSON keys and properties whose values are secrets. Substring matches
# (e.g. "keyStorePassword", "db.password", "X-Auth-Token") are intended.
_SECRET_NAME = r"[\w.-]*(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|private[_-]?key)[\w.-]*"
# Query parameters that are secrets only as whole names (matching "auth" or "sig" as a substring
# would mask harmless parameters such as "author").
_SECRET_PARAM = (
    r"(?:os_password|password|passwd|pwd|token|access_token|refresh_token|id_token|api_key|apikey"
    r"|api-key|secret|client_secret|jwt|auth|authorization|signature|sig|session|sessionid|jsessionid"
    r"|os_authtype|key_secret|[\w.-]*(?:password|token|secret))"
)


def _keep_quotes(match: re.Match[str]) -> str:
    """Mask a key/value pair's value, keeping the key, separator and any quotes around the value."""
    value = match.group("val")
    quote_char = value[0] if value[:1] in ("'", '"') else ""
    return f"{match.group('key')}{match.group('sep')}{quote_char}{MASK}{quote_char}"


def _auth_header(match: re.Match[str]) -> str:
    scheme = match.group("scheme")
    return f"{match.group('head')}{scheme + ' ' if scheme else ''}{MASK}"


DEFAULT_RULES: list[Rule] = [
    # user:password@ in any URL
    (re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)[^/\s@?#]+@", re.I), rf"\g<scheme>{MASK}@"),
    # sensitive query (or fragment) parameters
    (re.compile(rf"(?P<p>[?&;#]{_SECRET_PARAM}=)[^&#\s\"'<>]*", re.I), rf"\g<p>{MASK}"),
    # Authorization: Bearer xxx / Basic xxx (header lines, dict reprs, curl -H)
    (
        re.compile(
            r"(?P<head>\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)"
            r"(?:(?P<scheme>Bearer|Basic|Token|Digest|Negotiate|NTLM|JWT)\s+)?[^\s\"',;]+",
            re.I,
        ),
        _auth_header,
    ),
    # bare "Bearer <token>" and "Basic <base64>"; the latter must look like base64 (a digit, +, /, =
    # or a lower-to-upper case change) so that prose such as "Basic authentication" survives
    (re.compile(r"\b(?P<s>Bearer)\s+[A-Za-z0-9._~+/=-]{6,}"), rf"\g<s> {MASK}"),
    (
        re.compile(r"\b(?P<s>Basic)\s+(?=\S*[0-9+/=]|[A-Za-z]*[a-z][A-Z])[A-Za-z0-9+/]{8,}={0,2}"),
        rf"\g<s> {MASK}",
    ),
    # <password>...</password> and similar XML elements (dbconfig.xml, server.xml)
    (
        re.compile(rf"<(?P<tag>{_SECRET_NAME})>[^<]*</(?P=tag)>", re.I),
        rf"<\g<tag>>{MASK}</\g<tag>>",
    ),
    # <property name="hibernate.connection.password">...</property> (confluence.cfg.xml, crowd.cfg.xml)
    (
        re.compile(rf"(?P<head><property\s+name=[\"']{_SECRET_NAME}[\"']\s*>)[^<]*(?=</property>)", re.I),
        rf"\g<head>{MASK}",
    ),
    # Oracle's thin JDBC URLs carry user/password@ without "//"
    (re.compile(r"(?P<head>jdbc:oracle:thin:[^/\s@:]+/)[^@\s]+@", re.I), rf"\g<head>{MASK}@"),
    # -Dsome.password=value JVM flags (handled before the generic key=value rule so quoted values
    # with spaces are masked whole)
    (
        re.compile(rf"(?P<key>-D{_SECRET_NAME})(?P<sep>=)(?P<val>\"[^\"]*\"|'[^']*'|[^\s\"']+)", re.I),
        _keep_quotes,
    ),
    # password=..., "password": "...", 'token': '...', jdbc.password = ..., keystorePass="..."
    # (the lookbehind only starts a name where a word starts: a match found inside a word is also found
    # from its start, so the matches are the same, found without retrying at every letter: 5x faster)
    (
        re.compile(
            rf"(?P<key>[\"']?(?:(?<![\w.-]){_SECRET_NAME}|keystorePass|truststorePass)[\"']?)"
            r"(?P<sep>\s*[=:]\s*)"
            r"(?P<val>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[^\s,;&\"'<>}\]]+)",
            re.I,
        ),
        _keep_quotes,
    ),
    # JSON Web Tokens
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), MASK),
    # Atlassian licence keys ("AAAB..." base64, possibly with escaped or real line breaks)
    (re.compile(r"\bAAA[A-Za-z0-9+/=\\\r\n]{40,}"), MASK),
    # any other long opaque base64 blob (licences, keys, serialised sessions)
    (re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{160,}={0,2}"), MASK),
]

_SENSITIVE_KEY = re.compile(rf"^(?:{_SECRET_NAME}|authorization|rawLicense|license[_.-]?key|jwt)$", re.I)

# Shorter literals would mask ordinary words all over the snapshot; such "secrets" are not secret.
_MIN_SECRET_LEN = 4


class Redactor:
    """Masks secrets in text, URLs and nested data. Thread-safe (immutable after construction)."""

    def __init__(
        self,
        known_secrets: Iterable[str | None] = (),
        *,
        rules: Sequence[Rule] | None = None,
        extra_rules: Sequence[Rule] = (),
    ) -> None:
        literals: set[str] = set()
        for secret in known_secrets:
            if secret and len(secret) >= _MIN_SECRET_LEN:
                literals.update({secret, quote(secret, safe=""), quote_plus(secret)})
        # longest first, so a secret that contains another is masked whole
        self._literals = sorted(literals, key=len, reverse=True)
        self._rules: list[Rule] = [*(DEFAULT_RULES if rules is None else rules), *extra_rules]
        self._any_rule = union_of([pattern for pattern, _ in self._rules])  # skips texts no rule matches

    def with_secrets(self, known_secrets: Iterable[str | None]) -> Redactor:
        """A copy that also masks ``known_secrets``."""
        copy = Redactor(known_secrets, rules=self._rules)
        copy._literals = sorted({*self._literals, *copy._literals}, key=len, reverse=True)
        return copy

    def text(self, s: str) -> str:
        for literal in self._literals:
            s = s.replace(literal, MASK)
        if self._any_rule is not None and self._any_rule.search(s) is None:
            return s
        for pattern, replacement in self._rules:
            s = pattern.sub(replacement, s)
        return s

    def url(self, u: str) -> str:
        # The text rules already know URLs (userinfo, query parameters); one code path keeps the
        # two from drifting apart.
        return self.text(u)

    def data(self, value: Any) -> Any:
        """A redacted copy of nested data: strings masked, values of secret-named keys replaced."""
        if isinstance(value, Enum):  # before str: StrEnum values are ours, never secrets
            return value
        if isinstance(value, str):
            return self.text(value)
        from pydantic import BaseModel  # loaded by whoever made a model; not needed to redact text

        if isinstance(value, BaseModel):
            update = {name: self.data(getattr(value, name)) for name in type(value).model_fields}
            return value.model_copy(update=update)
        if isinstance(value, dict):
            return {k: MASK if _is_secret_leaf(k, v) else self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.data(v) for v in value)
        return value


def _is_secret_leaf(key: Any, value: Any) -> bool:
    return (
        isinstance(key, str)
        and bool(_SENSITIVE_KEY.match(key))
        and value is not None
        and not isinstance(value, dict | list)
    )


_DEFAULT = Redactor()


def redact_text(s: str) -> str:
    return _DEFAULT.text(s)


def redact_url(u: str) -> str:
    return _DEFAULT.url(u)
