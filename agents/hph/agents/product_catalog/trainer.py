"""Keeps the category classifier trained on the current catalog view.

Every change of the view schedules a retraining after `debounce` seconds of quiet (a burst of
product events, e.g. a bulk edit, trains once). Training runs in a worker thread (scikit-learn
releases the GIL in its numeric parts; the event loop keeps serving), from an immutable copy of the
examples taken on the loop, and a change that arrives during a training schedules another one. The
previous model answers until the new one is installed; `model` is None until the first training
and while the catalog has fewer than two categories with products.
"""

from __future__ import annotations

import asyncio
import logging
import time

from hph.agents.product_catalog.classifier import CategoryClassifier, Example
from hph.agents.product_catalog.view import CatalogView

log = logging.getLogger("hph.agents.product_catalog")


def examples_of(view: CatalogView) -> list[Example]:
    return [Example(p.id, p.text(), p.category_id) for p in view.products.values() if p.category_id]


class ClassifierTrainer:
    def __init__(self, view: CatalogView, debounce: float) -> None:
        self._view = view
        self._debounce = debounce
        self.model: CategoryClassifier | None = None
        # The view's version the model was trained on (-1: none yet).
        self.trained_version = -1
        self.trainings = 0
        self.last_training_seconds = 0.0
        self._pending: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[CategoryClassifier | None] | None = None
        self._dirty = False
        # Set (and replaced) at every installation: wakes the calls waiting for a current model.
        self._installed = asyncio.Event()
        view.listeners.append(self.changed)

    @property
    def current(self) -> bool:
        """Whether the model was trained on the view as it is now."""
        return self.trained_version == self._view.version

    def changed(self) -> None:
        """The view changed: retrain after the debounce (the first build trains at once)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a view installed outside a loop (an evaluation): trained on demand
            return
        if self._pending is not None:
            self._pending.cancel()
        delay = 0.0 if self.model is None else self._debounce
        self._pending = loop.call_later(delay, self._start)

    def _start(self) -> None:
        self._pending = None
        if self._task is not None and not self._task.done():
            self._dirty = True  # trained again when the running training ends
            return
        self._task = asyncio.ensure_future(self.retrain())

    async def retrain(self) -> CategoryClassifier | None:
        """Trains on the view now (off the event loop) and installs the model."""
        while True:
            self._dirty = False
            version, examples = self._view.version, examples_of(self._view)
            started = time.perf_counter()
            try:
                model = await asyncio.to_thread(train, examples)
            except Exception:  # a bad model must not stop the agent: the previous one keeps answering
                log.exception("category classifier: training failed on %d products", len(examples))
                model = None
            if model is not None or len({e.label for e in examples}) < 2:
                self.model, self.trained_version = model, version
                self._installed.set()
                self._installed = asyncio.Event()
                self.trainings += 1
                self.last_training_seconds = time.perf_counter() - started
                log.info(
                    "category classifier %s trained on %d products in %.2f s",
                    model.method if model else "(none)",
                    len(examples),
                    self.last_training_seconds,
                )
            if not self._dirty:
                return self.model

    async def wait_current(self, seconds: float) -> CategoryClassifier | None:
        """The model, after waiting up to `seconds` for one trained on the current view."""
        try:
            async with asyncio.timeout(seconds):
                while not self.current:
                    await self._installed.wait()
        except TimeoutError:
            pass
        return self.model

    async def start(self) -> None:
        """Nothing to start: the view's changes schedule the trainings (a BackgroundTask for `stop`)."""

    async def stop(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)


def train(examples: list[Example]) -> CategoryClassifier | None:
    """A model of the examples; None when they hold fewer than two categories."""
    if len({e.label for e in examples}) < 2:
        return None
    return CategoryClassifier(examples)
