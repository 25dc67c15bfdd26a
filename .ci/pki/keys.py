"""Writes fresh P-256 keys (and one RSA-2048 key, party2's) (PKCS#8 PEM, unencrypted) for the test PKI into DIR.

Usage: python3 .ci/pki/keys.py DIR
"""

import pathlib
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
for name in ["root", "interm", "interm-ocsp", "tsa", "signer", "revoked", "party1", "party2", "party3", "party4"]:
    if name == "party2":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    (out / f"{name}.key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
