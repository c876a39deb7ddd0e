"""How the thread page, search and the ask page learn about the guide (filled in below)."""


def register() -> None:
    return None
