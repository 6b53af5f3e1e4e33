"""The data layer: the contract (schema), reading what people send (io, with csvfile, workbook,
records and names), validation, the feedback workbook, the Dataset and `load()`, the packaged
reference tables, the synthetic sample and the submission template."""

from kompetanse._lazy import submodule_getattr

#: Modules reachable as attributes without importing them first.
SUBMODULES = ("csvfile", "dataset", "docs", "feedback", "feedback_summary", "io", "names", "parse", "records",
              "reference", "sample", "schema", "template", "template_text", "validate", "workbook")
__getattr__, __dir__ = submodule_getattr(__name__, SUBMODULES)
