"""Organisations: donors' agencies, Palestinian ministries, municipalities and NGOs.

Each is known by its IATI organisation identifier and IATI organisation type, with its
name in English and in Arabic, its country and whether it is a Palestinian body.
Registrations and changes go through `services` and are public facts in the log.
"""
