//! CSV answers (`Accept: text/csv`): what the client asked for, and RFC 4180 fields that
//! spreadsheets cannot be tricked into running.

use actix_web::HttpRequest;
use actix_web::http::header;

/// Whether the client asked for CSV.
pub fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept.split(',').any(|part| {
                part.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/csv"))
            })
        })
}

/// RFC 4180: quote fields holding a comma, quote or line break; double inner quotes. A leading
/// `=`, `+`, `-` or `@` is prefixed with `'` so spreadsheets do not run it as a formula.
pub fn field(raw: &str) -> String {
    let guarded = if raw.starts_with(['=', '+', '-', '@']) {
        format!("'{raw}")
    } else {
        raw.to_string()
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// One CSV line (with its CRLF) of `fields`.
pub fn line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = fields
        .iter()
        .map(|f| field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn csv_fields_are_quoted_and_formula_safe() {
        assert_eq!(field("Anna"), "Anna");
        assert_eq!(field("Kowalska, Anna"), "\"Kowalska, Anna\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=SUM(A1)"), "'=SUM(A1)");
    }
}
