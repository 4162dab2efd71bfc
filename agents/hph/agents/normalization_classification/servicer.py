"""NormalizationClassificationService over gRPC: normalises and classifies a catalog product (read
with its etag) or a draft, against the catalog view and the classifier trained on it, and gives
the changes it would make to the review queue as proposals."""

from __future__ import annotations

from typing import Any

from holidaypeak.agents.v1 import agent_types_pb2 as types_pb
from holidaypeak.agents.v1 import normalization_classification_service_pb2 as pb
from holidaypeak.agents.v1 import normalization_classification_service_pb2_grpc as pb_grpc
from hph.agents.normalization_classification import core
from hph.agents.normalization_classification.normalize import METHOD, known_brands
from hph.agents.product_catalog import proposals
from hph.agents.product_catalog.classifier import CategoryClassifier
from hph.agents.product_catalog.shared import CatalogModels, catalog_models
from hph.agents.product_catalog.subject import check_subject, load_subject
from hph.agents.product_catalog.view import SOURCE as VIEW_SOURCE
from hph.agents.runtime import data_freshness, explanation, narrate_if_asked
from hph.agents.runtime.catalog import PRODUCT_SOURCE
from hph.commerce.product_truth import ProposalSink
from hph.runtime.clock import Clock
from hph.runtime.deps import Dependencies
from hph.runtime.errors import Unavailable, Violations
from hph.runtime.narrator import Narrator
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import ContainerSpec

# Nothing stored: the catalog view and the classifier live in memory, rebuilt at every start.
CONTAINERS: tuple[ContainerSpec, ...] = ()
DEFAULT_ALTERNATIVES, MAX_ALTERNATIVES = 3, 10
# How long a call waits for the first model (the catalog read and one training) before UNAVAILABLE.
FIRST_MODEL_WAIT_SECONDS = 10.0


class NormalizationClassificationServicer(pb_grpc.NormalizationClassificationServiceServicer):
    def __init__(
        self,
        models: CatalogModels,
        clock: Clock,
        *,
        sink: ProposalSink | None = None,
        narrator: Narrator | None = None,
    ) -> None:
        self._models = models
        self._clock = clock
        self._sink = sink
        self._narrator = narrator or Narrator.off()

    async def Normalize(self, request: pb.NormalizeRequest, context: Any) -> pb.NormalizeResponse:
        draft = request.draft if request.HasField("draft") else None
        violations = Violations()
        check_subject(violations, request.product_id, draft)
        violations.raise_if_any()
        record = await load_subject(self._models.reader, request.product_id, draft)
        view = self._models.view
        result = core.normalize_product(record, known_brands(p.brand for p in view.products.values()))
        submitted = await proposals.submit(self._sink, result.proposals, self._etag)
        changed = [f.field for f in result.fields if f.changed]
        response = pb.NormalizeResponse(
            product_id=record.id,
            fields=[
                pb.NormalizedField(
                    field=f.field, original=f.original, normalized=f.normalized, changed=f.changed, rules=f.rules
                )
                for f in result.fields
            ],
            attributes=[
                pb.ExtractedAttribute(
                    name=a.name,
                    value=a.value,
                    source_text=a.source_text,
                    source_field=a.source_field,
                    confidence=a.confidence,
                    current_value=a.current_value,
                )
                for a in result.attributes
            ],
            explanation=explanation(
                f"{len(changed)} field(s) changed ({', '.join(changed) or 'none'}), "
                f"{len(result.attributes)} attribute(s) found, {len(result.proposals)} proposal(s)"
                + (f", {submitted} submitted for review" if submitted else ""),
                core.normalization_drivers(result),
                method=METHOD,
                freshness=data_freshness(
                    self._clock(),
                    data_as_of=view.freshness.data_as_of,
                    sources=[VIEW_SOURCE, *([PRODUCT_SOURCE] if record.id else [])],
                    degraded=not view.ready,
                ),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="product normalisation")
        return response

    async def Classify(self, request: pb.ClassifyRequest, context: Any) -> pb.ClassifyResponse:
        draft = request.draft if request.HasField("draft") else None
        violations = Violations()
        check_subject(violations, request.product_id, draft)
        violations.check(
            0 <= request.max_alternatives <= MAX_ALTERNATIVES, "max_alternatives", f"must be 0..{MAX_ALTERNATIVES}"
        )
        violations.raise_if_any()
        record = await load_subject(self._models.reader, request.product_id, draft)
        model = await self._model()
        alternatives = request.max_alternatives or DEFAULT_ALTERNATIVES
        found = model.classify(record.text(), record.id, top=1 + alternatives)
        proposal = core.category_proposal(record, found, model)
        drafts = (proposal,) if proposal is not None else ()
        submitted = await proposals.submit(self._sink, drafts, self._etag)
        view = self._models.view
        best = found.best
        response = pb.ClassifyResponse(
            product_id=record.id,
            prediction=self._prediction(best.category_id, best.confidence),
            alternatives=[self._prediction(r.category_id, r.confidence) for r in found.ranked[1:]],
            current_category_id=record.category_id,
            agrees_with_current=best.category_id == record.category_id,
            explanation=explanation(
                f"{best.category_id} at {best.confidence:.2f}"
                + (f"; the product is in {record.category_id}" if record.category_id else "")
                + (f"; proposed {best.category_id}" if proposal else "")
                + (" (submitted for review)" if submitted else ""),
                [*core.classification_drivers(found, model), *core.proposal_drivers(drafts)],
                method=model.method,
                freshness=data_freshness(
                    self._clock(),
                    data_as_of=view.freshness.data_as_of,
                    sources=[VIEW_SOURCE, *([PRODUCT_SOURCE] if record.id else [])],
                    degraded=not self._models.trainer.current,
                ),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="product category")
        return response

    async def _model(self) -> CategoryClassifier:
        trainer = self._models.trainer
        model = trainer.model or await trainer.wait_current(FIRST_MODEL_WAIT_SECONDS)
        if model is None:
            raise Unavailable(
                "the category classifier is not trained yet (the catalog is being read, or has fewer than two "
                "categories with products); retry shortly",
                metadata={"service": core.AGENT},
            )
        return model

    def _prediction(self, category_id: str, confidence: float) -> types_pb.CategoryPrediction:
        return types_pb.CategoryPrediction(
            category_id=category_id, category_name=self._models.view.category_name(category_id), confidence=confidence
        )

    async def _etag(self, product_id: str) -> str | None:
        product = await self._models.reader.product(product_id)
        return product.etag if product is not None else None


async def create_binding(deps: Dependencies) -> ServiceBinding:
    servicer = NormalizationClassificationServicer(
        catalog_models(deps), deps.clock, sink=proposals.review_queue(deps), narrator=deps.narrator
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["NormalizationClassificationService"].full_name,
        add_to_server=lambda server: pb_grpc.add_NormalizationClassificationServiceServicer_to_server(servicer, server),
    )
