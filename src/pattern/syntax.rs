//! Reasons for pattern text that is not JSON, worded as AWS's JSON reader words them
//! (docs/patterns.md). Only the first problem is reported, as AWS does.

const VALUE_KINDS: &str = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
/// The reader quotes at most this many characters of the text in a location.
const MAX_SOURCE: usize = 500;

/// The reader's description of a character, in the parentheses it puts around it.
fn show(c: char) -> String {
    let code = c as u32;
    if c.is_control() {
        format!("((CTRL-CHAR, code {code}))")
    } else if code > 255 {
        format!("('{c}' (code {code} / 0x{code:x}))")
    } else {
        format!("('{c}' (code {code}))")
    }
}

/// A character where a token was expected: control characters are refused as white space.
fn unexpected(c: char, what: &str) -> String {
    if (c as u32) < 32 {
        format!(
            "Illegal character {}: only regular white space (\\r, \\n, \\t) is allowed between tokens",
            show(c)
        )
    } else {
        format!("Unexpected character {}: {what}", show(c))
    }
}

/// A character that can be part of a bare word (Java's identifier characters: letters,
/// digits, connectors and currency signs).
fn word_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(
            c,
            '_' | '$'
                | '\u{a2}'..='\u{a5}'
                | '\u{20a0}'..='\u{20c0}'
                | '\u{203f}'
                | '\u{2040}'
                // Control characters Java ignores inside identifiers.
                | '\u{0}'..='\u{8}'
                | '\u{e}'..='\u{1b}'
                | '\u{7f}'..='\u{9f}'
        )
}

/// A character that ends a number too early.
fn in_number(c: char, what: &str) -> String {
    format!("Unexpected character {} in numeric value: {what}", show(c))
}

/// `[Source: (String)"<text>"; line: L, column: C]`, as the reader writes a location: control
/// characters other than CR and LF as `\uXXXX`, the text cut after 500 UTF-16 units.
fn location(text: &str, line: usize, column: usize) -> String {
    let mut out = String::from("[Source: (String)\"");
    let mut units = 0;
    let total: usize = text.chars().map(char::len_utf16).sum();
    for c in text.chars() {
        if units + c.len_utf16() > MAX_SOURCE {
            break;
        }
        units += c.len_utf16();
        if c.is_control() && c != '\r' && c != '\n' {
            out.push_str(&format!("\\u{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.push('"');
    if units < total {
        out.push_str(&format!("[truncated {} chars]", total - units));
    }
    out.push_str(&format!("; line: {line}, column: {column}]"));
    out
}

/// End of the text inside a container that had no member pending: the reader names the
/// container and where it opened.
fn unclosed(text: &str, kind: &str, (line, column): (usize, usize)) -> String {
    format!(
        "Unexpected end-of-input: expected close marker for {kind} (start marker at {})",
        location(text, line, column)
    )
}

/// End of the text between a container's entries (after a name, a colon or a comma).
fn between(kind: &str) -> String {
    format!("Unexpected end-of-input within/between {kind} entries")
}

struct Reader<'a> {
    text: &'a str,
    chars: Vec<char>,
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.at += usize::from(c.is_some());
        c
    }

    fn ws(&mut self) -> Option<char> {
        while let Some(c) = self.peek() {
            if matches!(c, ' ' | '\t' | '\n' | '\r') {
                self.at += 1;
            } else {
                return Some(c);
            }
        }
        None
    }

    /// Line and column (in UTF-16 units, from 1) of the character at `at`; CR, LF and CRLF
    /// each end a line.
    fn line_column(&self, at: usize) -> (usize, usize) {
        let (mut line, mut column) = (1, 1);
        let mut i = 0;
        while i < at {
            match self.chars[i] {
                '\r' if self.chars.get(i + 1) == Some(&'\n') && i + 1 < at => {
                    i += 1;
                    line += 1;
                    column = 1;
                }
                '\r' | '\n' => {
                    line += 1;
                    column = 1;
                }
                c => column += c.len_utf16(),
            }
            i += 1;
        }
        (line, column)
    }

    /// A string; `name` when it is a member name.
    fn string(&mut self, name: bool) -> Result<(), String> {
        self.next();
        while let Some(c) = self.next() {
            match c {
                '"' => return Ok(()),
                '\\' => self.escape()?,
                c if (c as u32) < 32 => {
                    return Err(format!(
                        "Illegal unquoted character {}: has to be escaped using backslash to be included in {}",
                        show(c),
                        if name { "name" } else { "string value" }
                    ))
                }
                _ => {}
            }
        }
        Err(if name {
            "Unexpected end-of-input in field name".into()
        } else {
            "Unexpected end-of-input: was expecting closing quote for a string value".into()
        })
    }

    /// What follows a backslash in a string.
    fn escape(&mut self) -> Result<(), String> {
        const EOF: &str = "Unexpected end-of-input in character escape sequence";
        match self.next() {
            None => Err(EOF.into()),
            Some('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't') => Ok(()),
            Some('u') => {
                for _ in 0..4 {
                    match self.next() {
                        None => return Err(EOF.into()),
                        Some(c) if c.is_ascii_hexdigit() => {}
                        Some(c) => {
                            return Err(unexpected(
                                c,
                                "expected a hex-digit for character escape sequence",
                            ))
                        }
                    }
                }
                Ok(())
            }
            Some(c) => {
                let desc = show(c);
                Err(format!(
                    "Unrecognized character escape {}",
                    &desc[1..desc.len() - 1]
                ))
            }
        }
    }

    fn digits(&mut self) -> usize {
        let from = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - from
    }

    /// A number, read as the reader reads one (its first character is `-` or a digit).
    fn number(&mut self) -> Result<(), String> {
        if self.peek() == Some('-') {
            self.at += 1;
            match self.peek() {
                None => return Err("Unexpected end-of-inputNo digit following minus sign".into()),
                Some(c) if c.is_ascii_digit() => {}
                Some('I') => return self.word(true),
                Some(c) => {
                    return Err(in_number(
                        c,
                        "expected digit (0-9) to follow minus sign, for valid numeric value",
                    ))
                }
            }
        }
        if self.next() == Some('0') && self.peek().is_some_and(|c| c.is_ascii_digit()) {
            return Err("Invalid numeric value: Leading zeroes not allowed".into());
        }
        self.digits();
        if self.peek() == Some('.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(in_number(
                    self.peek().unwrap_or('.'),
                    "Decimal point not followed by a digit",
                ));
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.at += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(match self.peek() {
                    None => "Unexpected end-of-inputexpected a digit for number exponent".into(),
                    Some(c) => in_number(c, "Exponent indicator not followed by a digit"),
                });
            }
        }
        Ok(())
    }

    /// A bare word where a value was expected: one of the three literals, or refused.
    fn word(&mut self, minus: bool) -> Result<(), String> {
        let mut tok = String::from(if minus { "-" } else { "" });
        while let Some(c) = self.peek() {
            if word_char(c) {
                tok.push(c);
                self.at += 1;
            } else {
                break;
            }
        }
        match tok.as_str() {
            "true" | "false" | "null" => Ok(()),
            "NaN" | "Infinity" | "-Infinity" | "+Infinity" => Err(format!(
                "Non-standard token '{tok}': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"
            )),
            _ => Err(format!(
                "Unrecognized token '{tok}': was expecting {VALUE_KINDS}"
            )),
        }
    }

    fn value(&mut self, depth: usize) -> Result<(), String> {
        // `depth` containers are open; the reader refuses one more past AWS's limit.
        if depth >= crate::json::MAX_DEPTH && matches!(self.ws(), Some('{' | '[')) {
            return Err(crate::json::depth_message(depth + 1));
        }
        let Some(c) = self.ws() else {
            return Err("Unexpected end-of-input".into());
        };
        match c {
            '{' => self.container(depth, '}', "Object"),
            '[' => self.container(depth, ']', "Array"),
            '"' => self.string(false),
            '-' | '0'..='9' => self.number(),
            '+' => Err(in_number(
                c,
                "JSON spec does not allow numbers to have plus signs: enable `JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS` to allow",
            )),
            '}' => Err(unexpected(c, "expected a value")),
            c if word_char(c) && !c.is_numeric() && !c.is_control() => self.word(false),
            c => Err(unexpected(
                c,
                &format!("expected a valid value {VALUE_KINDS}"),
            )),
        }
    }

    /// A close marker of the other kind of container.
    fn wrong_close(
        &self,
        c: char,
        close: char,
        kind: &str,
        (line, column): (usize, usize),
    ) -> String {
        format!(
            "Unexpected close marker '{c}': expected '{close}' (for {kind} starting at {})",
            location(self.text, line, column)
        )
    }

    fn container(&mut self, depth: usize, close: char, kind: &str) -> Result<(), String> {
        // Where it opened, as a line and column only when an error reports it (working it
        // out reads the text from its start).
        let start = self.at;
        self.next();
        let object = close == '}';
        match self.ws() {
            Some(c) if c == close => {
                self.next();
                return Ok(());
            }
            None => return Err(unclosed(self.text, kind, self.line_column(start))),
            Some(c @ ('}' | ']')) => {
                return Err(self.wrong_close(c, close, kind, self.line_column(start)))
            }
            Some(_) => {}
        }
        loop {
            if object {
                match self.ws() {
                    Some('"') => self.string(true)?,
                    Some(c) => {
                        return Err(unexpected(
                            c,
                            "was expecting double-quote to start field name",
                        ))
                    }
                    None => return Err(between(kind)),
                }
                match self.ws() {
                    Some(':') => {
                        self.next();
                    }
                    Some(c) => {
                        return Err(unexpected(
                            c,
                            "was expecting a colon to separate field name and value",
                        ))
                    }
                    None => return Err(between(kind)),
                }
            }
            if self.ws().is_none() {
                return Err(between(kind));
            }
            crate::json::deeper(depth, || self.value(depth + 1))?;
            match self.ws() {
                Some(',') => {
                    self.next();
                }
                Some(c) if c == close => {
                    self.next();
                    return Ok(());
                }
                Some(c @ ('}' | ']')) => {
                    return Err(self.wrong_close(c, close, kind, self.line_column(start)))
                }
                Some(c) => {
                    return Err(unexpected(
                        c,
                        &format!("was expecting comma to separate {kind} entries"),
                    ))
                }
                None => return Err(unclosed(self.text, kind, self.line_column(start))),
            }
        }
    }
}

/// The reason AWS would give for `text`, which serde_json has refused.
pub(crate) fn reason(text: &str) -> String {
    let mut r = Reader {
        text,
        chars: text.chars().collect(),
        at: 0,
    };
    // The reader wants an object first: an array or a string is refused as soon as it
    // opens, whatever follows.
    match r.ws() {
        Some('[' | '"') => return "Filter is not an object".into(),
        // The root's own location is column 0.
        Some(c @ ('}' | ']')) => return r.wrong_close(c, ']', "root", (1, 0)),
        _ => {}
    }
    // A number alone must be followed by white space or nothing before it counts as a
    // value (which is then not an object).
    if matches!(r.ws(), Some('-' | '0'..='9')) {
        if let Err(e) = r.number() {
            return e;
        }
        return match r.peek() {
            Some(c) if !matches!(c, ' ' | '\t' | '\n' | '\r') => {
                unexpected(c, "Expected space separating root-level values")
            }
            _ => "Filter is not an object".into(),
        };
    }
    match r.value(0) {
        Err(e) => e,
        Ok(()) => match r.ws() {
            // Trailing content after a complete value.
            Some(c) => unexpected(c, "expected end of input"),
            None => "Filter is not valid JSON".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::reason;

    #[test]
    fn end_of_input_names_the_open_container_and_where_it_opened() {
        // Recorded from AWS (radkawar/stackd archives.json, control-create-pattern-invalid-json).
        assert_eq!(
            reason("{"),
            "Unexpected end-of-input: expected close marker for Object (start marker at [Source: (String)\"{\"; line: 1, column: 1])"
        );
        assert_eq!(
            reason("\t{\r\n\"a\":[1]"),
            "Unexpected end-of-input: expected close marker for Object (start marker at [Source: (String)\"\\u0009{\r\n\"a\":[1]\"; line: 1, column: 2])"
        );
        assert_eq!(
            reason("{\"a\":[1,"),
            "Unexpected end-of-input within/between Array entries"
        );
        assert_eq!(reason("[1,"), "Filter is not an object");
    }
}
