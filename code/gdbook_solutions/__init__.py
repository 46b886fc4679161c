"""Tested solutions to the book's exercises, one module per chapter.

A separate package from :mod:`gdbook`: the student edition and the assignments leave it
out, and nothing in ``gdbook`` imports it.
"""
