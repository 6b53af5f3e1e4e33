"""The report layer: what each notebook section calls (tables, figures, text), with the labels,
colours and formatting the reports share."""

from kompetanse._lazy import submodule_getattr

#: Modules reachable as attributes without importing them first.
SUBMODULES = ("barometer", "digest", "expiry", "key_sentences", "kommune", "kommune_actions", "kommune_national",
              "kommune_plots", "kommune_text", "kommune_trends", "nasjonal", "outcome_plots", "plots", "program",
              "staff_policy", "style", "svg", "tables", "utfall", "words")
__getattr__, __dir__ = submodule_getattr(__name__, SUBMODULES)
