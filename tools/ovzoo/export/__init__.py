"""``ovzoo export``: converted IRs laid out as a model repository other servers read."""
