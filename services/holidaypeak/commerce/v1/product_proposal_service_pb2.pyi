from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from holidaypeak.commerce.v1 import product_proposal_pb2 as _product_proposal_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SubmitOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUBMIT_OUTCOME_UNSPECIFIED: _ClassVar[SubmitOutcome]
    SUBMIT_OUTCOME_CREATED: _ClassVar[SubmitOutcome]
    SUBMIT_OUTCOME_DUPLICATE: _ClassVar[SubmitOutcome]
    SUBMIT_OUTCOME_AUTO_APPROVED: _ClassVar[SubmitOutcome]
    SUBMIT_OUTCOME_NEEDS_REVIEW: _ClassVar[SubmitOutcome]
SUBMIT_OUTCOME_UNSPECIFIED: SubmitOutcome
SUBMIT_OUTCOME_CREATED: SubmitOutcome
SUBMIT_OUTCOME_DUPLICATE: SubmitOutcome
SUBMIT_OUTCOME_AUTO_APPROVED: SubmitOutcome
SUBMIT_OUTCOME_NEEDS_REVIEW: SubmitOutcome

class SubmitProposalsRequest(_message.Message):
    __slots__ = ("drafts",)
    DRAFTS_FIELD_NUMBER: _ClassVar[int]
    drafts: _containers.RepeatedCompositeFieldContainer[_product_proposal_pb2.ProposalDraft]
    def __init__(self, drafts: _Optional[_Iterable[_Union[_product_proposal_pb2.ProposalDraft, _Mapping]]] = ...) -> None: ...

class SubmittedProposal(_message.Message):
    __slots__ = ("proposal_id", "outcome", "status")
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    proposal_id: str
    outcome: SubmitOutcome
    status: _product_proposal_pb2.ProposalStatus
    def __init__(self, proposal_id: _Optional[str] = ..., outcome: _Optional[_Union[SubmitOutcome, str]] = ..., status: _Optional[_Union[_product_proposal_pb2.ProposalStatus, str]] = ...) -> None: ...

class SubmitProposalsResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[SubmittedProposal]
    def __init__(self, results: _Optional[_Iterable[_Union[SubmittedProposal, _Mapping]]] = ...) -> None: ...

class ListProposalsRequest(_message.Message):
    __slots__ = ("status", "product_id", "field", "source_agent", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    SOURCE_AGENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: _product_proposal_pb2.ProposalStatus
    product_id: str
    field: str
    source_agent: str
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[_Union[_product_proposal_pb2.ProposalStatus, str]] = ..., product_id: _Optional[str] = ..., field: _Optional[str] = ..., source_agent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListProposalsResponse(_message.Message):
    __slots__ = ("proposals", "next_page_token")
    PROPOSALS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    proposals: _containers.RepeatedCompositeFieldContainer[_product_proposal_pb2.ProductProposal]
    next_page_token: str
    def __init__(self, proposals: _Optional[_Iterable[_Union[_product_proposal_pb2.ProductProposal, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetProposalRequest(_message.Message):
    __slots__ = ("proposal_id",)
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    proposal_id: str
    def __init__(self, proposal_id: _Optional[str] = ...) -> None: ...

class ApproveProposalRequest(_message.Message):
    __slots__ = ("proposal_id", "value", "etag", "note")
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    proposal_id: str
    value: str
    etag: str
    note: str
    def __init__(self, proposal_id: _Optional[str] = ..., value: _Optional[str] = ..., etag: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class RejectProposalRequest(_message.Message):
    __slots__ = ("proposal_id", "reason", "etag")
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    proposal_id: str
    reason: str
    etag: str
    def __init__(self, proposal_id: _Optional[str] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class GetProposalStatsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ProposalStatsRow(_message.Message):
    __slots__ = ("source_agent", "field", "open", "approved", "auto_approved", "rejected", "superseded", "approval_rate", "rejection_rate", "mean_seconds_to_decision")
    SOURCE_AGENT_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    APPROVED_FIELD_NUMBER: _ClassVar[int]
    AUTO_APPROVED_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    SUPERSEDED_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_RATE_FIELD_NUMBER: _ClassVar[int]
    REJECTION_RATE_FIELD_NUMBER: _ClassVar[int]
    MEAN_SECONDS_TO_DECISION_FIELD_NUMBER: _ClassVar[int]
    source_agent: str
    field: str
    open: int
    approved: int
    auto_approved: int
    rejected: int
    superseded: int
    approval_rate: float
    rejection_rate: float
    mean_seconds_to_decision: float
    def __init__(self, source_agent: _Optional[str] = ..., field: _Optional[str] = ..., open: _Optional[int] = ..., approved: _Optional[int] = ..., auto_approved: _Optional[int] = ..., rejected: _Optional[int] = ..., superseded: _Optional[int] = ..., approval_rate: _Optional[float] = ..., rejection_rate: _Optional[float] = ..., mean_seconds_to_decision: _Optional[float] = ...) -> None: ...

class ProposalStats(_message.Message):
    __slots__ = ("queue_size", "oldest_open_seconds", "rows", "median_seconds_to_decision")
    QUEUE_SIZE_FIELD_NUMBER: _ClassVar[int]
    OLDEST_OPEN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_SECONDS_TO_DECISION_FIELD_NUMBER: _ClassVar[int]
    queue_size: int
    oldest_open_seconds: float
    rows: _containers.RepeatedCompositeFieldContainer[ProposalStatsRow]
    median_seconds_to_decision: float
    def __init__(self, queue_size: _Optional[int] = ..., oldest_open_seconds: _Optional[float] = ..., rows: _Optional[_Iterable[_Union[ProposalStatsRow, _Mapping]]] = ..., median_seconds_to_decision: _Optional[float] = ...) -> None: ...
