"""Adding a table on /data the way a learner does, for the browser tests of the pages that then use it."""

from pathlib import Path


def add_on_data(page, path: Path, target: str, task: str, name: str) -> None:
    """Upload ``path`` on /data, pick its ``target`` column and ``task`` (the radio's label), name it, add it."""
    from playwright.sync_api import expect  # the browser fixture says why when playwright is missing

    page.goto("/data")
    expect(page.locator("#data-empty")).to_be_visible()
    page.locator("#data-upload input[type=file]").set_input_files(str(path))
    expect(page.locator("#data-preview-summary")).to_contain_text(f"{path.name}: ")
    page.locator("#data-target").click()
    page.get_by_role("option", name=target, exact=True).click()
    page.locator("#data-task label", has_text=task).click()
    page.locator("#data-name").fill(name)
    page.locator("#data-add").click()
    expect(page.locator("#data-list")).to_contain_text(name)
