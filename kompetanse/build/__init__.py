"""The batch: parameters, the plan of reports and their fingerprints, the warm kernels, the manifest."""
