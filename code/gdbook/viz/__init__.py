"""Per-chapter figures and widgets: ``viz/<chapter>.py`` backs ``chapters/<chapter>.md``."""
