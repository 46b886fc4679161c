"""gdbook: the tested code behind the book *How gradient descent learned to roll*.

Import from the module that owns a name, so that the module path says which
chapter to read: ``from gdbook.momentum import momentum``. Nothing is re-exported.
"""
