//! OpenAPI schemas for the types whose JSON form is written by hand rather than derived (the server's
//! `/api/openapi.json` is generated from these and the derived ones). Only built with the `openapi` feature.

use crate::consent::SharedPart;
use crate::sync::{Change, Kind};
use std::borrow::Cow;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

fn names(names: impl IntoIterator<Item = &'static str>, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(names.into_iter().collect::<Vec<_>>()))
        .description(Some(description))
        .into()
}

impl PartialSchema for Kind {
    fn schema() -> RefOr<Schema> {
        names(Kind::ALL.iter().map(|k| k.as_str()), "A kind of cell, named by the domain that writes it.")
    }
}

impl ToSchema for Kind {}

impl PartialSchema for SharedPart {
    fn schema() -> RefOr<Schema> {
        names(
            SharedPart::ALL.iter().map(|p| p.as_str()),
            "A part of the record the person decides to share with a carer, or not.",
        )
    }
}

impl ToSchema for SharedPart {}

/// A change is one of the domains' changes, flat on the wire: each has its `type`.
impl PartialSchema for Change {
    fn schema() -> RefOr<Schema> {
        let mut one_of = OneOfBuilder::new().description(Some(
            "One change of one kind of data: About me, a comment, the recovery tracker, the safety plan or consent. \
             Its `type` says which.",
        ));
        for name in domain_schema_names() {
            one_of = one_of.item(Ref::from_schema_name(name));
        }
        one_of.into()
    }
}

fn domain_schema_names() -> [Cow<'static, str>; 5] {
    [
        crate::about_me::AboutMeChange::name(),
        crate::comments::CommentChange::name(),
        crate::tracker::TrackerChange::name(),
        crate::plan::PlanChange::name(),
        crate::consent::ConsentChange::name(),
    ]
}

impl ToSchema for Change {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        fn add<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) {
            schemas.push((T::name().into_owned(), T::schema()));
            T::schemas(schemas);
        }
        add::<crate::about_me::AboutMeChange>(schemas);
        add::<crate::comments::CommentChange>(schemas);
        add::<crate::tracker::TrackerChange>(schemas);
        add::<crate::plan::PlanChange>(schemas);
        add::<crate::consent::ConsentChange>(schemas);
    }
}
