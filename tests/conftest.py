"""The project's own tests use the embedded mode (`fieldsim` fixture from simulators.testing):
one in-process server per test process, reset to the seeded dataset before each test."""
