//! Escalated questions kept as inquiries: the department's queue, the
//! deadline on its calendar, notes, transfers and the reply that closes it.

use civic311::{AnswerOptions, ErrorKind};
use civic311_store::{Asked, InquiryFilter, InquiryUpdate, Store};

use crate::util::{at, each_store, riverton, urls};

const QUESTION: &str = "do I need a permit for a garage sale";

fn escalate(store: &Store, question: &str, when: &str) -> civic311_store::Inquiry {
    let options = AnswerOptions { now: Some(at(when)), ..AnswerOptions::default() };
    let reply = riverton().answer(question, &options).unwrap();
    let asked = Asked {
        channel: Some("widget".into()),
        page: Some("https://riverton.example/permits?name=Ana#faq".into()),
        at: Some(at(when)),
        token: Some("secret-token".into()),
    };
    store.escalate(riverton(), question, &reply, &asked).unwrap()
}

#[test]
fn an_inquiry_is_due_two_business_days_later_and_closed_by_its_reply() {
    each_store("inquiry_life", |store| {
        // Friday 4 pm in Riverton: Monday and Tuesday are the two business days.
        let q = escalate(store, QUESTION, "2026-12-04T22:00:00Z");
        assert!(q.id.starts_with('Q'), "{}", q.id);
        assert!(q.open);
        assert_eq!(q.department.as_deref(), Some("permits"));
        assert_eq!(q.reply_by.unwrap().to_string(), "2026-12-08T17:00:00-06:00");
        assert_eq!(q.asked_datetime.to_string(), "2026-12-04T16:00:00-06:00");
        assert_eq!(q.page.as_deref(), Some("https://riverton.example/permits"));
        assert_eq!(q.channel.as_deref(), Some("widget"));
        assert!(q.confidence < 0.5 && q.reason.contains("Development Services"), "{}", q.reason);
        assert!(q.token_matches("secret-token") && !q.token_matches("secret-tokem") && !q.token_matches(""));
        assert!(!q.is_overdue(at("2026-12-08T22:59:00Z")) && q.is_overdue(at("2026-12-08T23:01:00Z")));
        assert_eq!(q.history.len(), 1);
        assert_eq!((q.history[0].kind.as_str(), q.history[0].public), ("asked", true));

        let mine = |d: &str| InquiryFilter { department: Some(d.into()), ..InquiryFilter::default() };
        assert_eq!(store.inquiries(&mine("permits")).unwrap().len(), 1);
        assert!(store.inquiries(&mine("parks")).unwrap().is_empty());

        // A note (internal), then a transfer, then the reply (public) closes it.
        let t = |h: u32| at(&format!("2026-12-07T{h:02}:00:00Z"));
        let q2 = store
            .update_inquiry(riverton(), &q.id, InquiryUpdate::by("permits.desk").note("zoning?").at(t(15)))
            .unwrap();
        assert_eq!(q2.version, 2);
        let q3 = store
            .update_inquiry(riverton(), &q.id, InquiryUpdate::by("permits.desk").transfer("neighborhood").at(t(16)))
            .unwrap();
        assert_eq!(q3.department.as_deref(), Some("neighborhood"));
        assert!(store.inquiries(&mine("permits")).unwrap().is_empty());
        assert_eq!(store.inquiries(&mine("neighborhood")).unwrap().len(), 1);
        let stale =
            store.update_inquiry(riverton(), &q.id, InquiryUpdate::by("x").reply("no").expecting(2)).unwrap_err();
        assert_eq!(stale.kind(), ErrorKind::Conflict, "{stale}");
        let done = store
            .update_inquiry(
                riverton(),
                &q.id,
                InquiryUpdate::by("code.officer").reply("No permit for up to two sales a year.").expecting(3).at(t(17)),
            )
            .unwrap();
        assert!(!done.open);
        assert_eq!(done.reply.as_deref(), Some("No permit for up to two sales a year."));
        assert_eq!(done.replied_datetime.unwrap().to_string(), "2026-12-07T11:00:00-06:00");
        let kinds: Vec<(&str, bool)> = done.history.iter().map(|e| (e.kind.as_str(), e.public)).collect();
        assert_eq!(kinds, [("asked", true), ("note", false), ("transferred", false), ("replied", true)]);
        assert!(store.inquiries(&mine("neighborhood")).unwrap().is_empty());
        let closed = InquiryFilter { open: Some(false), ..InquiryFilter::default() };
        assert_eq!(store.inquiries(&closed).unwrap().len(), 1);

        // A closed inquiry takes no change.
        let again = store.update_inquiry(riverton(), &q.id, InquiryUpdate::by("x").note("late")).unwrap_err();
        assert_eq!(again.kind(), ErrorKind::Lifecycle, "{again}");
    });
}

#[test]
fn what_cannot_be_an_inquiry_is_refused_with_the_reason() {
    each_store("inquiry_refused", |store| {
        let reply = riverton().answer("how do i report a pothole", &AnswerOptions::default()).unwrap();
        let err = store.escalate(riverton(), "how do i report a pothole", &reply, &Asked::default()).unwrap_err();
        assert!(err.to_string().contains("answered"), "{err}");
        let reply = riverton().answer("my neighbor collapsed and is not breathing", &AnswerOptions::default()).unwrap();
        let err = store.escalate(riverton(), "my neighbor collapsed", &reply, &Asked::default()).unwrap_err();
        assert!(err.to_string().contains("911"), "{err}");
        let q = escalate(store, QUESTION, "2026-12-04T22:00:00Z");
        let e = |u: InquiryUpdate| store.update_inquiry(riverton(), &q.id, u).unwrap_err().to_string();
        assert!(e(InquiryUpdate::by("")).contains("actor"));
        assert!(e(InquiryUpdate::by("x")).contains("changes nothing"));
        assert!(e(InquiryUpdate::by("x").reply("  ")).contains("changes nothing"));
        assert!(e(InquiryUpdate::by("x").transfer("dmv")).contains("unknown department 'dmv'"));
        let missing = store.update_inquiry(riverton(), "Q999", InquiryUpdate::by("x").note("n")).unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::NotFound);
        assert!(store.inquiry("Q999").unwrap().is_none());
        let bad = InquiryFilter { page: 0, ..InquiryFilter::default() };
        assert!(store.inquiries(&bad).unwrap_err().to_string().contains("pages count from 1"));
    });
}

#[test]
fn inquiries_survive_a_reopen_and_keep_their_numbers() {
    let (_dir, urls) = urls("inquiry_reopen");
    for url in urls {
        let first = {
            let store = Store::open(&url).unwrap();
            escalate(&store, QUESTION, "2026-12-04T22:00:00Z").id
        };
        let store = Store::open(&url).unwrap();
        let kept = store.inquiry(&first).unwrap().expect("kept");
        assert_eq!(kept.question, QUESTION);
        assert!(kept.token_matches("secret-token"));
        let second =
            escalate(&store, "is there an outdoor ice rink anywhere in riverton this winter", "2026-12-05T15:00:00Z");
        assert_ne!(second.id, first);
        let all = store.inquiries(&InquiryFilter::default()).unwrap();
        assert_eq!(all.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), [first.as_str(), second.id.as_str()]);
    }
}
