"""Shelter's encryption core: the only package that may import `cryptography`.

Importing this package (and `shelter.crypto.keyfile`, `shelter.crypto.exceptions`) must stay free
of Django imports: settings modules call `keyfile.generate_key_file` before Django is configured.
"""
