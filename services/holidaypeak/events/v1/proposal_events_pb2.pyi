from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProposalFacts(_message.Message):
    __slots__ = ("proposal_id", "product_id", "field", "source_agent", "proposed_value", "confidence")
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    SOURCE_AGENT_FIELD_NUMBER: _ClassVar[int]
    PROPOSED_VALUE_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    proposal_id: str
    product_id: str
    field: str
    source_agent: str
    proposed_value: str
    confidence: float
    def __init__(self, proposal_id: _Optional[str] = ..., product_id: _Optional[str] = ..., field: _Optional[str] = ..., source_agent: _Optional[str] = ..., proposed_value: _Optional[str] = ..., confidence: _Optional[float] = ...) -> None: ...

class ProposalSubmitted(_message.Message):
    __slots__ = ("proposal", "current_value", "supersedes_proposal_id")
    PROPOSAL_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VALUE_FIELD_NUMBER: _ClassVar[int]
    SUPERSEDES_PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    proposal: ProposalFacts
    current_value: str
    supersedes_proposal_id: str
    def __init__(self, proposal: _Optional[_Union[ProposalFacts, _Mapping]] = ..., current_value: _Optional[str] = ..., supersedes_proposal_id: _Optional[str] = ...) -> None: ...

class ProposalApproved(_message.Message):
    __slots__ = ("proposal", "before_value", "after_value", "actor_id", "auto_approved", "edited")
    PROPOSAL_FIELD_NUMBER: _ClassVar[int]
    BEFORE_VALUE_FIELD_NUMBER: _ClassVar[int]
    AFTER_VALUE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    AUTO_APPROVED_FIELD_NUMBER: _ClassVar[int]
    EDITED_FIELD_NUMBER: _ClassVar[int]
    proposal: ProposalFacts
    before_value: str
    after_value: str
    actor_id: str
    auto_approved: bool
    edited: bool
    def __init__(self, proposal: _Optional[_Union[ProposalFacts, _Mapping]] = ..., before_value: _Optional[str] = ..., after_value: _Optional[str] = ..., actor_id: _Optional[str] = ..., auto_approved: _Optional[bool] = ..., edited: _Optional[bool] = ...) -> None: ...

class ProposalRejected(_message.Message):
    __slots__ = ("proposal", "current_value", "actor_id", "reason")
    PROPOSAL_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VALUE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    proposal: ProposalFacts
    current_value: str
    actor_id: str
    reason: str
    def __init__(self, proposal: _Optional[_Union[ProposalFacts, _Mapping]] = ..., current_value: _Optional[str] = ..., actor_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ProposalSuperseded(_message.Message):
    __slots__ = ("proposal", "before_value", "after_value", "cause")
    PROPOSAL_FIELD_NUMBER: _ClassVar[int]
    BEFORE_VALUE_FIELD_NUMBER: _ClassVar[int]
    AFTER_VALUE_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    proposal: ProposalFacts
    before_value: str
    after_value: str
    cause: str
    def __init__(self, proposal: _Optional[_Union[ProposalFacts, _Mapping]] = ..., before_value: _Optional[str] = ..., after_value: _Optional[str] = ..., cause: _Optional[str] = ...) -> None: ...

class ProposalReturnedToReview(_message.Message):
    __slots__ = ("proposal", "before_value", "after_value", "actor_id")
    PROPOSAL_FIELD_NUMBER: _ClassVar[int]
    BEFORE_VALUE_FIELD_NUMBER: _ClassVar[int]
    AFTER_VALUE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    proposal: ProposalFacts
    before_value: str
    after_value: str
    actor_id: str
    def __init__(self, proposal: _Optional[_Union[ProposalFacts, _Mapping]] = ..., before_value: _Optional[str] = ..., after_value: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...
