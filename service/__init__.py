"""The review service: FastAPI app (`service.app:app`), storage, the reviewer web page and a
LanguageTool-compatible endpoint. Start it with `make run` or `nlp-review serve`."""
