"""Amanah: a jointly overseen reconstruction fund and humanitarian access programme for Gaza."""
