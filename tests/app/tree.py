"""Helpers to read a Dash component tree in tests."""

from collections.abc import Iterator


def walk(component) -> Iterator:
    """Every component in the tree, depth first."""
    if component is None or isinstance(component, str | int | float):
        return
    if isinstance(component, list | tuple):
        for c in component:
            yield from walk(c)
        return
    yield component
    yield from walk(getattr(component, "children", None))


def text(component) -> str:
    """All text in a component tree, space-joined."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text(c) for c in component)
    return text(getattr(component, "children", None))


def ids(component) -> dict:
    """Components by id."""
    return {c.id: c for c in walk(component) if getattr(c, "id", None)}


def find(component, ident):
    return ids(component).get(ident)
