//! Readings as CSV: one row per area of each finished reading, with a header row and ISO dates. Identified (the
//! person's id and name, and the note and reason written beside the values) or de-identified (a stable pseudonym
//! instead, and no free text, which could name someone).

use super::PersonRecord;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use waymark_shared::{outcomes::Framework, tracker::Rater};

/// A person's stable pseudonym in de-identified exports: `P-` and 12 hex digits of HMAC-SHA256 under the server's
/// pseudonym key. The same person always gets the same one; without the key it cannot be traced back.
pub fn pseudonym(key: &[u8], person: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(person.as_bytes());
    format!("P-{}", &hex::encode(mac.finalize().into_bytes())[..12])
}

/// Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) gets a `'` in front.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

fn value(v: Option<&u8>) -> String {
    v.map(u8::to_string).unwrap_or_default()
}

/// How a CSV names each person.
pub enum Naming<'a> {
    Identified,
    /// By pseudonym, under this key.
    Deidentified(&'a [u8]),
}

/// Writes the rows of any number of people's readings.
pub struct ReadingsCsv<'a> {
    out: csv::Writer<Vec<u8>>,
    naming: Naming<'a>,
    frameworks: &'a [Framework],
}

impl<'a> ReadingsCsv<'a> {
    pub fn new(naming: Naming<'a>, frameworks: &'a [Framework]) -> ReadingsCsv<'a> {
        let mut out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        let header: &[&str] = match naming {
            Naming::Identified => &[
                "person_id",
                "person_name",
                "reading_date",
                "framework",
                "framework_version",
                "area",
                "area_label",
                "person_view",
                "staff_view",
                "carer_view",
                "agreed",
                "more_help",
                "note",
                "why_views_differ",
            ],
            Naming::Deidentified(_) => &[
                "pseudonym",
                "reading_date",
                "framework",
                "framework_version",
                "area",
                "area_label",
                "person_view",
                "staff_view",
                "carer_view",
                "agreed",
                "more_help",
            ],
        };
        // Writing to a Vec cannot fail.
        let _ = out.write_record(header);
        ReadingsCsv { out, naming, frameworks }
    }

    /// Add one person's finished readings, oldest first.
    pub fn add(&mut self, record: &PersonRecord) {
        for r in record.finished_readings() {
            let framework = self.frameworks.iter().find(|f| f.id == r.framework && f.version == r.version);
            for (area, reading) in &r.areas {
                let label = framework.and_then(|f| f.area(area)).map(|a| a.label.en.clone()).unwrap_or_default();
                let more_help = match reading.more_help {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "",
                };
                let values =
                    [Rater::Person, Rater::Staff, Rater::Carer, Rater::Agreed].map(|x| value(reading.values.get(&x)));
                let common = [
                    r.date.clone(),
                    cell(&r.framework.0),
                    r.version.to_string(),
                    cell(&area.0),
                    cell(&label),
                    values[0].clone(),
                    values[1].clone(),
                    values[2].clone(),
                    values[3].clone(),
                    more_help.to_owned(),
                ];
                let row: Vec<String> = match &self.naming {
                    Naming::Identified => [cell(&record.id.0), cell(&record.name)]
                        .into_iter()
                        .chain(common)
                        .chain([cell(&reading.note), cell(&reading.reason)])
                        .collect(),
                    Naming::Deidentified(key) => std::iter::once(pseudonym(key, &record.id.0)).chain(common).collect(),
                };
                let _ = self.out.write_record(&row);
            }
        }
    }

    pub fn finish(self) -> Vec<u8> {
        self.out.into_inner().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_and_keyed() {
        let a = pseudonym(b"key-one", "person-1");
        assert_eq!(a, pseudonym(b"key-one", "person-1"));
        assert_ne!(a, pseudonym(b"key-one", "person-2"));
        assert_ne!(a, pseudonym(b"key-two", "person-1"));
        assert!(a.starts_with("P-") && a.len() == 14 && !a.contains("person"));
    }

    #[test]
    fn formulas_are_not_run_by_spreadsheets() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1+2"), "'-1+2");
        assert_eq!(cell("Walks in the garden"), "Walks in the garden");
    }
}
