"""Sub-commands that grow the tool beyond validate/build: registered here to keep cli.py small."""


def register(sub) -> None:  # filled in as commands land
    return None
