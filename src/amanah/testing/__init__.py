"""Test-suite helpers shipped with Amanah (pytest plugins; no runtime code)."""
