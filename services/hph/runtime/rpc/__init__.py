"""gRPC plumbing shared by every server: access policy, call context and interceptors."""
