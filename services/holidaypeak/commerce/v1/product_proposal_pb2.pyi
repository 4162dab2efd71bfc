import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProposalStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROPOSAL_STATUS_UNSPECIFIED: _ClassVar[ProposalStatus]
    PROPOSAL_STATUS_PENDING: _ClassVar[ProposalStatus]
    PROPOSAL_STATUS_NEEDS_REVIEW: _ClassVar[ProposalStatus]
    PROPOSAL_STATUS_APPROVED: _ClassVar[ProposalStatus]
    PROPOSAL_STATUS_REJECTED: _ClassVar[ProposalStatus]
    PROPOSAL_STATUS_SUPERSEDED: _ClassVar[ProposalStatus]
PROPOSAL_STATUS_UNSPECIFIED: ProposalStatus
PROPOSAL_STATUS_PENDING: ProposalStatus
PROPOSAL_STATUS_NEEDS_REVIEW: ProposalStatus
PROPOSAL_STATUS_APPROVED: ProposalStatus
PROPOSAL_STATUS_REJECTED: ProposalStatus
PROPOSAL_STATUS_SUPERSEDED: ProposalStatus

class ProposalEvidence(_message.Message):
    __slots__ = ("name", "value", "reason", "unit")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: float
    reason: str
    unit: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[float] = ..., reason: _Optional[str] = ..., unit: _Optional[str] = ...) -> None: ...

class ProposalDraft(_message.Message):
    __slots__ = ("product_id", "field", "current_value", "proposed_value", "source_agent", "confidence", "product_etag", "evidence")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VALUE_FIELD_NUMBER: _ClassVar[int]
    PROPOSED_VALUE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_AGENT_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ETAG_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    field: str
    current_value: str
    proposed_value: str
    source_agent: str
    confidence: float
    product_etag: str
    evidence: _containers.RepeatedCompositeFieldContainer[ProposalEvidence]
    def __init__(self, product_id: _Optional[str] = ..., field: _Optional[str] = ..., current_value: _Optional[str] = ..., proposed_value: _Optional[str] = ..., source_agent: _Optional[str] = ..., confidence: _Optional[float] = ..., product_etag: _Optional[str] = ..., evidence: _Optional[_Iterable[_Union[ProposalEvidence, _Mapping]]] = ...) -> None: ...

class ProposalAuditEntry(_message.Message):
    __slots__ = ("action", "actor_id", "at", "before_value", "after_value", "reason")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    BEFORE_VALUE_FIELD_NUMBER: _ClassVar[int]
    AFTER_VALUE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    action: str
    actor_id: str
    at: _timestamp_pb2.Timestamp
    before_value: str
    after_value: str
    reason: str
    def __init__(self, action: _Optional[str] = ..., actor_id: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., before_value: _Optional[str] = ..., after_value: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ProductProposal(_message.Message):
    __slots__ = ("id", "product_id", "field", "current_value", "proposed_value", "source_agent", "confidence", "product_etag", "evidence", "status", "applied_value", "decided_by", "decided_at", "decision_reason", "category_id", "created_at", "updated_at", "audit", "etag")
    ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VALUE_FIELD_NUMBER: _ClassVar[int]
    PROPOSED_VALUE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_AGENT_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ETAG_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    APPLIED_VALUE_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    DECISION_REASON_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    AUDIT_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    id: str
    product_id: str
    field: str
    current_value: str
    proposed_value: str
    source_agent: str
    confidence: float
    product_etag: str
    evidence: _containers.RepeatedCompositeFieldContainer[ProposalEvidence]
    status: ProposalStatus
    applied_value: str
    decided_by: str
    decided_at: _timestamp_pb2.Timestamp
    decision_reason: str
    category_id: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    audit: _containers.RepeatedCompositeFieldContainer[ProposalAuditEntry]
    etag: str
    def __init__(self, id: _Optional[str] = ..., product_id: _Optional[str] = ..., field: _Optional[str] = ..., current_value: _Optional[str] = ..., proposed_value: _Optional[str] = ..., source_agent: _Optional[str] = ..., confidence: _Optional[float] = ..., product_etag: _Optional[str] = ..., evidence: _Optional[_Iterable[_Union[ProposalEvidence, _Mapping]]] = ..., status: _Optional[_Union[ProposalStatus, str]] = ..., applied_value: _Optional[str] = ..., decided_by: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decision_reason: _Optional[str] = ..., category_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., audit: _Optional[_Iterable[_Union[ProposalAuditEntry, _Mapping]]] = ..., etag: _Optional[str] = ...) -> None: ...
