"""One catalog view and one classifier per process, whichever product-management agents it hosts.

`catalog_models(deps)` builds them on the first call (following product events, building once the
server is up, retraining on change) and returns the same pair to every later call with the same
platform (keyed by its channel pool, which one platform's services share).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from hph.agents.product_catalog.trainer import ClassifierTrainer
from hph.agents.product_catalog.view import CatalogView
from hph.agents.runtime.catalog import CatalogReader
from hph.runtime.channels import ChannelPool
from hph.runtime.deps import Dependencies


@dataclass(frozen=True)
class CatalogModels:
    reader: CatalogReader
    view: CatalogView
    trainer: ClassifierTrainer


_BY_PLATFORM: weakref.WeakKeyDictionary[ChannelPool, CatalogModels] = weakref.WeakKeyDictionary()


def catalog_models(deps: Dependencies) -> CatalogModels:
    found = _BY_PLATFORM.get(deps.channels)
    if found is not None:
        return found
    reader = CatalogReader(deps.channels, deps.service_credentials)
    view = CatalogView(reader, deps.clock)
    trainer = ClassifierTrainer(view, deps.settings.classifier_retrain_debounce_seconds)
    view.follow(deps.bus, view.subscriptions())
    view.launch()
    deps.background.extend([view, trainer])
    found = CatalogModels(reader, view, trainer)
    _BY_PLATFORM[deps.channels] = found
    return found
