"""The OctConv model family: upstream-exact symbols and synthetic checkpoints."""
