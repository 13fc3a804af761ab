"""Quanzi's server: the only place where I/O meets (routes, /ws, hub, node, brokers)."""
