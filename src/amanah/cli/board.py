"""A board member's commands: make a key, propose it to the board, list motions, sign or
refuse one.

    amanah keygen --out FILE
    amanah keys propose --key FILE --server URL --token-file FILE [--yes]
                        [--title-en TEXT --title-ar TEXT]
    amanah motions list --server URL
    amanah sign MOTION_ID --key FILE --server URL --token-file FILE [--yes]
    amanah refuse MOTION_ID --reason TEXT --server URL --token-file FILE

They talk to the server's API (/api/v1) over HTTP with the standard library, and need no
Django. `sign` shows the decoded bytes it is about to sign, not a description of them,
and refuses bytes that are not the canonical (RFC 8785) form of what they decode to or
that name another motion. The private key never leaves this machine; the API token is
read from a file, never from the command line.

Exit status: 0 done, 1 refused by the server or by the checks of the payload, 2 usage or
I/O error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.markup import escape

from amanah.transparency import TransparencyError, canonical_json

from ._common import (
    EXIT_FAILED,
    Refused,
    api_url,
    fail,
    http_json,
    read_token,
    stderr,
    stdout,
)

__all__ = ["Refused", "app", "checked_payload", "http_json", "key_id_of", "keys_app", "motions_app"]

_api = api_url
_read_token = read_token

MOTION_TYPE = "amanah.motion.v1"  # as amanah.governance.rules.MOTION_TYPE
# The default title of a member's key.register motion; `{member}` is their public handle.
# Both languages, since a motion's title is published in both (no gettext here: the
# command needs no Django, and the title is data for the log, not a message to the user).
KEY_TITLE_EN = "Register a signing key for {member}"
KEY_TITLE_AR = "تسجيل مفتاح توقيع للعضو {member}"

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="A board member's commands: keygen, sign, refuse.",
)
keys_app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Propose your signing key to the board.",
)
motions_app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Read the board's motions from a server.",
)

ServerOption = Annotated[
    str, typer.Option("--server", help="The server's address, e.g. https://amanah.example.org")
]
TokenFileOption = Annotated[
    Path, typer.Option("--token-file", help="A file holding your API token (never argv).")
]


def key_id_of(public_key: bytes) -> str:
    """The first 16 hex digits of SHA-256 of the raw 32-byte public key (as the server)."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def _call(method: str, url: str, *, token: str | None = None, body: Any = None) -> Any:
    try:
        return http_json(method, url, token=token, body=body)[1]
    except Refused as error:
        stderr.print(f"[bold red]refused by the server:[/] {escape(str(error))}")
        raise typer.Exit(EXIT_FAILED) from error
    except OSError as error:
        raise fail(f"cannot reach {url}: {error}") from error


def _motion_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise fail(f"{value} is not a motion id (a UUID)") from None


def _load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as error:
        raise fail(f"cannot read key file {path}: {error.strerror}") from error
    except (ValueError, TypeError) as error:
        raise fail(f"{path} is not an unencrypted PEM private key") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise fail(f"{path} is not an Ed25519 private key")
    return key


def checked_payload(motion: dict[str, Any], motion_id: str) -> tuple[bytes, dict[str, Any]]:
    """The bytes to sign and what they decode to, once checked: canonical RFC 8785 JSON of
    a motion, naming this motion, and the same JSON the server shows beside them. Raises
    ValueError saying what is wrong otherwise."""
    try:
        payload = base64.b64decode(str(motion["payload_base64"]), validate=True)
        decoded = json.loads(payload)
    except (KeyError, binascii.Error, ValueError) as error:
        raise ValueError(f"the payload is not base64 of JSON: {error}") from None
    if not isinstance(decoded, dict):
        raise ValueError("the payload is not a JSON object")
    try:
        canonical = canonical_json(decoded)
    except TransparencyError as error:
        raise ValueError(str(error)) from None
    if canonical != payload:
        raise ValueError("the payload bytes are not the canonical form of what they decode to")
    if decoded.get("type") != MOTION_TYPE:
        raise ValueError(f"the payload is not typed {MOTION_TYPE}")
    if decoded.get("motion") != motion_id:
        raise ValueError(f"the payload names motion {decoded.get('motion')}, not {motion_id}")
    if motion.get("payload") != decoded:
        raise ValueError("the decoded payload the server shows differs from its bytes")
    return payload, decoded


@app.command("keygen")
def keygen_command(
    out: Annotated[Path, typer.Option("--out", help="Where to write the private key (PEM).")],
) -> None:
    """Make an Ed25519 key pair: the private key goes to --out (mode 0600, never
    overwritten); the public key and its key id are printed, for the board to register."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise fail(f"{out} exists; not overwriting a key") from None
    except OSError as error:
        raise fail(f"cannot write {out}: {error.strerror}") from error
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public = key.public_key().public_bytes_raw()
    stdout.print(f"public key: {base64.b64encode(public).decode('ascii')}")
    stdout.print(f"key id:     {key_id_of(public)}")


@motions_app.command("list")
def list_command(server: ServerOption) -> None:
    """List the board's motions, newest first."""
    body = _call("GET", f"{_api(server)}/motions")
    for motion in body.get("motions", []):
        stdout.print(
            f"{motion['id']}  {motion['status']:<9} {escape(motion['kind'])}"
            f"  {escape(motion['title']['en'])}"
        )


@app.command("sign")
def sign_command(
    motion_id: Annotated[str, typer.Argument(help="The motion's id.")],
    key: Annotated[Path, typer.Option("--key", help="Your private key file (from keygen).")],
    server: ServerOption,
    token_file: TokenFileOption,
    yes: Annotated[bool, typer.Option("--yes", help="Sign without asking.")] = False,
) -> None:
    """Fetch the motion, show exactly what will be signed, sign those bytes, send the
    signature, and print the motion's status."""
    motion_id = _motion_id(motion_id)
    api = _api(server)
    private = _load_private_key(key)
    token = _read_token(token_file)
    motion = _call("GET", f"{api}/motions/{motion_id}")
    try:
        payload, decoded = checked_payload(motion, motion_id)
    except ValueError as error:
        stderr.print(f"[bold red]not signing:[/] {escape(str(error))}")
        raise typer.Exit(EXIT_FAILED) from None
    stdout.print("You are signing these bytes (decoded):")
    stdout.print(escape(json.dumps(decoded, indent=2, ensure_ascii=False)))
    if not yes and not typer.confirm("Sign this motion?", default=False):
        stderr.print("not signed")
        raise typer.Exit(EXIT_FAILED)
    key_id = key_id_of(private.public_key().public_bytes_raw())
    signature = base64.b64encode(private.sign(payload)).decode("ascii")
    answer = _call(
        "POST",
        f"{api}/motions/{motion_id}/signatures",
        token=token,
        body={"key_id": key_id, "signature_base64": signature},
    )
    stdout.print(f"signed with key {key_id}; the motion is now {escape(str(answer['status']))}")


@app.command("refuse")
def refuse_command(
    motion_id: Annotated[str, typer.Argument(help="The motion's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why you refuse it (public).")],
    server: ServerOption,
    token_file: TokenFileOption,
) -> None:
    """Refuse a motion, saying why; the reason is published in the log."""
    motion_id = _motion_id(motion_id)
    api = _api(server)
    token = _read_token(token_file)
    answer = _call(
        "POST", f"{api}/motions/{motion_id}/refusals", token=token, body={"reason": reason}
    )
    stdout.print(f"refused; logged at entry {answer['index']}")


@keys_app.command("propose")
def propose_command(
    key: Annotated[Path, typer.Option("--key", help="Your private key file (from keygen).")],
    server: ServerOption,
    token_file: TokenFileOption,
    title_en: Annotated[
        str | None, typer.Option("--title-en", help="The motion's title in English.")
    ] = None,
    title_ar: Annotated[
        str | None, typer.Option("--title-ar", help="The motion's title in Arabic.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Propose without asking.")] = False,
) -> None:
    """Open the key.register motion of your own key: only its public half is sent, and
    the board's quorum decides whether it is registered."""
    api = _api(server)
    public = _load_private_key(key).public_key().public_bytes_raw()
    token = _read_token(token_file)
    member = _call("GET", f"{api}/me", token=token).get("member")
    if not member:
        stderr.print("[bold red]refused:[/] this token's account is not a board member")
        raise typer.Exit(EXIT_FAILED)
    effect = {"member": member, "public_key": base64.b64encode(public).decode("ascii")}
    title = {
        "en": title_en or KEY_TITLE_EN.format(member=member),
        "ar": title_ar or KEY_TITLE_AR.format(member=member),
    }
    stdout.print(f"Proposing key {key_id_of(public)} for {escape(member)}:")
    stdout.print(escape(json.dumps(effect, indent=2)))
    if not yes and not typer.confirm("Open this motion?", default=False):
        stderr.print("not proposed")
        raise typer.Exit(EXIT_FAILED)
    motion = _call(
        "POST",
        f"{api}/motions",
        token=token,
        body={"kind": "key.register", "title": title, "effect": effect},
    )
    stdout.print(f"motion {motion['id']} opened")
    stdout.print(f"{server.rstrip('/')}/motions/{motion['id']}/")
