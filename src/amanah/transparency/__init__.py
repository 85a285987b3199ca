"""amanah.transparency: the pure-Python core of Amanah's transparency log.

Byte-for-byte compatible with RFC 9162 Merkle trees and the C2SP formats used by Go's
sumdb, Trillian-Tessera, Sigstore and witnesses: signed notes, checkpoints, cosignatures,
tiles and offline proofs. It imports neither Django nor anything else of Amanah, so an
outsider can install it alone and check the fund's history without trusting the fund.

Typical use::

    from amanah.transparency import FileLog, HttpReader, parse_verifier_key, verify_log

    log = FileLog.init("var/mylog", origin="example.org/log")
    log.append([b"first entry", b"second entry"])
    log.checkpoint()

    report = verify_log(HttpReader("https://example.org/log"), parse_verifier_key(vkey))
"""

from .checkpoint import Checkpoint, SignedCheckpoint, open_checkpoint
from .cosignature import (
    CosignatureSigner,
    CosignatureVerifier,
    cosignature_message,
    parse_verifier_key,
)
from .entry import canonical_json, canonicalise_json_line, commit_private
from .errors import (
    EntryTooLarge,
    LogForked,
    MalformedCheckpoint,
    MalformedInput,
    MalformedKey,
    MalformedNote,
    MalformedProof,
    MalformedTile,
    ProofInvalid,
    SignatureInvalid,
    StorageError,
    TileMismatch,
    TileNotFound,
    TransparencyError,
    VerificationFailed,
)
from .filelog import FileLog, TreeState
from .hashing import EMPTY_ROOT, HASH_SIZE, leaf_hash, node_hash
from .http import HttpReader
from .note import (
    Ed25519Signer,
    Ed25519Verifier,
    Note,
    NoteSignature,
    Signer,
    Verifier,
    key_id,
    open_note,
    sign_note,
)
from .proofs import (
    MemoryHashes,
    SubtreeHashes,
    consistency_proof,
    inclusion_proof,
    root_from_leaf_hashes,
    tree_root,
    verify_consistency,
    verify_inclusion,
)
from .reader import TileHashReader
from .receipt import Receipt, make_receipt, verify_receipt
from .storage import DirectoryStorage, LogReader, LogStorage, MemoryStorage
from .tiles import (
    TILE_HEIGHT,
    TILE_WIDTH,
    TileId,
    decode_entry_bundle,
    decode_hash_tile,
    encode_entry_bundle,
    parse_tile_path,
    tiles_for_size,
)
from .tilewriter import TileTreeBuilder, TileWriter
from .verify import EntryInclusion, LogReport, TrustStore, recompute_root, verify_log

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "Checkpoint",
    "CosignatureSigner",
    "CosignatureVerifier",
    "DirectoryStorage",
    "Ed25519Signer",
    "Ed25519Verifier",
    "EntryInclusion",
    "EntryTooLarge",
    "FileLog",
    "HttpReader",
    "LogForked",
    "LogReader",
    "LogReport",
    "LogStorage",
    "MalformedCheckpoint",
    "MalformedInput",
    "MalformedKey",
    "MalformedNote",
    "MalformedProof",
    "MalformedTile",
    "MemoryHashes",
    "MemoryStorage",
    "Note",
    "NoteSignature",
    "ProofInvalid",
    "Receipt",
    "SignatureInvalid",
    "SignedCheckpoint",
    "Signer",
    "StorageError",
    "SubtreeHashes",
    "TileHashReader",
    "TileId",
    "TileMismatch",
    "TileNotFound",
    "TileTreeBuilder",
    "TileWriter",
    "TransparencyError",
    "TreeState",
    "TrustStore",
    "VerificationFailed",
    "Verifier",
    "canonical_json",
    "canonicalise_json_line",
    "commit_private",
    "consistency_proof",
    "cosignature_message",
    "decode_entry_bundle",
    "decode_hash_tile",
    "encode_entry_bundle",
    "inclusion_proof",
    "key_id",
    "leaf_hash",
    "make_receipt",
    "node_hash",
    "open_checkpoint",
    "open_note",
    "parse_tile_path",
    "parse_verifier_key",
    "recompute_root",
    "root_from_leaf_hashes",
    "sign_note",
    "tiles_for_size",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
    "verify_log",
    "verify_receipt",
]
