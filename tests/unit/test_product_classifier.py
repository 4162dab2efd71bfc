"""The category classifier: deterministic, calibrated when categories are large enough, judges a
catalog product out of fold (a mislabelled product cannot hide its own mistake), names the n-grams
behind a prediction, and is retrained (debounced, in a thread) when the catalog view changes, after
which its answer changes with the catalog."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

from google.protobuf.message import Message

from holidaypeak.events.v1 import product_events_pb2 as product_ev
from hph.agents.normalization_classification import evaluation
from hph.agents.normalization_classification.core import category_proposal
from hph.agents.product_catalog.classifier import CALIBRATE_FROM, CategoryClassifier, Example
from hph.agents.product_catalog.records import ProductRecord
from hph.agents.product_catalog.trainer import ClassifierTrainer
from hph.agents.product_catalog.view import CatalogView, CategoryInfo
from hph.runtime.clock import system_clock
from hph.runtime.consumers import Delivery
from hph.runtime.eventlog import LoggedEvent
from hph.runtime.events import new_event

LIGHTS = [
    "fairy lights warm white",
    "string lights led",
    "icicle lights outdoor",
    "bulb string lights",
    "led light curtain",
]
MUGS = ["ceramic mug", "stoneware mug set", "travel mug steel", "espresso cups", "latte mug large"]
SLEDS = ["wooden toboggan sled", "foam snow tube", "snow sled kids", "toboggan for two", "plastic snow sled"]


def records(groups: dict[str, list[str]]) -> list[ProductRecord]:
    return [
        ProductRecord(f"{category[:3].upper()}-{index:04d}", title, category_id=category)
        for category, titles in groups.items()
        for index, title in enumerate(titles)
    ]


def examples(found: list[ProductRecord]) -> list[Example]:
    return [Example(r.id, r.text(), r.category_id) for r in found]


CATALOG = records({"lights": LIGHTS, "mugs": MUGS, "sleds": SLEDS})


def test_the_same_catalog_trains_the_same_model() -> None:
    first, second = CategoryClassifier(examples(CATALOG)), CategoryClassifier(examples(CATALOG))
    assert first.version == second.version
    assert first.classify("led lights") == second.classify("led lights")
    assert CategoryClassifier(examples(CATALOG[1:])).version != first.version


def test_calibrated_only_when_every_category_has_enough_products() -> None:
    assert CategoryClassifier(examples(CATALOG)).calibrated  # 5 each
    small = [r for r in CATALOG if not r.id.endswith("0004")]  # 4 each
    assert len(small) // 3 < CALIBRATE_FROM
    model = CategoryClassifier(examples(small))
    assert not model.calibrated and model.method.endswith("(uncalibrated)")


def test_predictions_rank_categories_by_probability_and_name_the_ngrams_behind_them() -> None:
    model = CategoryClassifier(examples(CATALOG))
    found = model.classify("outdoor led string lights", top=3)
    assert found.best.category_id == "lights"
    assert found.ranked[0].confidence > found.ranked[1].confidence >= found.ranked[2].confidence
    assert 0.0 < sum(r.confidence for r in found.ranked) <= 1.0001
    assert any(t.feature == "word:lights" for t in found.tokens)
    assert all(t.weight > 0 for t in found.tokens)


def test_a_mislabelled_catalog_product_is_judged_out_of_fold_and_gets_a_category_proposal() -> None:
    wrong = ProductRecord("SLD-9999", "wooden snow sled toboggan", category_id="mugs", etag="e9")
    model = CategoryClassifier(examples([*CATALOG, wrong]))
    judged = model.classify(wrong.text(), wrong.id)
    assert judged.out_of_fold and judged.best.category_id == "sleds"
    proposal = category_proposal(wrong, judged, model)
    assert proposal is not None and proposal.proposed_value == "sleds" and proposal.current_value == "mugs"
    # Changed text is judged by the full model, not its stale held-out answer.
    assert not model.classify("ceramic mug", wrong.id).out_of_fold


async def test_the_trainer_retrains_after_a_change_and_the_answer_follows_the_catalog() -> None:
    view = CatalogView(None, system_clock)
    trainer = ClassifierTrainer(view, debounce=0.05)
    categories = [
        CategoryInfo("lights", "Lights", ""),
        CategoryInfo("mugs", "Mugs", ""),
        CategoryInfo("sleds", "Sleds", ""),
    ]
    view.install(CATALOG, categories)
    first = await trainer.wait_current(10)
    assert first is not None and trainer.current
    before = first.classify("enamel camping cup").best.category_id
    # The catalog learns that "enamel camping cup" things are sleds' neighbours: add them to sleds.
    more = [ProductRecord(f"SLD-1{i:03d}", f"enamel camping cup {i}", category_id="sleds") for i in range(6)]
    for record in more:
        view.products[record.id] = record
        view._changed()  # as an event would
    assert not trainer.current  # a change is pending: the old model still answers
    second = await trainer.wait_current(10)
    assert second is not None and second.version != first.version
    assert second.classify("enamel camping cup").best.category_id == "sleds" != before
    # A burst of changes trained once more, not once per change.
    assert trainer.trainings == 2
    await trainer.stop()


async def test_without_two_categories_there_is_no_model() -> None:
    view = CatalogView(None, system_clock)
    trainer = ClassifierTrainer(view, debounce=0.01)
    view.install([ProductRecord("ONE-0001", "only mugs", category_id="mugs")], [])
    assert await trainer.wait_current(5) is None and trainer.current
    await trainer.stop()
    await asyncio.sleep(0)


def event(payload: Message, product_id: str) -> Delivery:
    envelope = new_event(payload, source="catalog", subject=product_id, partition_key=product_id)
    return Delivery("product-catalog", LoggedEvent("product-events", 0, 1, datetime.now(UTC), envelope), 1)


def snapshot(record: ProductRecord, status: int = product_ev.PRODUCT_STATUS_ACTIVE) -> product_ev.ProductSnapshot:
    return product_ev.ProductSnapshot(
        product_id=record.id,
        name=record.name,
        category_id=record.category_id,
        price_minor=1999,
        currency_code="USD",
        status=status,  # type: ignore[arg-type]
    )


async def test_the_view_follows_product_events_and_only_a_real_change_retrains() -> None:
    view = CatalogView(None, system_clock)
    seen = [dataclasses.replace(r, price=19.99, etag="from-the-build") for r in CATALOG]
    view.install(seen, [])
    version = view.version
    # The same content again (a relay duplicate, or the event of the build's own state): no change.
    assert not await view.apply(event(product_ev.ProductUpdated(product=snapshot(seen[0])), seen[0].id))
    assert view.version == version and view.products[seen[0].id].etag == "from-the-build"
    moved = dataclasses.replace(seen[0], category_id="sleds")
    assert await view.apply(event(product_ev.ProductUpdated(product=snapshot(moved)), moved.id))
    assert view.products[moved.id].category_id == "sleds" and view.products[moved.id].etag == ""
    assert view.version == version + 1
    new = ProductRecord("NEW-0001", "glass mug", category_id="mugs")
    assert await view.apply(event(product_ev.ProductCreated(product=snapshot(new)), new.id))
    assert await view.apply(event(product_ev.ProductArchived(product_id=new.id), new.id))
    assert new.id not in view.products
    hidden = snapshot(seen[1], product_ev.PRODUCT_STATUS_ARCHIVED)
    assert await view.apply(event(product_ev.ProductUpdated(product=hidden), seen[1].id))
    assert seen[1].id not in view.products


def test_the_classifier_holds_its_floors_on_the_held_out_catalog_and_the_messy_titles() -> None:
    report = evaluation.evaluate_classifier()
    assert report.held_out >= 80 and report.messy >= 60
    assert evaluation.classifier_below_floors(report) == [], evaluation.render_classifier(report, per_case=True)
    guessing = dataclasses.replace(report, messy_accuracy=0.1, messy_macro_f1=0.1)
    assert len(evaluation.classifier_below_floors(guessing)) == 2
