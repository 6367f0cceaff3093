"""Reference clients, one module per provider, usable against the real APIs."""
