"""ConsistencyValidationService over gRPC: ValidateProduct checks one product as the catalog has it
now (read with its etag) against the catalog view's statistics; AuditCatalog pages through the
whole-catalog audit, computed once per catalog and model version (off the event loop) and filtered
per request. Fixable findings become proposals for the review queue; an
audit's are submitted once per computed audit."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from holidaypeak.agents.v1 import agent_types_pb2 as types_pb
from holidaypeak.agents.v1 import consistency_validation_service_pb2 as pb
from holidaypeak.agents.v1 import consistency_validation_service_pb2_grpc as pb_grpc
from hph.agents.consistency_validation.audit import Audit, ProductResult, content_of, run_audit, select
from hph.agents.consistency_validation.checks import CODES, CatalogStats, Finding, catalog_stats, check_product
from hph.agents.consistency_validation.rules import Rules, shipped_rules
from hph.agents.product_catalog import proposals
from hph.agents.product_catalog.classifier import CONFIDENT_DISAGREEMENT, CategoryClassifier
from hph.agents.product_catalog.completeness import completeness
from hph.agents.product_catalog.records import ProductRecord
from hph.agents.product_catalog.shared import CatalogModels, catalog_models
from hph.agents.product_catalog.subject import load_subject
from hph.agents.product_catalog.view import SOURCE as VIEW_SOURCE
from hph.agents.runtime import Driver, data_freshness, explanation, narrate_if_asked
from hph.agents.runtime.catalog import PRODUCT_SOURCE
from hph.agents.runtime.paging import offset_token, query_digest, token_offset
from hph.commerce.identifiers import check_category_id, check_product_id
from hph.commerce.product_truth import ProposalDraft, ProposalSink
from hph.runtime import money, validation
from hph.runtime.clock import Clock
from hph.runtime.deps import Dependencies
from hph.runtime.errors import NotFound, Unavailable, Violations
from hph.runtime.narrator import Narrator
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import ContainerSpec

# Nothing stored: the catalog view and the classifier live in memory, rebuilt at every start.
CONTAINERS: tuple[ContainerSpec, ...] = ()
AGENT = "consistency-validation"
# How long a call waits for the catalog view and the first model before answering without them.
FIRST_VIEW_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class _Computed:
    key: tuple[int, str]
    audit: Audit


class ConsistencyValidationServicer(pb_grpc.ConsistencyValidationServiceServicer):
    def __init__(
        self,
        models: CatalogModels,
        clock: Clock,
        *,
        rules: Rules | None = None,
        sink: ProposalSink | None = None,
        narrator: Narrator | None = None,
    ) -> None:
        self._models = models
        self._clock = clock
        self._rules = rules or shipped_rules()
        self._sink = sink
        self._narrator = narrator or Narrator.off()
        self._computed: _Computed | None = None
        self._computing = asyncio.Lock()
        self._view_stats: tuple[int, CatalogStats] | None = None

    async def ValidateProduct(self, request: pb.ValidateProductRequest, context: Any) -> pb.ValidateProductResponse:
        violations = Violations()
        check_product_id(violations, request.product_id)
        violations.raise_if_any()
        subject = await load_subject(self._models.reader, request.product_id, None)
        model = await self._model()
        view = self._models.view
        stats = await self._stats(subject)
        classification = model.classify(subject.text(), subject.id) if model else None
        findings = check_product(subject, stats, self._rules, classification, view.ancestors, _method(model))
        result = ProductResult(subject, tuple(findings), completeness(content_of(subject)))
        drafts = [f.proposal for f in findings if f.proposal is not None]
        submitted = await proposals.submit(self._sink, drafts, self._etag)
        response = pb.ValidateProductResponse(
            audit=_product_audit(result),
            explanation=explanation(
                f"{len(findings)} finding(s) "
                f"({', '.join(sorted({f.code.lower() for f in findings})) or 'none'}), content "
                f"{result.completeness.score:.0%} complete, {len(drafts)} proposal(s)"
                + (f", {submitted} submitted for review" if submitted else ""),
                [*self._thresholds(), *_proposal_drivers(drafts)],
                method=f"{self._rules.version}+{_method(model) or 'no-classifier'}",
                freshness=data_freshness(
                    self._clock(),
                    data_as_of=view.freshness.data_as_of,
                    sources=[PRODUCT_SOURCE, VIEW_SOURCE],
                    degraded=not view.ready or model is None or not self._models.trainer.current,
                ),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="product consistency")
        return response

    async def AuditCatalog(self, request: pb.AuditCatalogRequest, context: Any) -> pb.AuditCatalogResponse:
        violations = Violations()
        check_category_id(violations, request.category_id)
        violations.check(request.min_severity in types_pb.Severity.values(), "min_severity", "must be a Severity value")
        valid_codes = set(pb.FindingCode.values())
        for index, code in enumerate(request.codes):
            violations.check(code in valid_codes, f"codes[{index}]", "must be a FindingCode value")
        size = validation.page_size(violations, "page_size", request.page_size)
        validation.page_token(violations, "page_token", request.page_token)
        codes = sorted(
            {pb.FindingCode.Name(c).removeprefix("FINDING_CODE_") for c in request.codes if c in valid_codes}
        )
        every_code = not codes or "UNSPECIFIED" in codes
        digest = query_digest([request.category_id, int(request.min_severity), codes, size])
        offset = 0
        if request.page_token:
            found = token_offset(request.page_token, digest)
            violations.check(found is not None, "page_token", "is not a token of this request (same filters)")
            offset = found or 0
        violations.raise_if_any()
        audit, model = await self._audit()
        view = self._models.view
        categories = self._categories(request.category_id) if request.category_id else None
        chosen = select(
            audit,
            categories=categories,
            min_severity=int(request.min_severity),
            codes=() if every_code else codes,
        )
        page = chosen.products[offset : offset + size]
        following = offset + size if offset + size < len(chosen.products) else None
        response = pb.AuditCatalogResponse(
            products=[_product_audit(p) for p in page],
            next_page_token=offset_token(following, digest) if following is not None else "",
            products_checked=chosen.checked,
            products_with_findings=len(chosen.products),
            findings_by_code=[
                pb.FindingCount(code=f"FINDING_CODE_{code}", count=count) for code, count in chosen.by_code
            ],
            mean_completeness=chosen.mean_completeness,
            explanation=explanation(
                f"{len(chosen.products)} of {chosen.checked} product(s) with findings"
                + (f" in {request.category_id}" if request.category_id else "")
                + (f": {', '.join(f'{n} {code.lower()}' for code, n in chosen.by_code)}" if chosen.by_code else "")
                + f"; mean completeness {chosen.mean_completeness:.0%}",
                [
                    Driver("products_checked", chosen.checked, "listed products audited", unit="products"),
                    *self._thresholds(),
                ],
                method=f"{self._rules.version}+{_method(model) or 'no-classifier'}",
                freshness=data_freshness(
                    self._clock(),
                    data_as_of=view.freshness.data_as_of,
                    sources=[VIEW_SOURCE],
                    degraded=not view.ready or model is None or not self._models.trainer.current,
                ),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="catalog audit")
        return response

    # --- the audit --------------------------------------------------------------------------------

    async def _audit(self) -> tuple[Audit, CategoryClassifier | None]:
        """The audit of the view as it is, computed again only when the view or the model changed."""
        model = await self._model()
        view = self._models.view
        async with self._computing:
            key = (view.version, _method(model))
            if self._computed is not None and self._computed.key == key:
                return self._computed.audit, model
            records = list(view.products.values())
            audit = await asyncio.to_thread(
                run_audit,
                records,
                self._rules,
                model.classify_many if model else None,
                view.ancestors,
                _method(model),
            )
            self._computed = _Computed(key, audit)
        await proposals.submit(self._sink, audit.proposals(), self._etag)
        return audit, model

    async def _stats(self, subject: ProductRecord) -> CatalogStats:
        """The catalog's statistics with `subject` as the catalog has it now: the view's, kept per
        view version, unless the subject changed since the view saw it."""
        view = self._models.view
        seen = view.products.get(subject.id)
        if seen is not None and dataclasses.replace(seen, etag="") == dataclasses.replace(subject, etag=""):
            cached = self._view_stats
            if cached is None or cached[0] != view.version:
                records = list(view.products.values())
                cached = (view.version, await asyncio.to_thread(catalog_stats, records, self._rules))
                self._view_stats = cached
            return cached[1]
        others = [p for pid, p in view.products.items() if pid != subject.id]
        return await asyncio.to_thread(catalog_stats, [*others, subject], self._rules)

    async def _model(self) -> CategoryClassifier | None:
        """The current model; the first call waits for the view and its first training (UNAVAILABLE
        when the view cannot be built in time)."""
        view, trainer = self._models.view, self._models.trainer
        if trainer.model is not None:
            return trainer.model
        model = await trainer.wait_current(FIRST_VIEW_WAIT_SECONDS)
        if not view.ready:
            raise Unavailable("the catalog view is still being built; retry shortly", metadata={"service": AGENT})
        return model

    def _categories(self, category_id: str) -> Collection[str]:
        view = self._models.view
        if category_id not in view.categories:
            raise NotFound(f"category {category_id!r} not found")
        return {c for c in view.categories if c == category_id or category_id in view.ancestors(c)}

    def _thresholds(self) -> list[Driver]:
        rules = self._rules
        return [
            Driver(
                "price_outlier_threshold",
                rules.outlier_threshold,
                f"robust z of ln price within a category of at least {rules.outlier_min_products} priced products",
                threshold=rules.outlier_threshold,
            ),
            Driver(
                "near_duplicate_threshold",
                rules.near_duplicate_threshold,
                "Jaccard of the titles' word and word-pair shingles",
                threshold=rules.near_duplicate_threshold,
            ),
            Driver(
                "category_mismatch_confidence",
                CONFIDENT_DISAGREEMENT,
                "classifier probability of another category",
                threshold=CONFIDENT_DISAGREEMENT,
                unit="probability",
            ),
            *(
                Driver(
                    f"min_length.{field.field}",
                    field.min_length,
                    "shorter is a finding",
                    threshold=field.min_length,
                    unit="tags" if field.field == "tags" else "characters",
                )
                for field in rules.fields
            ),
        ]

    async def _etag(self, product_id: str) -> str | None:
        product = await self._models.reader.product(product_id)
        return product.etag if product is not None else None


def _method(model: CategoryClassifier | None) -> str:
    return model.method if model is not None else ""


def _proposal_drivers(drafts: list[ProposalDraft]) -> list[Driver]:
    return [
        Driver(
            f"proposal.{d.field}",
            d.confidence,
            f"propose {d.field} = {d.proposed_value!r} (now {d.current_value!r})",
            unit="confidence",
        )
        for d in drafts
    ]


def _product_audit(result: ProductResult) -> pb.ProductAudit:
    record = result.record
    return pb.ProductAudit(
        product=_ref(record),
        findings=[_finding(f) for f in result.findings],
        completeness=types_pb.CompletenessScore(
            score=result.completeness.score,
            missing_fields=result.completeness.missing_fields,
            components=[c.to_proto() for c in result.completeness.components],
        ),
    )


def _ref(record: ProductRecord) -> types_pb.ProductRef:
    price = record.price or 0.0
    currency = record.currency_code if money.is_supported_currency(record.currency_code) else "USD"
    # Rounded, not money.to_minor: a display of whatever the catalog holds must never refuse it.
    minor = round(price * 10 ** money.exponent(currency))
    return types_pb.ProductRef(
        product_id=record.id,
        name=record.name,
        category_id=record.category_id,
        brand=record.brand,
        image_url=record.image_url,
        price=types_pb.Money(currency_code=currency, amount_minor=minor, amount=price),
        in_stock=record.in_stock,
    )


def _finding(finding: Finding) -> pb.ConsistencyFinding:
    assert finding.code in CODES
    return pb.ConsistencyFinding(
        code=f"FINDING_CODE_{finding.code}",
        field=finding.field,
        severity=finding.severity,  # type: ignore[arg-type]
        message=finding.message,
        related_product_ids=finding.related,
        evidence=[d.to_proto() for d in finding.evidence],
    )


async def create_binding(deps: Dependencies) -> ServiceBinding:
    servicer = ConsistencyValidationServicer(
        catalog_models(deps), deps.clock, sink=proposals.review_queue(deps), narrator=deps.narrator
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["ConsistencyValidationService"].full_name,
        add_to_server=lambda server: pb_grpc.add_ConsistencyValidationServiceServicer_to_server(servicer, server),
    )
