"""The API's routers, one per area, all under /v1 (health and metrics at the root)."""
