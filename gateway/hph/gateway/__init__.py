"""The REST edge: JSON<->gRPC transcoding gateway, Envoy configuration and OpenAPI, all driven by
the descriptor set and the contracts' `google.api.http` rules."""
