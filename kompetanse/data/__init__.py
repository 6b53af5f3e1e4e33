"""The data layer: the contract (schema), reading what people send (io), validation, the Dataset and
`load()`, the packaged reference tables and the synthetic sample."""
