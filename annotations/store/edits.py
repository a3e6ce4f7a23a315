"""The annotation edits both backends offer, written once.

Tagging, retagging, notes and deletion are the same rules on every backend (an
exact twin gets the themes added; no themes left deletes): each backend supplies
the primitives (`get`, `exact`, `_apply` of one `Change`, its `_codebook`, the stored
coverage record `_stored`) and inherits these.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from annotations.corpus import Article
from annotations.coverage import Done, resolve
from annotations.model import Annotation
from annotations.store.protocol import Change
from annotations.themes import Codebook, ThemeInUseError, clean_name


class StoreEdits:
    author: str
    _codebook: Codebook
    _undo: list[Change]  # this session's changes, newest last
    _redo: list[Change]

    # -- the undo history (each backend's undo/redo writes and tells listeners) ----------

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def peek_undo(self) -> Change | None:
        """The change `undo()` would revert, if any."""
        return self._undo[-1] if self._undo else None

    def peek_redo(self) -> Change | None:
        return self._redo[-1] if self._redo else None

    def get(self, annotation_id: str) -> Annotation | None:
        raise NotImplementedError

    def exact(self, article_id: str, start: int, end: int) -> Annotation | None:
        raise NotImplementedError

    def _apply(self, change: Change, undoable: bool = True) -> None:
        raise NotImplementedError

    def _current(self, ids: list[str]) -> list[Annotation]:
        """The stored versions of these annotations (those that exist)."""
        return [a for i in ids if (a := self.get(i)) is not None]

    def _stored(self, record: Done) -> Done | None:
        """The coverage record the store holds for `record`'s analyst and article."""
        raise NotImplementedError

    def _using(self, theme: str) -> list[Annotation]:
        """Every annotation coded with `theme` (the codebook's spelling)."""
        raise NotImplementedError

    def _theme_name(self, theme: str) -> str:
        return self._codebook.require(theme).name

    def _require(self, annotation_id: str) -> Annotation:
        ann = self.get(annotation_id)
        if ann is None:
            raise KeyError(f"no annotation {annotation_id}")
        return ann

    def put_many(
        self,
        annotations: Iterable[Annotation],
        label: str = "import",
        undoable: bool = True,
        *,
        remove: Iterable[str] = (),
        coverage: Iterable[Done] = (),
    ) -> tuple[int, int]:
        """Insert or replace annotations by id, all in one write.

        Ids in `remove` are deleted in the same write (a merge folding duplicates);
        `coverage` records are resolved against the stored ones (the later wins).
        Unknown themes are added to the codebook. Returns (added, updated).
        """
        incoming = list({a.id: a for a in annotations}.values())
        before = self._current([a.id for a in incoming])
        replaced = len(before)
        keep = {a.id for a in incoming}
        before += self._current([i for i in dict.fromkeys(remove) if i not in keep])
        codebook = self._codebook
        spelling: dict[str, str] = {}  # as given -> the codebook's name
        for ann in incoming:
            for theme in ann.themes:
                if theme in spelling:
                    continue
                found = codebook.get(theme) or codebook.get(clean_name(theme))
                if found is None:
                    codebook, found = codebook.add(theme)  # stored under its cleaned name
                spelling[theme] = found.name
        # Theme names are matched case-insensitively; store the codebook's spelling.
        incoming = [
            a
            if all(spelling[t] == t for t in a.themes)
            else replace(a, themes=tuple(dict.fromkeys(spelling[t] for t in a.themes)))
            for a in incoming
        ]
        change = Change(label, before, incoming)
        for k, rec in resolve(coverage).items():
            old = self._stored(rec)
            if old is None or (old != rec and resolve([old, rec])[k] is rec):
                change.coverage_before[k], change.coverage_after[k] = old, rec
        if codebook is not self._codebook:
            change.codebook_before, change.codebook_after = self._codebook, codebook
        self._apply(change, undoable=undoable)
        return len(incoming) - replaced, replaced

    def tag(
        self,
        article: Article,
        start: int,
        end: int,
        themes: Iterable[str],
        note: str = "",
        *,
        id: str | None = None,
    ) -> Annotation:
        """Tag `article.text[start:end]`; an exact twin gets the themes added instead.

        `id` (client-generated) makes a retried call idempotent.
        """
        names = [self._theme_name(t) for t in themes]
        twin = self.exact(article.id, start, end)
        if twin is not None:
            merged = tuple(dict.fromkeys([*twin.themes, *names]))
            if merged == twin.themes and not note:
                return twin
            updated = twin.touched(themes=merged, note=note or twin.note)
            self._apply(Change(f"tag {', '.join(names)}", [twin], [updated]))
            return updated
        ann = Annotation.create(
            article_id=article.id,
            text=article.text,
            sha256=article.sha256,
            start=start,
            end=end,
            themes=names,
            note=note,
            author=self.author,
            id=id,
        )
        self._apply(Change(f"tag {', '.join(names)}", [], [ann]))
        return ann

    def set_themes(
        self, annotation_id: str, themes: Iterable[str], label: str = "retag"
    ) -> Annotation | None:
        """Replace the annotation's themes; an empty list deletes it."""
        ann = self._require(annotation_id)
        names = [self._theme_name(t) for t in themes]
        if not names:
            self.delete(ann.id)
            return None
        updated = ann.touched(themes=tuple(names))
        self._apply(Change(label, [ann], [updated]))
        return updated

    def set_note(self, annotation_id: str, note: str) -> Annotation:
        ann = self._require(annotation_id)
        updated = ann.touched(note=note)
        self._apply(Change("edit note", [ann], [updated]))
        return updated

    def delete(self, annotation_id: str, label: str = "delete") -> Annotation:
        ann = self._require(annotation_id)
        self._apply(Change(label, [ann], []))
        return ann

    # -- codebook changes that touch annotations --------------------------------------

    def rename_theme(self, old: str, new: str) -> int:
        """Rename a theme and every annotation's use of it; returns annotations changed."""
        change = self.plan_rename_theme(old, new)
        self._apply(change)
        return len(change.before)

    def plan_rename_theme(self, old: str, new: str) -> Change:
        """The rename as one change, not saved (`save_planned`): a reader builds it in a
        worker, since reading the annotations may go over the network."""
        codebook, theme, renamed = self._codebook.rename(old, new)
        before = self._using(theme.name)
        after = [
            a.touched(themes=tuple(renamed.name if t == theme.name else t for t in a.themes))
            for a in before
        ]
        return Change(
            f"rename {theme.name} to {renamed.name}",
            before,
            after,
            codebook_before=self._codebook,
            codebook_after=codebook,
        )

    def remove_theme(self, name: str, *, force: bool = False) -> int:
        """Remove a theme; refused while annotations use it unless `force`.

        With `force`, the theme is taken off every annotation, and annotations
        left with no theme are deleted. Returns the annotations affected.
        """
        change = self.plan_remove_theme(name)
        if change.before and not force:
            raise ThemeInUseError(change.label.removeprefix("remove theme "), len(change.before))
        self._apply(change)
        return len(change.before)

    def plan_remove_theme(self, name: str) -> Change:
        codebook, theme = self._codebook.remove(name)
        before = self._using(theme.name)
        after = [
            a.touched(themes=tuple(t for t in a.themes if t != theme.name))
            for a in before
            if len(a.themes) > 1
        ]
        return Change(
            f"remove theme {theme.name}",
            before,
            after,
            codebook_before=self._codebook,
            codebook_after=codebook,
        )

    def save_planned(self, change: Change) -> None:
        """Save a planned change. In team mode it is queued behind the reader's unsent
        edits; the versions read when it was planned are checked when it is written."""
        self._apply(change)
