//! Rendering of RFC 5545 iCalendar (`text/calendar`) feeds for training sessions.
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// One event in a calendar.
#[derive(Debug, Clone)]
pub struct CalendarEvent {
    /// Stable across changes, e.g. "0190…-…@kompetens".
    pub uid: String,
    /// RFC 5545 SEQUENCE: raised each time the event changes.
    pub sequence: u32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The zone the event is shown in (the programme's zone).
    pub time_zone: chrono_tz::Tz,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    pub cancelled: bool,
    pub last_modified: DateTime<Utc>,
}

/// Content lines may be at most this many octets, excluding the CRLF (§3.1).
const MAX_LINE_OCTETS: usize = 75;
/// How far before the earliest / after the latest event a VTIMEZONE reaches.
const ZONE_MARGIN_DAYS: i64 = 366;

/// Renders a VCALENDAR with one VTIMEZONE per zone used and one VEVENT per event.
#[must_use]
pub fn render(calendar_name: &str, events: &[CalendarEvent], now: DateTime<Utc>) -> String {
    let mut ics = Ics(String::new());
    ics.line("BEGIN:VCALENDAR");
    ics.line("VERSION:2.0");
    ics.line("PRODID:-//Kompetens//Kompetens API//EN");
    ics.line("CALSCALE:GREGORIAN");
    ics.line("METHOD:PUBLISH");
    ics.text("X-WR-CALNAME", calendar_name);
    // Sorted by IANA name for deterministic output: name -> (zone, earliest, latest).
    let mut zones: BTreeMap<&str, (Tz, DateTime<Utc>, DateTime<Utc>)> = BTreeMap::new();
    for e in events.iter().filter(|e| !is_utc(e.time_zone)) {
        let (lo, hi) = (e.starts_at.min(e.ends_at), e.starts_at.max(e.ends_at));
        let entry = zones
            .entry(e.time_zone.name())
            .or_insert((e.time_zone, lo, hi));
        (entry.1, entry.2) = (entry.1.min(lo), entry.2.max(hi));
    }
    let margin = TimeDelta::days(ZONE_MARGIN_DAYS);
    for (tz, earliest, latest) in zones.into_values() {
        let from = earliest.checked_sub_signed(margin).unwrap_or(earliest);
        let to = latest.checked_add_signed(margin).unwrap_or(latest);
        ics.vtimezone(tz, from, to);
    }
    for event in events {
        ics.vevent(event, now);
    }
    ics.line("END:VCALENDAR");
    ics.0
}

/// The document being written, one folded content line at a time.
struct Ics(String);

impl Ics {
    /// Appends one content line, folded (§3.1) so no physical line exceeds 75 octets,
    /// never inside a UTF-8 character. A fold is moved before trailing blanks because
    /// some parsers (e.g. the `ical` crate) trim the end of each physical line.
    fn line(&mut self, line: &str) {
        let mut rest = line;
        let mut limit = MAX_LINE_OCTETS;
        while rest.len() > limit {
            let mut cut = limit;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            let trimmed = rest[..cut].trim_end_matches([' ', '\t']).len();
            if trimmed > 0 {
                cut = trimmed;
            }
            self.0.push_str(&rest[..cut]);
            self.0.push_str("\r\n ");
            rest = &rest[cut..];
            limit = MAX_LINE_OCTETS - 1; // the leading space counts
        }
        self.0.push_str(rest);
        self.0.push_str("\r\n");
    }

    fn prop(&mut self, name: &str, value: impl std::fmt::Display) {
        self.line(&format!("{name}:{value}"));
    }

    fn text(&mut self, name: &str, value: &str) {
        self.prop(name, escape_text(value));
    }

    fn vevent(&mut self, event: &CalendarEvent, now: DateTime<Utc>) {
        self.line("BEGIN:VEVENT");
        self.text("UID", &event.uid);
        self.prop("SEQUENCE", event.sequence);
        self.prop("DTSTAMP", utc_form(now));
        self.prop("LAST-MODIFIED", utc_form(event.last_modified));
        self.line(&date_time_property(
            "DTSTART",
            event.starts_at,
            event.time_zone,
        ));
        // RFC 5545 requires DTEND to be later than DTSTART; otherwise leave it out.
        if event.ends_at > event.starts_at {
            self.line(&date_time_property("DTEND", event.ends_at, event.time_zone));
        }
        self.text("SUMMARY", &event.summary);
        if let Some(description) = &event.description {
            self.text("DESCRIPTION", description);
        }
        if let Some(location) = &event.location {
            self.text("LOCATION", location);
        }
        if let Some(url) = &event.url {
            // A URI, not TEXT: no escaping, but control characters are never valid.
            self.prop(
                "URL",
                url.chars().filter(|c| !c.is_control()).collect::<String>(),
            );
        }
        self.prop(
            "STATUS",
            if event.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            },
        );
        self.line("END:VEVENT");
    }

    fn vtimezone(&mut self, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) {
        self.line("BEGIN:VTIMEZONE");
        self.prop("TZID", tz.name());
        for (onset, offset_from, regime) in observances(tz, from, to) {
            let kind = if regime.dst { "DAYLIGHT" } else { "STANDARD" };
            // §3.6.5: DTSTART is the onset as local time in the offset in force before it.
            let local = onset
                .naive_utc()
                .checked_add_signed(TimeDelta::seconds(offset_from.into()));
            self.prop("BEGIN", kind);
            self.prop(
                "DTSTART",
                local_form(local.unwrap_or_else(|| onset.naive_utc())),
            );
            self.prop("TZOFFSETFROM", format_offset(offset_from));
            self.prop("TZOFFSETTO", format_offset(regime.offset_secs));
            if let Some(name) = &regime.name {
                self.text("TZNAME", name);
            }
            self.prop("END", kind);
        }
        self.line("END:VTIMEZONE");
    }
}

/// `NAME;TZID=Zone:YYYYMMDDTHHMMSS`, or the UTC form for UTC zones and for local times
/// in a repeated hour that a client would read as the other (first, §3.3.5) occurrence.
fn date_time_property(name: &str, at: DateTime<Utc>, tz: Tz) -> String {
    if !is_utc(tz) {
        let local = at.with_timezone(&tz).naive_local();
        if tz.from_local_datetime(&local).earliest() == Some(at.with_timezone(&tz)) {
            return format!("{name};TZID={}:{}", tz.name(), local_form(local));
        }
    }
    format!("{name}:{}", utc_form(at))
}

fn is_utc(tz: Tz) -> bool {
    let utc = [
        "UTC",
        "Etc/UTC",
        "Etc/UCT",
        "UCT",
        "Etc/Universal",
        "Universal",
        "Etc/Zulu",
        "Zulu",
    ];
    utc.contains(&tz.name())
}

fn utc_form(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

fn local_form(local: NaiveDateTime) -> String {
    local.format("%Y%m%dT%H%M%S").to_string()
}

/// The offset regime in force at one instant: total UTC offset, DST flag, abbreviation.
#[derive(Debug, PartialEq, Eq)]
struct Regime {
    offset_secs: i32,
    dst: bool,
    name: Option<String>,
}

fn regime_at(tz: Tz, at: DateTime<Utc>) -> Regime {
    let offset = tz.offset_from_utc_datetime(&at.naive_utc());
    Regime {
        offset_secs: offset.fix().local_minus_utc(),
        dst: !offset.dst_offset().is_zero(),
        name: offset.abbreviation().map(str::to_owned),
    }
}

/// `(onset, offset before, regime from then on)`: the regime at `from` (with no change of
/// offset), then every change of regime in `(from, to]`, found by stepping a day at a time
/// and binary-searching, to the second, each step across which the regime differs.
fn observances(
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, i32, Regime)> {
    let first = regime_at(tz, from);
    let mut found = vec![(from, first.offset_secs, first)];
    let mut at = from;
    while let Some((_, _, current)) = found.last().filter(|_| at < to) {
        let next = at
            .checked_add_signed(TimeDelta::days(1))
            .map_or(to, |n| n.min(to));
        if regime_at(tz, next) == *current {
            at = next;
            continue;
        }
        let (mut lo, mut hi) = (at, next);
        while hi - lo > TimeDelta::seconds(1) {
            let mid = lo + (hi - lo) / 2;
            if regime_at(tz, mid) == *current {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let offset_from = current.offset_secs;
        found.push((hi, offset_from, regime_at(tz, hi)));
        at = hi;
    }
    found
}
/// UTC-OFFSET value (§3.3.14): `±HHMM`, or `±HHMMSS` when the seconds are not zero.
fn format_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let abs = secs.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

/// TEXT escaping (§3.3.11); CR LF, CR and LF all become `\n`, other controls except TAB go.
fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {
                chars.next_if_eq(&'\n');
                escaped.push_str("\\n");
            }
            '\t' => escaped.push('\t'),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    type R = Result<(), chrono::ParseError>;

    fn at(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
        Ok(DateTime::parse_from_rfc3339(s)?.with_timezone(&Utc))
    }

    /// A two-hour event starting at `start`.
    fn event(start: &str, tz: Tz) -> Result<CalendarEvent, chrono::ParseError> {
        let starts_at = at(start)?;
        Ok(CalendarEvent {
            uid: format!("{start}@kompetens"),
            sequence: 2,
            starts_at,
            ends_at: starts_at + TimeDelta::hours(2),
            time_zone: tz,
            summary: "Szkolenie".to_owned(),
            description: None,
            location: None,
            url: None,
            cancelled: false,
            last_modified: at("2026-01-02T03:04:05Z")?,
        })
    }

    fn render_at(events: &[CalendarEvent]) -> Result<String, chrono::ParseError> {
        Ok(render("K", events, at("2026-04-01T10:11:12Z")?))
    }

    #[test]
    fn folds_long_lines_without_splitting_characters() -> R {
        let mut e = event("2026-05-04T07:00:00Z", Tz::UTC)?;
        e.summary = "Zażółć gęślą jaźń – ėšž öå łśż".repeat(12);
        e.description = Some("ab  cd; ".repeat(30));
        let ics = render_at(&[e.clone()])?;
        let lines: Vec<&str> = ics.split("\r\n").collect();
        assert!(ics.ends_with("\r\n") && !ics.replace("\r\n", "").contains(['\r', '\n']));
        assert!(lines.iter().all(|l| l.len() <= MAX_LINE_OCTETS) && ics.contains("\r\n "));
        // Folds never land right after a blank (some parsers trim line ends).
        assert!(
            lines
                .windows(2)
                .all(|p| !p[1].starts_with(' ') || !p[0].ends_with(' '))
        );
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("\r\nSUMMARY:{}\r\n", e.summary)));
        assert!(unfolded.contains(&format!("\r\nDESCRIPTION:{}\r\n", "ab  cd\\; ".repeat(30))));
        for prefix in 0..8 {
            let line = format!("{}{}", "x".repeat(prefix), "ąęłśżėšžöå".repeat(20));
            let mut ics = Ics(String::new());
            ics.line(&line);
            assert!(ics.0.split("\r\n").all(|l| l.len() <= MAX_LINE_OCTETS));
            assert_eq!(ics.0.replace("\r\n ", ""), format!("{line}\r\n"));
        }
        Ok(())
    }

    #[test]
    fn escapes_text() {
        assert_eq!(
            escape_text("a\\b;c,d\ne\r\nf\rg"),
            "a\\\\b\\;c\\,d\\ne\\nf\\ng"
        );
        assert_eq!(escape_text("tab\there\u{7}"), "tab\there");
    }

    #[test]
    fn utc_and_local_forms() -> R {
        let ics = render_at(&[
            event("2026-05-04T07:00:00Z", Tz::Etc__UTC)?,
            event("2026-05-04T07:00:00Z", Tz::Europe__Warsaw)?,
        ])?;
        assert!(ics.contains("\r\nDTSTART:20260504T070000Z\r\nDTEND:20260504T090000Z\r\n"));
        assert!(ics.contains("\r\nDTSTART;TZID=Europe/Warsaw:20260504T090000\r\n"));
        assert!(ics.contains("\r\nDTEND;TZID=Europe/Warsaw:20260504T110000\r\n"));
        assert!(ics.contains("\r\nDTSTAMP:20260401T101112Z\r\n"));
        assert!(ics.contains("\r\nLAST-MODIFIED:20260102T030405Z\r\n"));
        assert_eq!(ics.matches("BEGIN:VTIMEZONE\r\nTZID:").count(), 1);
        assert!(!ics.contains("TZID:Etc/UTC") && ics.contains("STATUS:CONFIRMED"));
        Ok(())
    }

    #[test]
    fn warsaw_dst_changes() -> R {
        let starts = [
            "2026-03-28T08:00:00Z",
            "2026-03-30T07:00:00Z",
            "2026-10-24T07:00:00Z",
            "2026-10-26T08:00:00Z",
        ];
        let events: Vec<_> = starts
            .iter()
            .map(|s| event(s, Tz::Europe__Warsaw))
            .collect::<Result<_, _>>()?;
        let ics = render_at(&events)?;
        assert!(ics.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\n\
             TZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n"
        ));
        assert!(ics.contains(
            "BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\n\
             TZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n"
        ));
        for day in ["20260328", "20260330", "20261024", "20261026"] {
            assert!(ics.contains(&format!("DTSTART;TZID=Europe/Warsaw:{day}T090000\r\n")));
        }
        assert_eq!(ics, render_at(&events)?, "deterministic");
        Ok(())
    }

    #[test]
    fn zones_without_dst_and_odd_offsets() -> R {
        let tokyo = event("2026-03-28T00:00:00Z", Tz::Asia__Tokyo)?;
        let ics = render_at(&[tokyo, event("2026-03-28T03:30:00Z", Tz::Asia__Kolkata)?])?;
        let (kolkata, tokyo) = (ics.find("TZID:Asia/Kolkata"), ics.find("TZID:Asia/Tokyo"));
        assert!(kolkata.is_some() && kolkata < tokyo, "zones sorted by name");
        assert!(!ics.contains("BEGIN:DAYLIGHT") && ics.matches("BEGIN:STANDARD").count() == 2);
        assert!(ics.contains("TZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nTZNAME:JST\r\n"));
        assert!(ics.contains("TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nTZNAME:IST\r\n"));
        assert!(ics.contains("DTSTART;TZID=Asia/Tokyo:20260328T090000\r\n"));
        assert!(ics.contains("DTSTART;TZID=Asia/Kolkata:20260328T090000\r\n"));
        Ok(())
    }

    #[test]
    fn offsets_and_repeated_hour() -> R {
        assert_eq!(format_offset(-(4 * 3600 + 30 * 60)), "-0430");
        assert_eq!(format_offset(5 * 3600 + 21 * 60 + 10), "+052110");
        assert_eq!(format_offset(0), "+0000");
        // 02:30 CET on 2026-10-25 is the second 02:30; a client would read the first.
        let second = date_time_property("DTSTART", at("2026-10-25T01:30:00Z")?, Tz::Europe__Warsaw);
        assert_eq!(second, "DTSTART:20261025T013000Z");
        let first = date_time_property("DTSTART", at("2026-10-25T00:30:00Z")?, Tz::Europe__Warsaw);
        assert_eq!(first, "DTSTART;TZID=Europe/Warsaw:20261025T023000");
        Ok(())
    }
}
