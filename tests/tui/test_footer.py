"""The footer follows the focus (its keys are the focused widget's and the screen's), and
is rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from tests.helpers.snapshot_apps import make_app, sync
from tui.widgets.article_list import ArticleList
from tui.widgets.footer import Footer
from tui.widgets.reader import Reader


def shown(app) -> set[str]:
    return {key.description for key in app.screen.query_one(Footer).query(FooterKey)}


@sync
async def test_footer_keys_follow_the_focus_and_are_not_rebuilt_for_nothing(tmp_path):
    app = make_app(tmp_path / "db.json")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        assert "Sentence" not in shown(app)  # the list has the focus
        app.screen.query_one(Reader).focus()
        await pilot.pause()
        assert "Sentence" in shown(app)  # the reader's own keys
        keys = list(footer.query(FooterKey))
        app.screen.refresh_bindings()  # signalled as changed, with the same keys
        await pilot.pause()
        assert list(footer.query(FooterKey)) == keys  # not rebuilt: the same widgets
        app.screen.query_one(ArticleList).focus()
        await pilot.pause()
        assert "Sentence" not in shown(app)
