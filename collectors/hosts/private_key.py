"""The configured SSH private key, read through the bounded reader and handed to paramiko as text.

paramiko's ``PKey.from_path`` opens the file itself (twice, and its "-cert.pub" beside it): a FIFO
would block it forever and /dev/zero would read until memory runs out. Here each file is read once,
as a regular file of bounded size, and paramiko only ever sees the bytes.
"""

from __future__ import annotations

import io
from pathlib import Path

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from collectors.hosts.key_file import read_key_file
from collectors.regular_file import KIB, read_regular_file

CERTIFICATE_MAX_BYTES = 64 * KIB  # an OpenSSH certificate is one line of a few KiB
_CERT_SUFFIX = "-cert.pub"


def load_private_key(path: Path, passphrase: bytes | None) -> paramiko.PKey:
    """The key in ``path`` (with its OpenSSH certificate ``PATH-cert.pub`` when one is beside it), as
    ``paramiko.PKey.from_path`` would load it. Raises what it raises: ValueError or SSHException for
    no key or a wrong passphrase, TypeError for a missing passphrase, PasswordRequiredException;
    and RefusedFile or OSError for a file that cannot be read."""
    data = read_key_file(path)
    loaded: object
    try:  # like OpenSSH: the OpenSSH format first, then legacy PEM
        loaded = serialization.load_ssh_private_key(data, password=passphrase)
    except ValueError:
        loaded = serialization.load_pem_private_key(data, password=passphrase)
    key_class: type[paramiko.PKey]
    if isinstance(loaded, rsa.RSAPrivateKey):
        key_class = paramiko.RSAKey
    elif isinstance(loaded, ed25519.Ed25519PrivateKey):
        key_class = paramiko.Ed25519Key
    elif isinstance(loaded, ec.EllipticCurvePrivateKey):
        key_class = paramiko.ECDSAKey
    else:
        raise paramiko.SSHException(f"unsupported key type {type(loaded).__name__}")
    text = data.decode("ascii", errors="replace")  # paramiko reads only the ASCII armour of the key
    # paramiko's hints say str, but it hands the passphrase to cryptography, which takes bytes only
    key = key_class.from_private_key(io.StringIO(text), password=passphrase)  # type: ignore[arg-type]
    certificate = Path(f"{path}{_CERT_SUFFIX}")
    if certificate.exists():
        blob = read_regular_file(certificate, max_bytes=CERTIFICATE_MAX_BYTES, what="certificate file")
        key.load_certificate(blob.decode("ascii", errors="replace"))
    return key
