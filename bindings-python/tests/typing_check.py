"""Not a test module: mypy --strict reads it (test_stubs.py) to check that
the stubs type real uses of the package. It is also run, so it must work."""

import datetime
from typing import List, Optional

import civic311
from civic311.types import (
    Escalated,
    Event,
    Inquiry,
    QuestionEscalation,
    Reply,
    Request,
    Routing,
    StoredRequest,
    Submitted,
    SweepReport,
    TriageKind,
)


def main() -> None:
    engine: civic311.Engine = civic311.Engine.default()
    answers: List[civic311.Answer] = engine.search("potholes", limit=3, kinds=["service", "article"])
    first_url: Optional[str] = answers[0].url
    hours: Optional[civic311.FacilityHours] = answers[0].hours
    top: civic311.Suggestion = engine.classify("graffiti on my garage")[0]
    score: float = top.score
    batch: List[List[civic311.Suggestion]] = engine.classify_batch(["pothole", "graffiti"], limit=1)
    kind: TriageKind = engine.triage("I smell gas").kind
    request: Request = {
        "service_code": "WS-MAIN-BREAK",
        "lat": 38.955,
        "long": -90.95,
        "attribute": {"FLOWING": "yes", "AMOUNT": "gushing"},
        "requested_datetime": datetime.datetime(2026, 7, 3, 2, 0, tzinfo=datetime.timezone.utc),
    }
    routing: Routing = engine.route(request)
    due: Optional[datetime.datetime] = routing["expected_datetime"]
    model = civic311.Classifier.train(["pothole", "graffiti"], ["P", "G"], epochs=2)
    pairs: List[List[tuple[str, float]]] = model.predict_top(["pothole"], k=1)
    bundle: bytes = engine.to_bundle()
    try:
        civic311.Engine.from_bundle(bundle[:10])
    except civic311.BundleError as err:
        message: str = str(err)
        assert message
    store = civic311.Store("sqlite::memory:")
    submitted: Submitted = store.submit(engine, request, channel="web", client_request_id="typing-1")
    stored: Optional[StoredRequest] = store.get(submitted["service_request_id"])
    assert stored is not None
    history: List[Event] = stored.get("history", [])
    updated: StoredRequest = store.update(
        submitted["service_request_id"], actor="dispatch", status="acknowledged", expected_version=stored["version"]
    )
    rows: List[StoredRequest] = store.query(status="open", near=(38.955, -90.95, 500.0))
    swept: SweepReport = store.sweep()
    try:
        store.update("404", actor="x", note="hello")
    except civic311.NotFoundError as err:
        assert str(err)
    reply: Reply = engine.answer("do I need a permit for a garage sale")
    escalation: Optional[QuestionEscalation] = reply["escalation"]
    kept: Escalated = store.escalate(engine, "do I need a permit for a garage sale", channel="widget")
    inquiry: Optional[Inquiry] = kept["inquiry"]
    if inquiry is not None:
        replied: Inquiry = store.update_inquiry(engine, inquiry["id"], actor="desk", reply="No permit needed.")
        assert not replied["open"]
    queue: List[Inquiry] = store.inquiries(department="permits")
    department = escalation["department"] if escalation else None
    print(first_url, hours, score, len(batch), kind, due, pairs, len(history), updated["state"], len(rows), swept)
    print(reply["confidence"], department, len(queue))


if __name__ == "__main__":
    main()
