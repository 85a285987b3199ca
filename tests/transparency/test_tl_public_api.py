"""The curated public API of amanah.transparency (STYLE §3.8), and its independence from Django."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

import amanah.transparency as transparency
from amanah.transparency import errors

SUBMODULES = [
    "checkpoint",
    "cosignature",
    "entry",
    "errors",
    "filelog",
    "hashing",
    "http",
    "note",
    "proofs",
    "reader",
    "receipt",
    "storage",
    "tiles",
    "tilewriter",
    "verify",
]

# Names a submodule exports for the other submodules but the package keeps internal.
# Adding a name to a submodule's __all__ means deciding here whether it is public.
INTERNAL = {
    "ALG_COSIGNATURE_V1",
    "ALG_ED25519",
    "ENTRIES_LEVEL",
    "MAX_ENTRY_SIZE",
    "check_entry_sizes",
    "check_hash_tile_size",
    "check_key_name",
    "check_log_path",
    "fold_perfect",
    "format_index",
    "largest_power_of_two_below",
    "read_tile",
    "tile_for",
}


def _ruff_sort_key(name: str) -> tuple[int, str]:
    # RUF022's "isort-style" order: SCREAMING_CASE, then CamelCase, then the rest.
    if name.isupper():
        return 0, name
    return (1 if name[0].isupper() else 2), name


def test_all_is_sorted_and_unique() -> None:
    names = transparency.__all__
    assert len(names) == len(set(names))
    assert names == sorted(names, key=_ruff_sort_key)


def test_every_exported_name_exists() -> None:
    for name in transparency.__all__:
        assert hasattr(transparency, name), name


def test_every_public_submodule_name_is_exported_or_declared_internal() -> None:
    exported = set(transparency.__all__)
    offered: dict[str, object] = {}
    for module_name in SUBMODULES:
        module = importlib.import_module(f"amanah.transparency.{module_name}")
        for name in module.__all__:
            assert hasattr(module, name), f"{module_name}.__all__ names missing {name}"
            offered[name] = getattr(module, name)
    assert exported <= set(offered), exported - set(offered)
    assert set(offered) - exported == INTERNAL
    for name in exported:
        assert getattr(transparency, name) is offered[name], name


def test_every_submodule_is_listed() -> None:
    package = Path(transparency.__file__).parent
    found = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    assert found == set(SUBMODULES)


def test_public_functions_and_classes_carry_docstrings() -> None:
    missing = [
        name
        for name in transparency.__all__
        if (
            inspect.isclass(getattr(transparency, name))
            or inspect.isfunction(getattr(transparency, name))
        )
        and not inspect.getdoc(getattr(transparency, name))
    ]
    assert missing == []


def test_every_error_is_exported_and_derives_from_the_base() -> None:
    for name in errors.__all__:
        error = getattr(transparency, name)
        assert issubclass(error, transparency.TransparencyError), name
    tree = {
        "MalformedInput": [
            "MalformedNote",
            "MalformedKey",
            "MalformedCheckpoint",
            "MalformedTile",
            "MalformedProof",
            "EntryTooLarge",
        ],
        "VerificationFailed": ["SignatureInvalid", "ProofInvalid", "TileMismatch", "LogForked"],
        "StorageError": ["TileNotFound"],
    }
    for parent, children in tree.items():
        for child in children:
            assert getattr(errors, child).__mro__[1] is getattr(errors, parent), child
    assert not issubclass(errors.VerificationFailed, errors.MalformedInput)


def test_importing_the_core_does_not_import_django() -> None:
    code = "import sys, amanah.transparency; assert 'django' not in sys.modules, 'django imported'"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_core_works_with_django_unimportable() -> None:
    # Simulates an outsider's machine without Django: any import of it fails.
    code = textwrap.dedent(
        """
        import importlib.abc, sys

        class NoDjango(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == "django" or name.startswith(("django.", "ninja")):
                    raise ImportError("django is not installed")
                return None

        sys.meta_path.insert(0, NoDjango())
        import importlib, pkgutil
        import amanah.transparency as t
        for info in pkgutil.iter_modules(t.__path__):
            importlib.import_module("amanah.transparency." + info.name)
        log = t.MemoryStorage()
        writer = t.TileWriter(log)
        writer.append([b"a", b"b", b"c"])
        writer.flush()
        signer = t.Ed25519Signer.generate("example.org/log")
        text = t.Checkpoint("example.org/log", 3, writer.root()).to_text()
        log.write("checkpoint", t.sign_note(text, [signer]))
        assert t.verify_log(log, signer.verifier()).checkpoint.size == 3
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_these_tests_import_neither_django_nor_the_rest_of_amanah() -> None:
    forbidden = (
        "django",
        "ninja",
        "amanah.core",
        "amanah.ledger",
        "amanah.settings",
        "amanah.portal",
        "amanah.cli",
        "amanah.testing",
    )
    for path in sorted(Path(__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert not module.startswith(forbidden), f"{path.name} imports {module}"
