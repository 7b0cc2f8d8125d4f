"""The spec front end: YAML with positions, and the grammar it must follow."""
