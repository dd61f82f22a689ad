//! Who may see whose record. Pure decisions; the server supplies the facts (role, care-team link, ward).

use crate::people::{Relation, Role};

/// The facts about a viewer and one service user that decide access.
#[derive(Clone, Copy, Debug)]
pub struct ViewFacts {
    pub viewer_role: Role,
    /// The viewer is the service user themselves.
    pub is_self: bool,
    /// The viewer's place in the person's care team, if any.
    pub relation: Option<Relation>,
    /// The viewer works on the ward the person is on.
    pub same_ward: bool,
}

/// May this viewer open this service user's record?
///
/// - a service user: only themselves;
/// - a carer: only a person whose care team they are on as a carer (a peer support worker likewise);
/// - a key worker or other staff: the people whose care team they are on (their caseload);
/// - a ward manager: everyone on their ward, and anyone whose care team they are on;
/// - an admin: nobody's record (accounts only).
pub fn may_view_person(f: ViewFacts) -> bool {
    match f.viewer_role {
        Role::ServiceUser => f.is_self,
        Role::Carer => f.relation == Some(Relation::Carer),
        Role::PeerSupport => f.relation == Some(Relation::PeerSupport),
        Role::KeyWorker | Role::Staff => {
            matches!(f.relation, Some(Relation::KeyWorker | Relation::Staff))
        }
        Role::WardManager => f.same_ward || matches!(f.relation, Some(Relation::KeyWorker | Relation::Staff)),
        Role::Admin => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(viewer_role: Role) -> ViewFacts {
        ViewFacts { viewer_role, is_self: false, relation: None, same_ward: false }
    }

    #[test]
    fn a_service_user_sees_only_themselves() {
        assert!(may_view_person(ViewFacts { is_self: true, ..facts(Role::ServiceUser) }));
        assert!(!may_view_person(ViewFacts { same_ward: true, ..facts(Role::ServiceUser) }));
    }

    #[test]
    fn a_carer_sees_only_the_person_they_support() {
        assert!(may_view_person(ViewFacts { relation: Some(Relation::Carer), ..facts(Role::Carer) }));
        assert!(!may_view_person(ViewFacts { same_ward: true, ..facts(Role::Carer) }));
    }

    #[test]
    fn staff_see_their_caseload_and_managers_their_ward() {
        assert!(may_view_person(ViewFacts { relation: Some(Relation::KeyWorker), ..facts(Role::KeyWorker) }));
        assert!(!may_view_person(ViewFacts { same_ward: true, ..facts(Role::KeyWorker) }));
        assert!(may_view_person(ViewFacts { relation: Some(Relation::Staff), ..facts(Role::Staff) }));
        assert!(may_view_person(ViewFacts { same_ward: true, ..facts(Role::WardManager) }));
        assert!(!may_view_person(facts(Role::WardManager)));
    }

    #[test]
    fn a_peer_support_worker_sees_only_the_people_they_are_linked_to() {
        assert!(may_view_person(ViewFacts { relation: Some(Relation::PeerSupport), ..facts(Role::PeerSupport) }));
        assert!(!may_view_person(ViewFacts { same_ward: true, ..facts(Role::PeerSupport) }));
        assert!(!may_view_person(ViewFacts { relation: Some(Relation::Carer), ..facts(Role::PeerSupport) }));
    }

    #[test]
    fn an_admin_sees_no_clinical_record() {
        assert!(!may_view_person(ViewFacts { same_ward: true, relation: Some(Relation::Staff), ..facts(Role::Admin) }));
    }
}
