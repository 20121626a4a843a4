"""The imperative shell: Faust app, topics, settings, codec and the agents around the core."""
