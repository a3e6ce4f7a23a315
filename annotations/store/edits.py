"""The annotation edits both backends offer, written once.

Tagging, retagging, notes and deletion are the same rules on every backend (an
exact twin gets the themes added; no themes left deletes): each backend supplies
the primitives (`get`, `exact`, `_apply` of one `Change`, its `_codebook`) and
inherits these.
"""

from __future__ import annotations

from collections.abc import Iterable

from annotations.corpus import Article
from annotations.model import Annotation
from annotations.store.protocol import Change
from annotations.themes import Codebook


class StoreEdits:
    author: str
    _codebook: Codebook

    def get(self, annotation_id: str) -> Annotation | None:
        raise NotImplementedError

    def exact(self, article_id: str, start: int, end: int) -> Annotation | None:
        raise NotImplementedError

    def _apply(self, change: Change) -> None:
        raise NotImplementedError

    def _theme_name(self, theme: str) -> str:
        return self._codebook.require(theme).name

    def _require(self, annotation_id: str) -> Annotation:
        ann = self.get(annotation_id)
        if ann is None:
            raise KeyError(f"no annotation {annotation_id}")
        return ann

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
