//! Staff rosters: whom an organisation employs, as its HR keeps it (by hand or exported by
//! municipal IT), and a person's verified employment, which comes from rosters alone.
//!
//! A roster is replaced as a whole. It is valid entry by entry (an e-mail address, a job role
//! from the vocabulary, dates) and as a whole (no address twice, no employment ending before it
//! starts, at most [`MAX_ENTRIES`]); [`Roster::changes_from`] says what a replacement adds,
//! changes and ends. CSV (`email,job_role,employed_from,employed_until`) is read by
//! [`parse_csv`], with every problem located as in the JSON form (`/3/email`: the fourth entry)
//! and the line it is on.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::Invalid;
use crate::email::Email;
use crate::ids::OrganisationId;
use crate::organisation::OrganisationPath;
use crate::policy::{Actor, Decision};
use crate::role::JobRole;

/// The most entries one roster holds: a large municipality's schools, with room to spare.
pub const MAX_ENTRIES: usize = 20_000;

/// The CSV header, in the order the answer writes it (columns may come in any order).
pub const CSV_COLUMNS: [&str; 4] = ["email", "job_role", "employed_from", "employed_until"];

/// One person on a roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffEntry {
    /// Normalised as [`Email::parse`] does, so it matches an account's address exactly.
    pub email: Email,
    pub job_role: JobRole,
    pub employed_from: NaiveDate,
    /// The last day employed (inclusive); `None` while the employment lasts.
    pub employed_until: Option<NaiveDate>,
}

impl StaffEntry {
    /// Whether the person is employed on `on`.
    pub fn is_current(&self, on: NaiveDate) -> bool {
        self.employed_from <= on && self.employed_until.is_none_or(|until| on <= until)
    }

    /// The same employment, whatever else differs (nothing else does today).
    fn same_terms(&self, other: &StaffEntry) -> bool {
        self.job_role == other.job_role
            && self.employed_from == other.employed_from
            && self.employed_until == other.employed_until
    }
}

/// A person's current employment as an organisation's roster states it: their verified
/// workplace and job role (only ever for a verified e-mail address; the caller checks that).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employment {
    pub organisation_id: OrganisationId,
    /// Copied from the organisation with the roster entry (organisations never move).
    pub organisation_path: OrganisationPath,
    pub job_role: JobRole,
    pub employed_from: NaiveDate,
    pub employed_until: Option<NaiveDate>,
}

/// Who may read or replace an organisation's roster: organisers of the organisation or of one
/// above it (an API token of theirs acts as they do) and instance admins. To anyone else,
/// trainers and participants of the organisation included, the roster does not exist (404):
/// it is a list of people's addresses and jobs.
pub fn may_keep(actor: &Actor, organisation: &OrganisationPath) -> Decision {
    if actor.is_admin || actor.organises(organisation) {
        Decision::Allow
    } else {
        Decision::NotFound
    }
}

/// What is wrong with a roster: at an entry (0-based, as in the JSON array, or among the CSV's
/// data rows) and one of its members, or with the whole (`entry: None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub entry: Option<usize>,
    pub field: Option<&'static str>,
    pub detail: String,
}

impl Problem {
    fn at(entry: usize, field: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            entry: Some(entry),
            field: Some(field),
            detail: detail.into(),
        }
    }

    fn whole(detail: impl Into<String>) -> Problem {
        Problem {
            entry: None,
            field: None,
            detail: detail.into(),
        }
    }

    /// The JSON pointer of what is wrong: `/3/email`, `/3`, or `` for the whole roster.
    pub fn pointer(&self) -> String {
        match (self.entry, self.field) {
            (Some(i), Some(field)) => format!("/{i}/{field}"),
            (Some(i), None) => format!("/{i}"),
            (None, _) => String::new(),
        }
    }
}

/// A roster valid as a whole, its entries in order of e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster(Vec<StaffEntry>);

impl Roster {
    /// The roster of `entries` (in the order they were sent), or every problem between them.
    pub fn new(entries: Vec<StaffEntry>) -> Result<Roster, Vec<Problem>> {
        let problems = check(&entries, |_| None);
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut entries = entries;
        entries.sort_by(|a, b| a.email.as_str().cmp(b.email.as_str()));
        Ok(Roster(entries))
    }

    pub fn entries(&self) -> &[StaffEntry] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// What replacing `old` (the roster as stored) with this one does.
    pub fn changes_from(&self, old: &[StaffEntry]) -> Changes {
        let before: HashMap<&str, &StaffEntry> =
            old.iter().map(|e| (e.email.as_str(), e)).collect();
        let mut changes = Changes::default();
        for entry in &self.0 {
            match before.get(entry.email.as_str()) {
                None => changes.added.push(entry.clone()),
                Some(was) if was.same_terms(entry) => changes.unchanged += 1,
                Some(_) => changes.changed.push(entry.clone()),
            }
        }
        let now: std::collections::HashSet<&str> =
            self.0.iter().map(|e| e.email.as_str()).collect();
        changes.ended = old
            .iter()
            .filter(|e| !now.contains(e.email.as_str()))
            .map(|e| e.email.clone())
            .collect();
        changes.ended.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        changes
    }
}

/// What a replacement does, each list in order of e-mail address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// On the new roster, not on the old.
    pub added: Vec<StaffEntry>,
    /// On both, with other terms (job role or dates); as they are now.
    pub changed: Vec<StaffEntry>,
    /// On the old roster only: removed from it.
    pub ended: Vec<Email>,
    /// On both, the same.
    pub unchanged: usize,
}

impl Changes {
    /// How many entries the roster holds afterwards.
    pub fn total(&self) -> usize {
        self.added.len() + self.changed.len() + self.unchanged
    }

    /// Whether the replacement changes nothing.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.ended.is_empty()
    }
}

/// The problems between entries: too many of them, an address twice, an end before a start.
/// `line` gives an entry's line in a CSV (for the detail), `None` in JSON.
fn check(entries: &[StaffEntry], line: impl Fn(usize) -> Option<usize>) -> Vec<Problem> {
    if entries.len() > MAX_ENTRIES {
        return vec![Problem::whole(format!(
            "holds {} entries; a roster holds at most {MAX_ENTRIES}",
            entries.len()
        ))];
    }
    let said = |i: usize, detail: String| match line(i) {
        Some(n) => format!("line {n}: {detail}"),
        None => detail,
    };
    let mut problems = Vec::new();
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        match first.get(entry.email.as_str()) {
            Some(&j) => {
                let where_first = match line(j) {
                    Some(n) => format!("line {n}"),
                    None => format!("/{j}"),
                };
                problems.push(Problem::at(
                    i,
                    "email",
                    said(
                        i,
                        format!("is on the roster twice (first at {where_first})"),
                    ),
                ));
            }
            None => {
                first.insert(entry.email.as_str(), i);
            }
        }
        if entry
            .employed_until
            .is_some_and(|until| until < entry.employed_from)
        {
            problems.push(Problem::at(
                i,
                "employed_until",
                said(i, "must not be before employed_from".to_string()),
            ));
        }
    }
    problems
}

/// A calendar date written `YYYY-MM-DD`, and nothing else.
pub fn parse_date(raw: &str) -> Result<NaiveDate, Invalid> {
    let bytes = raw.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    shaped
        .then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| Invalid::new("must be a date, YYYY-MM-DD"))
}

/// Reads a roster from CSV as HR systems export it: a header line naming the columns
/// (`email`, `job_role`, `employed_from` and optionally `employed_until`, in any order, any
/// case), then one line per person. RFC 4180 quoting (fields with commas, quotes or line
/// breaks in double quotes, quotes doubled), CRLF or LF line ends, a UTF-8 byte-order mark and
/// blank lines are accepted; cells are trimmed, an empty `employed_until` is "still employed",
/// and a leading `'` before `=`, `+`, `-` or `@` (the formula guard of our own CSV answers) is
/// dropped, so an exported roster reads back as it was.
///
/// Every problem is reported, at the pointer the same entry would have in the JSON form (the
/// data rows counted from 0) and with its line number in the detail.
pub fn parse_csv(text: &str) -> Result<Roster, Vec<Problem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = records(text)?;
    let mut records = records
        .into_iter()
        .filter(|r| !(r.fields.len() == 1 && r.fields[0].trim().is_empty()));
    let Some(header) = records.next() else {
        return Err(vec![Problem::whole(format!(
            "is empty; the first line must be the header {}",
            CSV_COLUMNS.join(",")
        ))]);
    };
    let columns = columns(&header)?;
    let rows: Vec<Record> = records.collect();
    if rows.len() > MAX_ENTRIES {
        return Err(vec![Problem::whole(format!(
            "holds {} entries; a roster holds at most {MAX_ENTRIES}",
            rows.len()
        ))]);
    }
    let mut problems = Vec::new();
    let mut entries = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        if row.fields.len() != columns.len() {
            problems.push(Problem {
                entry: Some(i),
                field: None,
                detail: format!(
                    "line {}: has {} fields; the header has {}",
                    row.line,
                    row.fields.len(),
                    columns.len()
                ),
            });
            continue;
        }
        let cell = |name: &str| -> &str {
            columns
                .iter()
                .position(|c| *c == name)
                .and_then(|at| row.fields.get(at))
                .map_or("", |f| unguarded(f.trim()))
        };
        let mut refused = |field: &'static str, e: Invalid| {
            problems.push(Problem::at(i, field, format!("line {}: {}", row.line, e.0)));
        };
        let email = Email::parse(cell("email"))
            .map_err(|e| refused("email", e))
            .ok();
        let job_role = JobRole::parse(cell("job_role"))
            .map_err(|e| refused("job_role", e))
            .ok();
        let employed_from = parse_date(cell("employed_from"))
            .map_err(|e| refused("employed_from", e))
            .ok();
        let employed_until = match cell("employed_until") {
            "" => Some(None),
            raw => parse_date(raw)
                .map(Some)
                .map_err(|e| refused("employed_until", e))
                .ok(),
        };
        if let (Some(email), Some(job_role), Some(employed_from), Some(employed_until)) =
            (email, job_role, employed_from, employed_until)
        {
            entries.push((
                i,
                StaffEntry {
                    email,
                    job_role,
                    employed_from,
                    employed_until,
                },
            ));
        }
    }
    // Between entries: the rows that could be read, each under its own index and line.
    let indexes: Vec<usize> = entries.iter().map(|(i, _)| *i).collect();
    let read: Vec<StaffEntry> = entries.into_iter().map(|(_, e)| e).collect();
    for mut problem in check(&read, |k| indexes.get(k).map(|i| rows[*i].line)) {
        problem.entry = problem.entry.and_then(|k| indexes.get(k).copied());
        problems.push(problem);
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| (p.entry, field_order(p.field)));
        return Err(problems);
    }
    Roster::new(read)
}

fn field_order(field: Option<&str>) -> usize {
    field
        .and_then(|f| CSV_COLUMNS.iter().position(|c| *c == f))
        .map_or(0, |p| p + 1)
}

/// `'=SUM(A1)` as our CSV answers guard it, back to `=SUM(A1)`.
fn unguarded(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => cell,
    }
}

/// The header's columns, each one of [`CSV_COLUMNS`], once, the required ones present.
fn columns(header: &Record) -> Result<Vec<&'static str>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut seen = BTreeMap::new();
    let mut columns = Vec::new();
    for name in &header.fields {
        let name = name.trim().to_ascii_lowercase();
        match CSV_COLUMNS.iter().find(|c| **c == name) {
            Some(column) => {
                if seen.insert(*column, ()).is_some() {
                    problems.push(Problem::whole(format!(
                        "line {}: the header names {column} twice",
                        header.line
                    )));
                }
                columns.push(*column);
            }
            None => problems.push(Problem::whole(format!(
                "line {}: {name:?} is not a column of a roster; the header is {}",
                header.line,
                CSV_COLUMNS.join(",")
            ))),
        }
    }
    for required in &CSV_COLUMNS[..3] {
        if !seen.contains_key(required) {
            problems.push(Problem::whole(format!(
                "line {}: the header has no {required} column; it is {}",
                header.line,
                CSV_COLUMNS.join(",")
            )));
        }
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(problems)
    }
}

/// One CSV record: its fields and the line it starts on (1-based).
struct Record {
    line: usize,
    fields: Vec<String>,
}

/// Splits RFC 4180 text into records (quoted fields may hold commas, quotes and line breaks).
fn records(text: &str) -> Result<Vec<Record>, Vec<Problem>> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut starts_on = 1;
    let mut chars = text.chars().peekable();
    // Whether the current field was quoted and its closing quote has been read.
    let mut closed_quote = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if field.is_empty() && !closed_quote => {
                let opened_on = line;
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            field.push(c);
                        }
                        None => {
                            return Err(vec![Problem::whole(format!(
                                "line {opened_on}: a quoted field is not closed"
                            ))]);
                        }
                    }
                }
                closed_quote = true;
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                closed_quote = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                out.push(Record {
                    line: starts_on,
                    fields: std::mem::take(&mut fields),
                });
                closed_quote = false;
                line += 1;
                starts_on = line;
            }
            _ if closed_quote => {
                return Err(vec![Problem::whole(format!(
                    "line {line}: after a quoted field comes a comma or the end of the line"
                ))]);
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !fields.is_empty() || closed_quote {
        fields.push(field);
        out.push(Record {
            line: starts_on,
            fields,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::Role;

    fn date(s: &str) -> NaiveDate {
        parse_date(s).unwrap_or_default()
    }

    fn entry(email: &str, role: JobRole, from: &str, until: Option<&str>) -> StaffEntry {
        StaffEntry {
            email: Email::parse(email).unwrap_or_else(|e| panic!("{email}: {e}")),
            job_role: role,
            employed_from: date(from),
            employed_until: until.map(date),
        }
    }

    fn pointers(problems: &[Problem]) -> Vec<String> {
        problems.iter().map(Problem::pointer).collect()
    }

    #[test]
    fn employment_is_current_from_its_first_to_its_last_day() {
        let e = entry(
            "a@example.pl",
            JobRole::Teacher,
            "2026-09-01",
            Some("2027-06-30"),
        );
        assert!(!e.is_current(date("2026-08-31")));
        assert!(e.is_current(date("2026-09-01")));
        assert!(e.is_current(date("2027-06-30")));
        assert!(!e.is_current(date("2027-07-01")));
        let open = entry("b@example.pl", JobRole::Teacher, "2020-01-01", None);
        assert!(open.is_current(date("2099-12-31")));
    }

    #[test]
    fn a_roster_refuses_an_address_twice_and_an_end_before_its_start() {
        let problems = Roster::new(vec![
            entry("anna@example.pl", JobRole::Teacher, "2026-01-01", None),
            entry(
                "olena@example.pl",
                JobRole::Teacher,
                "2026-01-01",
                Some("2025-12-31"),
            ),
            // The same address in another case is the same person.
            entry("Anna@Example.PL", JobRole::Librarian, "2026-01-01", None),
        ])
        .err()
        .unwrap_or_default();
        assert_eq!(pointers(&problems), ["/1/employed_until", "/2/email"]);
        assert!(problems[1].detail.contains("/0"), "{}", problems[1].detail);
        // One day of employment is fine.
        assert!(
            Roster::new(vec![entry(
                "a@example.pl",
                JobRole::Teacher,
                "2026-01-01",
                Some("2026-01-01")
            )])
            .is_ok()
        );
    }

    #[test]
    fn a_replacement_says_what_it_adds_changes_and_ends() {
        let old = vec![
            entry("stays@x.pl", JobRole::Teacher, "2020-01-01", None),
            entry("moves@x.pl", JobRole::Teacher, "2020-01-01", None),
            entry("leaves@x.pl", JobRole::Teacher, "2020-01-01", None),
            entry("ends@x.pl", JobRole::Teacher, "2020-01-01", None),
        ];
        let new = Roster::new(vec![
            entry(
                "new@x.pl",
                JobRole::InterculturalAssistant,
                "2026-09-01",
                None,
            ),
            entry("stays@x.pl", JobRole::Teacher, "2020-01-01", None),
            entry("moves@x.pl", JobRole::SchoolDirector, "2020-01-01", None),
            entry(
                "ends@x.pl",
                JobRole::Teacher,
                "2020-01-01",
                Some("2026-06-30"),
            ),
        ])
        .unwrap_or_else(|p| panic!("{p:?}"));
        let changes = new.changes_from(&old);
        let emails = |entries: &[StaffEntry]| -> Vec<String> {
            entries.iter().map(|e| e.email.to_string()).collect()
        };
        assert_eq!(emails(&changes.added), ["new@x.pl"]);
        // An employment that now has an end is changed, not ended: the person stays listed.
        assert_eq!(emails(&changes.changed), ["ends@x.pl", "moves@x.pl"]);
        assert_eq!(
            changes
                .ended
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>(),
            ["leaves@x.pl"]
        );
        assert_eq!((changes.unchanged, changes.total()), (1, 4));
        assert!(new.changes_from(new.entries()).is_empty());
        assert_eq!(
            Roster::new(Vec::new()).map(|r| r.changes_from(&old).ended.len()),
            Ok(4)
        );
    }

    #[test]
    fn csv_as_hr_exports_it_reads_back() {
        let text = "\u{feff}Email,Job_Role,Employed_From,Employed_Until\r\n\
                    anna@example.pl,teacher,2020-09-01,\r\n\
                    \"Kowalska,Olena\"\"s\"\"@example.pl\",intercultural_assistant,2026-01-01,2026-06-30\r\n\
                    \r\n\
                    '-dash@example.pl, librarian ,2021-01-01,\n";
        let roster = parse_csv(text).unwrap_or_else(|p| panic!("{p:?}"));
        let emails: Vec<&str> = roster.entries().iter().map(|e| e.email.as_str()).collect();
        assert_eq!(
            emails,
            [
                "-dash@example.pl",
                "anna@example.pl",
                "kowalska,olena\"s\"@example.pl"
            ]
        );
        assert_eq!(roster.entries()[0].job_role, JobRole::Librarian);
        assert_eq!(roster.entries()[2].employed_until, Some(date("2026-06-30")));
        // Columns in another order, no employed_until column, no line end at the end.
        let roster = parse_csv("job_role,employed_from,email\nteacher,2020-01-01,a@b.pl")
            .unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!(roster.entries()[0].employed_until, None);
        // A header alone is an empty roster.
        assert_eq!(
            parse_csv("email,job_role,employed_from,employed_until\r\n").map(|r| r.len()),
            Ok(0)
        );
    }

    #[test]
    fn csv_problems_name_the_entry_and_the_line() {
        let text = "email,job_role,employed_from,employed_until\n\
                    ok@example.pl,teacher,2020-01-01,\n\
                    \"two\nlines@example.pl\",teacher,2020-01-01,\n\
                    bad,janitor,2020-13-01,\n\
                    OK@example.pl,teacher,2020-01-01,2019-01-01\n\
                    short@example.pl,teacher\n";
        let problems = parse_csv(text).err().unwrap_or_default();
        assert_eq!(
            pointers(&problems),
            [
                "/1/email",
                "/2/email",
                "/2/job_role",
                "/2/employed_from",
                "/3/email",
                "/3/employed_until",
                "/4"
            ]
        );
        let details: Vec<&str> = problems.iter().map(|p| p.detail.as_str()).collect();
        assert!(details[0].starts_with("line 3: "), "{details:?}");
        // The quoted line break puts the next record on line 5.
        assert!(details[1].starts_with("line 5: "), "{details:?}");
        assert!(
            details[4].starts_with("line 6: ") && details[4].contains("line 2"),
            "{details:?}"
        );
        assert!(
            details[6].contains("has 2 fields; the header has 4"),
            "{details:?}"
        );
    }

    #[test]
    fn csv_that_is_no_roster_is_refused_as_a_whole() {
        for (text, says) in [
            ("", "is empty"),
            ("\r\n\r\n", "is empty"),
            ("name,email\n", "\"name\" is not a column"),
            ("email,job_role\n", "no employed_from column"),
            ("email,email,job_role,employed_from\n", "names email twice"),
            (
                "email,job_role,employed_from\n\"open,teacher",
                "line 2: a quoted field is not closed",
            ),
            (
                "email,job_role,employed_from\n\"a\"b,teacher,2020-01-01",
                "after a quoted field",
            ),
        ] {
            let problems = parse_csv(text).err().unwrap_or_default();
            assert!(
                problems
                    .iter()
                    .any(|p| p.entry.is_none() && p.detail.contains(says)),
                "{text:?}: {problems:?}"
            );
        }
        let mut big = String::from("email,job_role,employed_from\n");
        for i in 0..=MAX_ENTRIES {
            big.push_str(&format!("p{i}@example.pl,teacher,2020-01-01\n"));
        }
        let problems = parse_csv(&big).err().unwrap_or_default();
        assert_eq!(pointers(&problems), [""]);
        assert!(problems[0].detail.contains("at most 20000"));
    }

    #[test]
    fn dates_are_written_one_way() {
        assert_eq!(parse_date("2026-06-13"), Ok(date("2026-06-13")));
        for bad in [
            "2026-6-13",
            "13.06.2026",
            "2026-02-30",
            "2026-06-13T00:00",
            " 2026-06-13",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_organisers_of_the_organisation_or_above_keep_its_roster() {
        let city = OrganisationPath::root(OrganisationId::new());
        let school = city
            .child(OrganisationId::new())
            .unwrap_or_else(|_| city.clone());
        let actor = |organisation: &OrganisationPath, role: Role| Actor {
            account_id: crate::ids::AccountId::new(),
            is_admin: false,
            grants: vec![crate::policy::Grant {
                organisation: organisation.clone(),
                role,
            }],
        };
        assert_eq!(
            may_keep(&actor(&city, Role::Organiser), &school),
            Decision::Allow
        );
        assert_eq!(
            may_keep(&actor(&school, Role::Organiser), &school),
            Decision::Allow
        );
        assert_eq!(
            may_keep(&actor(&school, Role::Organiser), &city),
            Decision::NotFound
        );
        assert_eq!(
            may_keep(&actor(&school, Role::Trainer), &school),
            Decision::NotFound
        );
        assert_eq!(
            may_keep(&actor(&school, Role::Participant), &school),
            Decision::NotFound
        );
    }
}
