"""Agents normalization-classification and consistency-validation over real gRPC and REST on a
platform seeded with the demo's messy products: AuditCatalog finds every injected problem, with
filters and pages as the contract says; ValidateProduct, Normalize and Classify answer for catalog
products and drafts; a product's change reaches the view through its event and retrains the
classifier; fixable findings reach a review-queue sink with the product's etag; every error status;
customers are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import grpc
import pytest

from holidaypeak.agents.v1 import agent_types_pb2 as types_pb
from holidaypeak.agents.v1 import consistency_validation_service_pb2 as cv_pb
from holidaypeak.agents.v1 import consistency_validation_service_pb2_grpc as cv_grpc
from holidaypeak.agents.v1 import normalization_classification_service_pb2 as nc_pb
from holidaypeak.agents.v1 import normalization_classification_service_pb2_grpc as nc_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from hph.agents.consistency_validation.servicer import ConsistencyValidationServicer
from hph.agents.normalization_classification.servicer import NormalizationClassificationServicer
from hph.agents.product_catalog.shared import catalog_models
from hph.commerce.demo_data import generate_catalog
from hph.commerce.demo_messy import MessyProduct, messy_products
from hph.commerce.product_truth import ProposalDraft
from tests.support.hph_process import run_hph
from tests.support.rest_harness import RestHub, start_rest_hub, stop_rest_hub
from tests.support.rest_json import ok
from tests.support.rich_status import expect_error, violated_fields
from tests.support.shoppers import staff
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SERVICES = ("catalog", "users", "normalization-classification", "consistency-validation")
AUDIT = "/api/staff/agents/consistency-validation/audit"


class CollectingSink:
    """The review queue's side of the interface, as a list."""

    def __init__(self) -> None:
        self.drafts: list[ProposalDraft] = []

    async def submit(self, drafts: Sequence[ProposalDraft]) -> None:
        self.drafts.extend(drafts)


@pytest.fixture
async def rest(tmp_path: Path) -> AsyncIterator[RestHub]:
    hub = await start_rest_hub(
        tmp_path / "data",
        services=SERVICES,
        settings_overrides={"seed_messy_products": True, "classifier_retrain_debounce_seconds": 0.1},
    )
    try:
        yield hub
    finally:
        await stop_rest_hub(hub)


async def trained(hub: object) -> None:
    """Waits for the catalog view and the first classifier (the agents answer without it meanwhile)."""
    trainer = catalog_models(hub.platform.deps).trainer  # type: ignore[attr-defined]

    async def current() -> bool:
        return trainer.model is not None and trainer.current

    await eventually(current, within=60)


def messy() -> dict[str, MessyProduct]:
    return {m.product.id: m for m in messy_products(generate_catalog())}


async def whole_audit(
    stub: cv_grpc.ConsistencyValidationServiceStub, metadata: object, **filters: object
) -> list[cv_pb.ProductAudit]:
    found: list[cv_pb.ProductAudit] = []
    token = ""
    while True:
        page = await stub.AuditCatalog(
            cv_pb.AuditCatalogRequest(page_size=50, page_token=token, **filters),  # type: ignore[arg-type]
            metadata=metadata,
            timeout=30,
        )
        found.extend(page.products)
        token = page.next_page_token
        if not token:
            return found


async def test_the_audit_finds_every_injected_problem_with_filters_and_pages(rest: RestHub) -> None:
    hub = rest.hub
    await trained(hub)
    stub = cv_grpc.ConsistencyValidationServiceStub(hub.channel)
    first = await stub.AuditCatalog(cv_pb.AuditCatalogRequest(page_size=5), metadata=staff(hub), timeout=30)
    assert first.products_checked == len(generate_catalog().products) + sum(1 for m in messy().values() if m.added)
    assert len(first.products) == 5 and first.next_page_token
    assert first.explanation.method.startswith("consistency-rules-v1+category-tfidf-cnb-v1@")
    everything = await whole_audit(stub, staff(hub))
    assert len(everything) == first.products_with_findings
    found = {
        (a.product.product_id, cv_pb.FindingCode.Name(f.code).removeprefix("FINDING_CODE_"))
        for a in everything
        for f in a.findings
    }
    expected = {(pid, code) for pid, m in messy().items() for code in m.expected_findings}
    assert expected <= found, expected - found
    severities = [max(f.severity for f in a.findings) for a in everything]
    assert severities == sorted(severities, reverse=True)
    assert sum(c.count for c in first.findings_by_code) == sum(len(a.findings) for a in everything)
    # One kind: exactly the injected price outliers.
    outliers = await whole_audit(stub, staff(hub), codes=[cv_pb.FINDING_CODE_PRICE_OUTLIER])
    injected = {pid for pid, m in messy().items() if "PRICE_OUTLIER" in m.expected_findings}
    assert {a.product.product_id for a in outliers} == injected
    assert all(f.code == cv_pb.FINDING_CODE_PRICE_OUTLIER and f.evidence for a in outliers for f in a.findings)
    # A parent category holds its children's products; severity filters findings.
    kitchen = await whole_audit(stub, staff(hub), category_id="kitchen-entertaining")
    assert "CKW-2945" in {a.product.product_id for a in kitchen}
    assert {a.product.category_id for a in kitchen} <= {"cookware", "bakeware", "serveware"}
    high = await whole_audit(stub, staff(hub), min_severity=types_pb.SEVERITY_HIGH)
    assert high and all(f.severity >= types_pb.SEVERITY_HIGH for a in high for f in a.findings)
    # Errors: a token of other filters, a bad size, a bad or unknown category.
    error = await expect_error(
        stub.AuditCatalog(
            cv_pb.AuditCatalogRequest(page_token=first.next_page_token, min_severity=types_pb.SEVERITY_HIGH),
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "page_token" in violated_fields(error)
    error = await expect_error(
        stub.AuditCatalog(cv_pb.AuditCatalogRequest(page_size=500, category_id="Bad Id"), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert {"page_size", "category_id"} <= set(violated_fields(error))
    await expect_error(
        stub.AuditCatalog(cv_pb.AuditCatalogRequest(category_id="no-such-category"), metadata=staff(hub)),
        grpc.StatusCode.NOT_FOUND,
    )
    await expect_error(
        stub.AuditCatalog(cv_pb.AuditCatalogRequest(), metadata=hub.auth("customer", "ava")),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    await expect_error(stub.AuditCatalog(cv_pb.AuditCatalogRequest()), grpc.StatusCode.UNAUTHENTICATED)


async def test_validate_normalize_and_classify_catalog_products_and_drafts(rest: RestHub) -> None:
    hub = rest.hub
    await trained(hub)
    validate = cv_grpc.ConsistencyValidationServiceStub(hub.channel)
    agent = nc_grpc.NormalizationClassificationServiceStub(hub.channel)
    wrong = await validate.ValidateProduct(
        cv_pb.ValidateProductRequest(product_id="AUD-0178"), metadata=staff(hub), timeout=30
    )
    mismatch = [f for f in wrong.audit.findings if f.code == cv_pb.FINDING_CODE_CATEGORY_MISMATCH]
    assert mismatch and "headphones-audio" in mismatch[0].message
    assert any(d.name == "proposal.category_id" for d in wrong.explanation.drivers)
    assert wrong.audit.completeness.components and 0 < wrong.audit.completeness.score <= 1
    await expect_error(
        validate.ValidateProduct(cv_pb.ValidateProductRequest(product_id="NOPE-0000"), metadata=staff(hub)),
        grpc.StatusCode.NOT_FOUND,
    )
    error = await expect_error(
        validate.ValidateProduct(cv_pb.ValidateProductRequest(product_id="no spaces!"), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "product_id" in violated_fields(error)

    normalized = await agent.Normalize(nc_pb.NormalizeRequest(product_id="JWL-1043"), metadata=staff(hub), timeout=30)
    title = next(f for f in normalized.fields if f.field == "title")
    assert title.normalized == messy()["JWL-1043"].expected_name and title.changed
    assert {"case:title", "unit:in", "space:trim"} <= set(title.rules)
    assert {a.name: a.value for a in normalized.attributes}["size"] == "18 in"
    draft = await agent.Normalize(
        nc_pb.NormalizeRequest(draft=types_pb.ProductDraft(title="FROSTLINE crimson WOOL scarf 60in")),
        metadata=staff(hub),
    )
    assert draft.product_id == "" and draft.fields[0].normalized == "Frostline Crimson Wool Scarf 60 in"
    assert {a.name: a.value for a in draft.attributes} == {"color": "red", "size": "60 in", "material": "wool"}
    error = await expect_error(
        agent.Normalize(
            nc_pb.NormalizeRequest(product_id="JWL-1043", draft=types_pb.ProductDraft(title="x")), metadata=staff(hub)
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "draft" in violated_fields(error)
    error = await expect_error(
        agent.Normalize(nc_pb.NormalizeRequest(), metadata=staff(hub)), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert "product_id" in violated_fields(error)

    classified = await agent.Classify(
        nc_pb.ClassifyRequest(product_id="AUD-0178", max_alternatives=2), metadata=staff(hub), timeout=30
    )
    assert classified.prediction.category_id == "headphones-audio" and classified.prediction.category_name
    assert classified.current_category_id == "cookware" and not classified.agrees_with_current
    assert len(classified.alternatives) == 2
    assert classified.explanation.method.startswith("category-tfidf-cnb-v1@")
    assert any(d.name.startswith("word:") for d in classified.explanation.drivers)
    earbuds = await agent.Classify(
        nc_pb.ClassifyRequest(draft=types_pb.ProductDraft(title="wireless earbuds with charging case")),
        metadata=staff(hub),
    )
    assert earbuds.prediction.category_id == "headphones-audio" and len(earbuds.alternatives) == 3
    error = await expect_error(
        agent.Classify(nc_pb.ClassifyRequest(product_id="AUD-0178", max_alternatives=11), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "max_alternatives" in violated_fields(error)
    await expect_error(
        agent.Classify(nc_pb.ClassifyRequest(product_id="NOPE-0000"), metadata=staff(hub)), grpc.StatusCode.NOT_FOUND
    )
    await expect_error(
        agent.Classify(nc_pb.ClassifyRequest(product_id="AUD-0178"), metadata=hub.auth("customer", "ava")),
        grpc.StatusCode.PERMISSION_DENIED,
    )


async def test_a_product_change_reaches_the_view_and_retrains_the_classifier(rest: RestHub) -> None:
    hub = rest.hub
    await trained(hub)
    agent = nc_grpc.NormalizationClassificationServiceStub(hub.channel)
    before = await agent.Classify(nc_pb.ClassifyRequest(product_id="AUD-0178"), metadata=staff(hub), timeout=30)
    models = catalog_models(hub.platform.deps)
    trainings = models.trainer.trainings
    await catalog_grpc.CatalogServiceStub(hub.channel).UpdateProduct(
        catalog_pb.UpdateProductRequest(product_id="AUD-0178", category_id="headphones-audio"), metadata=staff(hub)
    )

    async def retrained() -> bool:
        return models.trainer.trainings > trainings and models.trainer.current

    await eventually(retrained, within=20)
    after = await agent.Classify(nc_pb.ClassifyRequest(product_id="AUD-0178"), metadata=staff(hub))
    assert after.explanation.method != before.explanation.method
    assert after.current_category_id == "headphones-audio" and after.agrees_with_current
    validate = cv_grpc.ConsistencyValidationServiceStub(hub.channel)
    fixed = await validate.ValidateProduct(cv_pb.ValidateProductRequest(product_id="AUD-0178"), metadata=staff(hub))
    assert cv_pb.FINDING_CODE_CATEGORY_MISMATCH not in [f.code for f in fixed.audit.findings]


async def test_fixable_findings_reach_the_review_queue_with_the_products_etag(rest: RestHub) -> None:
    hub = rest.hub
    await trained(hub)
    models = catalog_models(hub.platform.deps)
    sink = CollectingSink()
    consistency = ConsistencyValidationServicer(models, hub.platform.deps.clock, sink=sink)
    normalization = NormalizationClassificationServicer(models, hub.platform.deps.clock, sink=sink)
    catalog = catalog_grpc.CatalogServiceStub(hub.channel)
    etag = (await catalog.GetProduct(catalog_pb.GetProductRequest(product_id="GRM-0558"))).etag
    await consistency.ValidateProduct(cv_pb.ValidateProductRequest(product_id="GRM-0558"), None)
    image = [d for d in sink.drafts if d.field == "image_url"]
    assert [(d.product_id, d.proposed_value, d.product_etag) for d in image] == [
        ("GRM-0558", "https://images.holidaypeak.example/products/GRM-0558.jpg", etag)
    ]
    sink.drafts.clear()
    await normalization.Normalize(nc_pb.NormalizeRequest(product_id="JWL-1043"), None)
    name = next(d for d in sink.drafts if d.field == "name")
    assert (
        name.proposed_value == messy()["JWL-1043"].expected_name and name.source_agent == "normalization-classification"
    )
    sink.drafts.clear()
    # The audit submits what it can fix once per computed audit; etags a view built from events
    # lacks are read from the catalog.
    await consistency.AuditCatalog(cv_pb.AuditCatalogRequest(), None)
    proposed = {(d.product_id, d.field) for d in sink.drafts}
    assert {("AUD-0178", "category_id"), ("PLS-0404", "category_id"), ("CKW-1049", "category_id")} <= proposed
    assert all(d.product_etag for d in sink.drafts)
    submitted = len(sink.drafts)
    await consistency.AuditCatalog(cv_pb.AuditCatalogRequest(page_size=5), None)
    assert len(sink.drafts) == submitted


async def test_rest_routes_for_staff_only(rest: RestHub) -> None:
    await trained(rest.hub)
    staff_headers = rest.bearer("staff", "staff-sam")
    outliers = ok(
        await rest.http.get(
            AUDIT, params={"codes": "FINDING_CODE_PRICE_OUTLIER", "page_size": 100}, headers=staff_headers
        )
    )
    injected = {pid for pid, m in messy().items() if "PRICE_OUTLIER" in m.expected_findings}
    assert {p["product"]["product_id"] for p in outliers["products"]} == injected
    one = ok(await rest.http.get("/api/staff/agents/consistency-validation/products/WNT-0815", headers=staff_headers))
    assert "FINDING_CODE_INVALID_IMAGE_URL" in [f["code"] for f in one["audit"]["findings"]]
    draft = ok(
        await rest.http.post(
            "/api/staff/agents/normalization-classification/classify",
            json={"draft": {"title": "cast iron skillet 12 inch"}},
            headers=staff_headers,
        )
    )
    assert draft["prediction"]["category_id"] == "cookware"
    bad = await rest.http.post(
        "/api/staff/agents/normalization-classification/normalize", json={}, headers=staff_headers
    )
    assert bad.status_code == 400
    customer = rest.bearer("customer", "ava")
    assert (await rest.http.get(AUDIT, headers=customer)).status_code == 403
    assert (
        await rest.http.post(
            "/api/staff/agents/normalization-classification/normalize",
            json={"product_id": "JWL-1043"},
            headers=customer,
        )
    ).status_code == 403
    assert (await rest.http.get(AUDIT)).status_code == 401


async def test_hph_seed_messy_writes_the_corrupted_products_and_plain_seed_does_not(tmp_path: Path) -> None:
    from hph.host.app import open_store
    from hph.runtime.settings import Settings
    from hph.services.catalog.servicer import PRODUCT_PARTITION_KEY, PRODUCTS

    messy_run = run_hph("seed", "--messy", data_dir=tmp_path / "messy")
    clean_run = run_hph("seed", data_dir=tmp_path / "clean")
    assert messy_run.returncode == 0 and clean_run.returncode == 0, messy_run.stderr + clean_run.stderr
    added = sum(1 for m in messy().values() if m.added)
    assert f"{len(generate_catalog().products) + added} products" in messy_run.stdout
    assert f"{len(generate_catalog().products)} products" in clean_run.stdout
    # The history is planned on the clean catalog: the two are refused together, as a usage error.
    both = run_hph("seed", "--messy", "--history", "3", data_dir=tmp_path / "both")
    assert both.returncode == 2 and "cannot be combined" in both.stderr
    for name, category in (("messy", "cookware"), ("clean", "headphones-audio")):
        store = await open_store(Settings(data_dir=tmp_path / name))
        try:
            products = await store.container(PRODUCTS, PRODUCT_PARTITION_KEY)
            assert (await products.read("AUD-0178", "AUD-0178"))["category_id"] == category
        finally:
            await store.close()
