"""Functions run in other processes by the tests (spawned workers import them)."""


def classify_chunk(engine, texts):
    """The top category of each text, and the id of this process."""
    import os

    return os.getpid(), [s[0].service_code for s in engine.classify_batch(texts, limit=1)]


def predict_chunk(classifier, texts):
    return classifier.predict(texts)
