"""Commerce code more than one service uses, below the services and above the runtime.

What lives here is shared by at least two services (or a service and the host) and belongs to none
of them: the pricing pipeline checkout quotes with and orders charge by (`pricing`), the typed
clients over other services' generated stubs (`clients`), identifiers several services check
(`identifiers`), the simulated test cards (`simulated_cards`) and the demo catalog (`demo_data`).
Services import it; it imports only `hph.runtime` and generated code, never a service, so services
stay fenced from each other and still talk only through stubs (tests/unit/test_layering.py).
"""
