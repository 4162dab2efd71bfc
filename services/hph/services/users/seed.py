"""Writes the demo users' profiles and saved addresses (create-if-absent: later edits survive).

Seeding emits no UserRegistered: the demo users are the store's starting state, not sign-ins.
"""

from __future__ import annotations

from hph.commerce.demo_data import DemoCatalog
from hph.runtime import clock as clocks
from hph.runtime.deps import Dependencies
from hph.runtime.errors import NotFound, Violations
from hph.runtime.storage import ConflictError
from hph.services.users import address_rules, rules
from hph.services.users.servicer import (
    ADDRESSES,
    OWNED_PARTITION_KEY,
    USER_PARTITION_KEY,
    USERS,
    address_collection,
    new_address_document,
    profile_document,
)


async def seed_users(deps: Dependencies, demo: DemoCatalog) -> dict[str, int]:
    users = await deps.store.container(USERS, USER_PARTITION_KEY)
    addresses = address_collection(await deps.store.container(ADDRESSES, OWNED_PARTITION_KEY), deps)
    now = clocks.to_iso(deps.clock())
    created_users = created_addresses = 0
    for user in demo.users:
        try:
            await users.create(profile_document(user.subject, user.email, user.name, user.phone, now))
            created_users += 1
        except ConflictError:
            pass
        for index, address in enumerate(user.addresses):
            violations = Violations()
            fields = address_rules.check_address(violations, address_rules.PostalFields.of(address))
            if violations:
                raise ValueError(f"demo address {index} of {user.subject} is invalid: {violations.items}")
            # A fixed idempotency key per demo address: seeding twice finds the same ids.
            request_id = f"demo-address-{index}"
            address_id = rules.new_item_id(rules.ADDRESS_PREFIX, user.subject, request_id)
            try:
                await addresses.get(user.subject, address_id)
                continue
            except NotFound:
                pass
            doc = new_address_document(address_id, fields, now, request_id)
            await addresses.create(user.subject, doc, make_default=address.is_default)
            created_addresses += 1
    return {"users": created_users, "addresses": created_addresses}
