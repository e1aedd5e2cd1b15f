//! Tests of `domain::petition`.
use super::*;

#[test]
fn the_lifecycle_table() {
    use PetitionActionKind as A;
    use PetitionStatus as S;
    assert_eq!(
        S::Registered.legal_actions(),
        [A::Forward, A::Accept, A::NotAccept]
    );
    assert_eq!(
        S::Forwarded.legal_actions(),
        [A::Accept, A::NotAccept, A::Return]
    );
    assert_eq!(S::Returned.legal_actions(), [A::Forward]);
    assert_eq!(
        S::Accepted.legal_actions(),
        [A::Handle, A::Extend, A::Reply]
    );
    assert_eq!(
        S::Extended.legal_actions(),
        [A::Reply],
        "one extension only"
    );
    assert_eq!(S::Replied.legal_actions(), [A::Close, A::RequestReview]);
    assert_eq!(S::Reviewed.legal_actions(), [A::RequestReexam, A::Finalize]);
    assert!(S::NotAccepted.legal_actions().is_empty());
    assert!(S::Finalized.legal_actions().is_empty());
    for s in S::ALL {
        // A state that owes the petitioner something is open; terminal ones are not.
        if s.legal_actions().is_empty() {
            assert!(!s.is_open(), "{s:?}");
        }
    }
}

#[test]
fn person_keys_match_by_id_or_by_name_and_phone() {
    let a = person_key(Some("11010519491231002X"), "王", None);
    assert_eq!(
        a,
        person_key(Some("11010519491231002X"), "李", Some("13800000000"))
    );
    assert_ne!(a, person_key(None, "王", Some("13800000000")));
    assert_eq!(
        person_key(None, " 王 ", Some("1")),
        person_key(None, "王", Some("1"))
    );
    assert_eq!(person_key(None, "王", None), None);
}
