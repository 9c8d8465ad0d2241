"""Configuration: paths from env vars (`settings`), the ICP config file `icp.yaml` (`icp`), its strict
pydantic base (`strict`), the starter config written by `icp init` (`starter`) and the per-run loader
(`run`)."""
