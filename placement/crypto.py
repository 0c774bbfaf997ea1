"""AES-GCM encryption of secrets at rest (shelter and suspect locations, notes), with key ids.

A sealed value is `v1.<key id>.<nonce>.<ciphertext>` (url-safe base64). The key ring comes from
ENCRYPTION_KEYS (`id:base64key,...`); ENCRYPTION_KEY_ID names the key new values are sealed with,
and older keys stay readable until `flask secrets reencrypt` has moved every value to the new one.
"""

import base64
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app


class CryptoError(Exception):
    """A value could not be sealed or opened; the message never carries the value."""


def _b64(raw):
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key():
    return _b64(AESGCM.generate_key(bit_length=256))


def parse_key_ring(spec):
    ring = {}
    for item in filter(None, (part.strip() for part in (spec or "").split(","))):
        key_id, _, encoded = item.partition(":")
        key = _unb64(encoded)
        if not key_id or len(key) != 32:
            raise CryptoError(f"key {key_id or '?'}: need an id and a 256-bit key")
        ring[key_id] = key
    return ring


class KeyRing:
    def __init__(self, keys, active_id):
        if active_id not in keys:
            raise CryptoError("ENCRYPTION_KEY_ID names no key in ENCRYPTION_KEYS")
        self.keys = keys
        self.active_id = active_id

    def seal(self, value, purpose):
        nonce = os.urandom(12)
        plain = json.dumps(value, separators=(",", ":")).encode()
        sealed = AESGCM(self.keys[self.active_id]).encrypt(nonce, plain, purpose.encode())
        return f"v1.{self.active_id}.{_b64(nonce)}.{_b64(sealed)}"

    def open(self, token, purpose):
        try:
            version, key_id, nonce, sealed = token.split(".")
        except (AttributeError, ValueError):
            raise CryptoError("not a sealed value") from None
        if version != "v1" or key_id not in self.keys:
            raise CryptoError(f"unknown key id {key_id!r}")
        try:
            plain = AESGCM(self.keys[key_id]).decrypt(
                _unb64(nonce), _unb64(sealed), purpose.encode()
            )
        except InvalidTag:
            raise CryptoError("sealed value failed authentication") from None
        return json.loads(plain)

    def key_id_of(self, token):
        return token.split(".")[1]


def key_ring():
    """The app's key ring, built once per app."""
    ring = current_app.extensions.get("streha_key_ring")
    if ring is None:
        config = current_app.config
        keys = parse_key_ring(config.get("ENCRYPTION_KEYS"))
        if not keys:
            raise CryptoError("no ENCRYPTION_KEYS configured: run `flask secrets init`")
        ring = KeyRing(keys, config.get("ENCRYPTION_KEY_ID") or next(iter(keys)))
        current_app.extensions["streha_key_ring"] = ring
    return ring


def seal(value, purpose):
    return key_ring().seal(value, purpose)


def open_sealed(token, purpose):
    return key_ring().open(token, purpose)
