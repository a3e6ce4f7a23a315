"""The codebook manager: add, rename, recolour and remove themes."""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from annotations.store.protocol import Change, Store
from tui.dialogs.base import Dialog
from tui.dialogs.confirm import ConfirmScreen
from tui.live import is_remote, unreachable
from tui.messages import StoreChanged


class AskScreen(Dialog[str | None]):
    """One line of input."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="ask.cancel")]

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with self.frame():
            yield Static(self.question, markup=False)
            yield Input(self.value, id="answer")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)


class CodebookScreen(Dialog[bool]):
    """Needs a `tui.changes.ChangeApp`: changes go through its `run_change`."""

    DEFAULT_CSS = """
    CodebookScreen #codebook-list {
        height: auto;
        max-height: 16;
        margin-top: 1;
    }
    """

    BINDINGS = [
        Binding("a", "add", "Add", id="codebook.add"),
        Binding("r", "rename", "Rename", id="codebook.rename"),
        Binding("c", "recolor", "Recolour", id="codebook.recolor"),
        Binding("d,delete", "remove", "Remove", id="codebook.remove"),
        Binding("escape,q", "dismiss(True)", "Close", id="codebook.close"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        # Usage counts by theme. A team store is read in a worker (the UI thread
        # never waits for the server): None while loading, `_why` when it failed.
        self._usage: dict[str, int] | None = None
        self._why = ""
        # A team rename or removal is planned (its annotations read) in a worker,
        # then saved on the UI thread: what to do with the plan, what to say if not.
        self._then: Callable[[Change], None] = lambda change: None
        self._not_done = ""

    def compose(self) -> ComposeResult:
        with self.frame():
            yield Label(
                "Codebook  (a add · r rename · c recolour · d remove · esc close)",
                classes="dialog-title",
            )
            yield OptionList(id="codebook-list")
            yield Static("", id="codebook-message", markup=False)

    def on_mount(self) -> None:
        self._recount()
        self.query_one(OptionList).focus()
        # Outcomes (and errors) of changes run through the app's write path.
        self.watch(self.app, "report", lambda report: self._say(report[0]), init=False)

    @on(StoreChanged)
    def _store_changed(self) -> None:
        self._recount()

    def _recount(self) -> None:
        if is_remote(self.store):
            self._count_usage()  # the list shows "loading…" until the counts arrive
        else:
            self._usage = self._counts()
        self._fill()

    def _counts(self) -> dict[str, int]:
        return {t.name: self.store.theme_usage(t.name) for t in self.store.codebook}

    @work(thread=True, exclusive=True, exit_on_error=False, name="codebook-usage")
    def _count_usage(self) -> dict[str, int]:
        return self._counts()

    @work(thread=True, exclusive=True, exit_on_error=False, name="codebook-plan", group="plan")
    def _read_plan(self, plan: Callable[[], Change]) -> Change:
        return plan()

    def _planned(
        self, working: str, plan: Callable[[], Change], then: Callable[[Change], None], no: str
    ) -> None:
        """Team mode: read the change in a worker ("renaming…"), then `then` saves it.

        The save queues it for the store's network thread, which writes it in one
        transaction: while the server is away the read fails at once and nothing is
        changed.
        """
        if self.store.read_only:
            self._do(lambda: None, None)  # says read-only
            return
        self._then, self._not_done = then, no
        self._say(working)
        self._read_plan(plan)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name == "codebook-plan":
            if event.state == WorkerState.SUCCESS:
                self._then(event.worker.result)
            elif event.state == WorkerState.ERROR:
                why = unreachable(event.worker.error) if event.worker.error else "failed"
                self._say(f"{self._not_done}: {why}")
            return
        if event.worker.name != "codebook-usage":
            return
        if event.state == WorkerState.SUCCESS:
            self._usage, self._why = event.worker.result, ""
        elif event.state == WorkerState.ERROR:
            self._usage = None
            self._why = unreachable(event.worker.error) if event.worker.error else "failed"
        else:
            return
        self._fill()

    def _used(self, name: str) -> str:
        if self._usage is not None and name in self._usage:
            return f"{self._usage[name]} annotation(s)"
        return "usage: server unreachable" if self._why else "usage: loading…"

    def _fill(self) -> None:
        box = self.query_one(OptionList)
        keep = box.highlighted or 0
        box.set_options(
            Option(
                Content.assemble(
                    ("■ ", t.color),
                    (f"{t.hotkey or '-'}  ", "bold"),
                    Content(t.name),
                    (f"  {t.color}  {self._used(t.name)}", "dim"),
                ),
                id=t.name,
            )
            for t in self.store.codebook
        )
        if box.option_count:
            box.highlighted = min(keep, box.option_count - 1)

    def _say(self, message: str) -> None:
        self.query_one("#codebook-message", Static).update(message)

    def _do(self, fn, done: str | None) -> None:
        self.app.run_change(fn, done)  # type: ignore[attr-defined]

    @property
    def _current(self) -> str | None:
        option = self.query_one(OptionList).highlighted_option
        return option.id if option else None

    def action_add(self) -> None:
        def answer(name: str | None) -> None:
            if name:
                self._do(lambda: self.store.add_theme(name), f"Added {name}")

        self.app.push_screen(AskScreen("New theme name:"), answer)

    def action_rename(self) -> None:
        old = self._current
        if old is None:
            return

        def answer(new: str | None) -> None:
            if not new or new == old:
                return
            if not is_remote(self.store):
                self._do(lambda: self.store.rename_theme(old, new), f"Renamed {old} to {new}")
                return
            self._planned(
                f"renaming {old}…",
                lambda: self.store.plan_rename_theme(old, new),
                lambda change: self._do(
                    lambda: self.store.save_planned(change),
                    f"Renamed {old} to {new} ({len(change.before)} annotation(s))",
                ),
                f"Not renamed {old}",
            )

        self.app.push_screen(AskScreen(f"Rename {old!r} to:", old), answer)

    def action_recolor(self) -> None:
        name = self._current
        if name is None:
            return

        def answer(color: str | None) -> None:
            if color:
                self._do(lambda: self.store.recolor_theme(name, color), f"Recoloured {name}")

        self.app.push_screen(
            AskScreen(
                f"Colour for {name!r} (#RRGGBB or a name like blue, teal):",
                self.store.codebook.color_of(name),
            ),
            answer,
        )

    def action_remove(self) -> None:
        name = self._current
        if name is None:
            return
        if is_remote(self.store):  # counted afresh in the plan, not from the list
            self._planned(
                f"removing {name}…",
                lambda: self.store.plan_remove_theme(name),
                lambda change: self._confirm_removal(name, len(change.before), change),
                f"Not removed {name}",
            )
            return
        if self._usage is None or name not in self._usage:
            self._say(f"Not removed: {self._why or 'usage counts still loading…'}")
            return
        self._confirm_removal(name, self._usage[name])

    def _confirm_removal(self, name: str, used: int, change: Change | None = None) -> None:
        """Remove `name` (asked first when `used`); a team store saves the planned `change`."""

        def remove(force: bool) -> None:
            if change is not None:
                self.store.save_planned(change)
            else:
                self.store.remove_theme(name, force=force)

        if not used:
            self._do(lambda: remove(False), f"Removed {name}")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._do(
                    lambda: remove(True),
                    f"Removed {name} from {used} annotation(s) (u undoes)",
                )
            elif change is not None:
                self._say("")  # "removing…" no more

        self.app.push_screen(
            ConfirmScreen(
                f"{name!r} is used by {used} annotation(s). Remove it from all of them? "
                "Annotations left with no theme are deleted.",
                yes="Remove",
            ),
            confirmed,
        )
