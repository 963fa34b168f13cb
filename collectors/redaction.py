"""Central redaction: secrets are masked before anything is stored, logged or rendered.

The rules are data, a list of (compiled pattern, replacement), so other collectors (host files, logs)
extend them by passing ``extra_rules`` instead of editing code. A replacement is a ``re.sub``
template or a function of the match. Known secrets (the configured credentials of a target) are
masked literally, first, so they disappear even where no pattern would recognise them.
"""

from __future__ import annotations

import base64
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
# Session cookies of the products and of their servlet containers (and SSO in front of them)
_SESSION_COOKIE = (
    r"(?:JSESSIONID|[\w.-]*session(?:id|[_.-]?token)|seraph\.[\w.-]+|[\w.-]*remember[_.-]?me[\w.-]*"
    r"|crowd\.token_key|studio\.crowd\.tokenkey|_atl_[\w.-]+|atlassian\.xsrf\.token)"
)
# An XML element's text: plain characters, or CDATA sections (which may hold "<")
_XML_TEXT = r"(?:<!\[CDATA\[.*?\]\]>|[^<])*"
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


URL_RULES: list[Rule] = [
    # user:password@ in any URL
    (re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)[^/\s@?#]+@", re.I), rf"\g<scheme>{MASK}@"),
    # sensitive query (or fragment) parameters
    (re.compile(rf"(?P<p>[?&;#]{_SECRET_PARAM}=)[^&#\s\"'<>]*", re.I), rf"\g<p>{MASK}"),
]

DEFAULT_RULES: list[Rule] = [
    *URL_RULES,
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
    # PEM private keys, whole or cut off (a key pasted into a log or a config file)
    (
        re.compile(
            r"(?P<begin>-----BEGIN (?P<kind>[A-Z0-9 ]*)PRIVATE KEY-----)"
            r"(?:.*?-----END (?P=kind)PRIVATE KEY-----|.*)",
            re.S,
        ),
        rf"\g<begin>{MASK}-----END \g<kind>PRIVATE KEY-----",
    ),
    # <password>...</password> and similar XML elements (dbconfig.xml, server.xml), also as CDATA
    (
        re.compile(rf"<(?P<tag>{_SECRET_NAME})(?P<attrs>\s[^<>]*)?>{_XML_TEXT}</(?P=tag)\s*>", re.I | re.S),
        rf"<\g<tag>\g<attrs>>{MASK}</\g<tag>>",
    ),
    # <property name="hibernate.connection.password">...</property> (confluence.cfg.xml, crowd.cfg.xml),
    # with or without spaces around "="
    (
        re.compile(
            rf"(?P<head><property\s+name\s*=\s*[\"']{_SECRET_NAME}[\"'][^<>]*>){_XML_TEXT}(?=</property\s*>)",
            re.I | re.S,
        ),
        rf"\g<head>{MASK}",
    ),
    # session cookies are credentials: a Cookie or Set-Cookie header's value whole, and the known
    # session cookies wherever they stand (JSESSIONID=..., seraph.rememberme.cookie=...)
    (
        re.compile(r"(?P<head>(?<![\w.-])(?:set-)?cookie[\"']?\s*:\s*[\"']?)[^\r\n\"']+", re.I),
        rf"\g<head>{MASK}",
    ),
    (re.compile(rf"(?P<key>\b{_SESSION_COOKIE})=[^\s;,&\"'<>]+", re.I), rf"\g<key>={MASK}"),
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
            r"(?P<val>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[^\s,;&\"'<>}\]]+"
            # an unquoted value goes on over spaces (password=a b c) until what looks like the next
            # key (user=bob) or flag (-Xmx4g), or the end of the line
            r"(?:[ \t]+(?![\w.-]+\s*[=:]|-)[^\s,;&\"'<>}\]]+)*)",
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
                literals.update(secret_encodings(secret))
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


def secret_encodings(secret: str) -> set[str]:
    """The secret and the forms in which a server or a log may echo it: URL-encoded, and base64 (a
    Basic credential's value without its "Basic " prefix), with and without padding, URL-encoded too."""
    b64 = base64.b64encode(secret.encode()).decode("ascii")
    forms = {secret, b64, b64.rstrip("="), base64.urlsafe_b64encode(secret.encode()).decode("ascii")}
    return {encoded for form in forms for encoded in (form, quote(form, safe=""), quote_plus(form))}


def credential_secrets(username: str | None, secret: str | None) -> tuple[str, ...]:
    """What to mask for a configured credential: the secret, and ``username:secret``, whose base64 is
    the value of the Basic Authorization header sent with it."""
    if not secret:
        return ()
    return (secret, f"{username}:{secret}") if username else (secret,)


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


_URLS_ONLY = Redactor(rules=URL_RULES)


def redact_urls_in(s: str) -> str:
    """``s`` with the credentials of every URL in it masked, and nothing else: for messages that quote
    what the user wrote, where the other rules would mask harmless words (a file named x.token)."""
    return _URLS_ONLY.text(s)
