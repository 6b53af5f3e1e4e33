"""The static site: pages rendered from the executed notebooks, and the index."""
