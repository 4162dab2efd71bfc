"""Who may call each RPC, read once from the contracts' `holidaypeak.common.v1.access` option."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from google.protobuf import descriptor_pool

from holidaypeak.common.v1 import access_pb2

Role = int


@dataclass(frozen=True)
class MethodPolicy:
    """The access rule of one RPC, as declared in its proto."""

    full_method: str
    min_role: Role
    owner_only: bool = False
    owner_override_role: Role = access_pb2.ROLE_UNSPECIFIED

    @property
    def allows_anonymous(self) -> bool:
        return self.min_role == access_pb2.ROLE_ANONYMOUS


# RPCs outside our contracts (health checks, reflection) are open, as probes need them.
OPEN_POLICY = MethodPolicy(full_method="", min_role=access_pb2.ROLE_ANONYMOUS)


class PolicyTable:
    """Maps "/package.Service/Method" to its policy for the services a server hosts."""

    def __init__(self, service_names: Iterable[str]) -> None:
        self._policies: dict[str, MethodPolicy] = {}
        self._our_services: set[str] = set()
        pool = descriptor_pool.Default()
        for service_name in service_names:
            service = pool.FindServiceByName(service_name)
            self._our_services.add(service.full_name)
            for method in service.methods:
                full_method = f"/{service.full_name}/{method.name}"
                rule: access_pb2.AccessRule = method.GetOptions().Extensions[access_pb2.access]  # type: ignore[index]
                # An RPC that forgot its rule is admin-only: an omission must never open it.
                min_role = rule.min_role or access_pb2.ROLE_ADMIN
                self._policies[full_method] = MethodPolicy(
                    full_method=full_method,
                    min_role=min_role,
                    owner_only=rule.owner_only,
                    owner_override_role=rule.owner_override_role,
                )

    def lookup(self, full_method: str) -> MethodPolicy:
        policy = self._policies.get(full_method)
        if policy is not None:
            return policy
        service = full_method.lstrip("/").split("/", 1)[0]
        if service in self._our_services:
            # Unknown method of one of our services: gRPC answers UNIMPLEMENTED; stay closed anyway.
            return MethodPolicy(full_method=full_method, min_role=access_pb2.ROLE_ADMIN)
        return OPEN_POLICY

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._policies.values())
