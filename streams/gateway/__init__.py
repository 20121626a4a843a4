"""tilsyn gateway: the identity bridge between national identity numbers and pseudonymous residents."""
