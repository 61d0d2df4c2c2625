"""Training, apart from inference: data preparation, trainers and tuning for the models
that `nlp_review/<model>/` loads and predicts with. Depends on the inference packages,
never the other way round (tests/test_architecture.py)."""
